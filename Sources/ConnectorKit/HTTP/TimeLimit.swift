/// Runs `operation`, abandoning it (cancelled) once `limit` has passed; nil then.
///
/// For waits that their own API does not bound: a response body that trickles after its head
/// (AsyncHTTPClient's deadline stops at the head), a webhook body sent a byte at a time.
public func withTimeLimit<Value: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value? {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}
