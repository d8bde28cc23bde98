import ConnectorKit
import Foundation
import Store

/// What an earlier attempt left under an idempotency key, as `Intents.begin` reports it.
public enum IntentStart: Sendable, Equatable {
    /// No attempt, merged job or replay recorded this intent before: make the effect.
    case first
    /// An earlier attempt recorded it and never confirmed it: the effect may exist, so look it
    /// up (by the key it carries) before making it again.
    case uncertain(targetRef: String?)
    /// A completed job confirmed it: the effect exists (as `targetRef`, when it has one).
    case done(targetRef: String?)

    /// True when the effect may already exist and must be looked up before it is made.
    public var needsLookUp: Bool { self != .first }
    /// True when a completed job confirmed the effect.
    public var isDone: Bool { if case .done = self { true } else { false } }
}

/// The intents of one job attempt (DESIGN "The path of one change", step 3): before every
/// create or other side effect whose outcome can be uncertain, a handler records its intent
/// under a deterministic key, and the completing transaction confirms it. The record outlives
/// retries, merges and replays, so any later attempt knows to look before it creates.
///
/// ```swift
/// let start = try await context.intents.begin(key)
/// let made = start.needsLookUp ? try await lookUp() : nil
/// let record = try await made ?? create()
/// writes.append(context.intents.done(key, target: ref(record)))
/// ```
public struct Intents: Sendable {
    let store: any Store
    let claim: JobClaim?
    let scope: String

    /// Intents of `claim`'s job, scoped to its integration (or its connection when it has none).
    public init(store: any Store, claim: JobClaim?) {
        self.store = store
        self.claim = claim
        if let integrationID = claim?.job.integrationID {
            scope = integrationID
        } else {
            scope = "connection:\(claim?.job.connectionID ?? "-")"
        }
    }

    /// Records the intent behind `key` before the vendor call and says what an earlier attempt
    /// left. Throws `StoreError.leaseLost` when this attempt no longer holds its job, so a
    /// worker that lost its lease never reaches the vendor write.
    public func begin(_ key: String) async throws -> IntentStart {
        try await begin(key, aim: nil).start
    }

    /// `begin`, saying first where this attempt will make the effect (`aim`: the issue a
    /// worklog goes on), and answering where earlier attempts said they would: a later attempt
    /// looks there too, not only where the effect would go now.
    public func begin(_ key: String, aim: ExternalRef?) async throws -> (start: IntentStart, earlierAims: [ExternalRef]) {
        guard let previous = try await store.beginIntent(integrationID: scope, key: key, claim: claim, aim: aim?.description, now: Date()) else { return (.first, []) }
        let start: IntentStart = previous.state == .done ? .done(targetRef: previous.targetRef) : .uncertain(targetRef: previous.targetRef)
        return (start, previous.aims.compactMap(ExternalRef.init(parsing:)))
    }

    /// The write, for the completing transaction, that confirms `key` (the effect made `target`).
    public func done(_ key: String, target: ExternalRef? = nil) -> StoreWrite {
        .closeIntent(integrationID: scope, key: key, targetRef: target?.description)
    }
}

extension Intents {
    /// Where the attempts under `key` said they would make the effect, without recording anything.
    public func aims(_ key: String) async throws -> [ExternalRef] {
        try await store.intent(integrationID: scope, key: key)?.aims.compactMap(ExternalRef.init(parsing:)) ?? []
    }

    /// What an earlier attempt left under `key`, without recording anything.
    public func peek(_ key: String) async throws -> IntentStart {
        guard let record = try await store.intent(integrationID: scope, key: key) else { return .first }
        return record.state == .done ? .done(targetRef: record.targetRef) : .uncertain(targetRef: record.targetRef)
    }

    /// Makes a record at most once for `key`: the intent is recorded first; when an earlier
    /// attempt may have made it, `lookUp` runs before `make`. Returns the record and the write
    /// that confirms the intent in the completing transaction.
    public func create<Record>(_ key: String, target: (Record) -> ExternalRef?, lookUp: () async throws -> Record?,
                               make: () async throws -> Record) async throws -> (record: Record, confirm: StoreWrite) {
        let start = try await begin(key)
        if start.needsLookUp, let found = try await lookUp() {
            return (found, done(key, target: target(found)))
        }
        let made = try await make()
        return (made, done(key, target: target(made)))
    }

    /// Causes a side effect (a comment, a status change) at most once for `key`: skipped when a
    /// completed job confirmed it, and when an earlier attempt may have caused it, only if
    /// `happened` does not find it. Returns the write that confirms the intent.
    public func sideEffect(_ key: String, happened: () async throws -> Bool, perform: () async throws -> Void) async throws -> StoreWrite {
        switch try await begin(key) {
        case .done: break
        case .uncertain: if try await !happened() { try await perform() }
        case .first: try await perform()
        }
        return done(key)
    }
}
