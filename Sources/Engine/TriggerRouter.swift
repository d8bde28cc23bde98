import ConnectorKit
import Foundation
import Store

/// Turns change events into jobs: one per (integration, record), for every integration that
/// uses the connection the change came from and whose kind this process can run. A paused
/// integration's jobs are enqueued too: the queue holds them at claim time until it resumes.
public struct TriggerRouter: Sendable {
    /// Where integrations are looked up.
    public var store: any Store
    /// Job kinds this process runs; a change for an integration kind with no handler is not
    /// enqueued (it would wait forever).
    public var kinds: Set<String>

    /// Creates a router.
    public init(store: any Store, kinds: Set<String>) {
        self.store = store
        self.kinds = kinds
    }

    /// The payload of a change job.
    public struct ChangePayload: Codable, Sendable, Equatable {
        /// The change.
        public var event: ChangeEvent
        /// Where it came from.
        public var trigger: TriggerSource

        /// Creates a payload.
        public init(event: ChangeEvent, trigger: TriggerSource) {
            self.event = event
            self.trigger = trigger
        }
    }

    /// The job kind that handles changes for an integration kind.
    public static func changeKind(forIntegrationKind kind: String) -> String { "\(kind).change" }

    /// The coalescing key of a record's change job in an integration.
    public static func coalesceKey(integrationID: String, ref: ExternalRef) -> String { "change:\(integrationID):\(ref)" }

    /// The jobs for events of one connection.
    public func jobs(for events: [ChangeEvent], connectionID: String, trigger: TriggerSource, now: Date = Date()) async throws -> [ChangeEvent: [JobRequest]] {
        let integrations = try await store.integrations(usingConnection: connectionID)
        var result: [ChangeEvent: [JobRequest]] = [:]
        for event in events {
            var jobs: [JobRequest] = []
            for integration in integrations {
                let kind = Self.changeKind(forIntegrationKind: integration.kind)
                guard kinds.contains(kind) else { continue }
                var routed = event
                routed.connectionID = connectionID
                jobs.append(try JobRequest(kind: kind, tenant: integration.tenant, integrationID: integration.id, connectionID: connectionID,
                                           coalesceKey: Self.coalesceKey(integrationID: integration.id, ref: event.ref),
                                           payload: ChangePayload(event: routed, trigger: trigger), runAt: now, source: trigger))
            }
            result[event] = jobs
        }
        return result
    }
}

extension ChangeEvent: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(eventID)
        hasher.combine(ref)
    }
}
