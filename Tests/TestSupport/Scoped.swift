import ServiceLifecycle

/// Runs `body` with what `start` made, and `stop`s it before returning, also when `body` throws:
/// the teardown every scoped fixture (`FreshBooksFixture.with`, `withSandboxServer`…) shares.
public func withStarted<Resource, Value>(
    _ start: () async throws -> Resource,
    stop: (Resource) async -> Void,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (Resource) async throws -> Value
) async throws -> Value {
    let resource = try await start()
    let value: Value
    do {
        value = try await body(resource)
    } catch {
        await stop(resource)
        throw error
    }
    await stop(resource)
    return value
}

/// Runs `group` for `body`, then shuts it down gracefully and waits for it, also when `body`
/// throws; an error the group itself ended with is thrown once `body` has returned.
public func withRunning<Value>(
    _ group: ServiceGroup,
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> Value
) async throws -> Value {
    let running = Task { try await group.run() }
    let value: Value
    do {
        value = try await body()
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw error
    }
    await group.triggerGracefulShutdown()
    try await running.value
    return value
}
