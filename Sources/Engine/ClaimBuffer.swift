/// The jobs this process has claimed and not yet started: the pool claims them in batches,
/// one claim statement (one commit) for many jobs, and hands them to its workers one by one.
///
/// Only one claim runs at a time; workers that find the buffer empty while it runs wait for its
/// jobs instead of claiming more. The batch size adapts: it doubles while a batch is used up
/// quickly (short jobs, where claiming is the cost) and halves when one lasts long (slow
/// jobs), and starts small again whenever the queue runs dry, so a process does not sit on
/// work that another process's idle workers could run.
/// Claims are leased from the moment they are taken: the pool hands each to its runner's
/// `LeaseKeeper` as it is claimed (`Claim` is what the pool keeps of it), so a claim that
/// waits here behind slow jobs keeps its lease.
actor ClaimBuffer<Claim: Sendable> {
    /// What a worker gets.
    enum Next: Sendable {
        /// A job to run.
        case job(Claim)
        /// No job is due.
        case empty
        /// This worker waited on a claim that was full but held nothing for it: there may be
        /// more, so it should claim again at once.
        case again
        /// The claim failed.
        case failed(any Error)
    }

    /// The fewest and most jobs one claim asks for.
    let minimumBatch: Int
    let maximumBatch: Int
    /// The size of the next claim.
    private(set) var batch: Int
    private var held: [Claim] = []
    private var nextHeld = 0
    private var claiming = false
    private var waiters: [CheckedContinuation<Next, Never>] = []
    private var lastClaim: ContinuousClock.Instant?

    /// A batch used up faster than this grows; one lasting longer than `slowBatch` shrinks.
    static var quickBatch: Duration { .milliseconds(50) }
    static var slowBatch: Duration { .milliseconds(500) }

    /// Creates a buffer whose claims ask for `minimumBatch`…`maximumBatch` jobs.
    init(minimumBatch: Int, maximumBatch: Int) {
        self.minimumBatch = max(1, minimumBatch)
        self.maximumBatch = max(self.minimumBatch, maximumBatch)
        self.batch = self.minimumBatch
    }

    /// How many claims wait in the buffer.
    var count: Int { held.count - nextHeld }

    /// The next claimed job: from the buffer, or from a claim of up to `batch` jobs made by
    /// `claim` (one at a time: a caller arriving during it waits for its jobs).
    func next(claim: @Sendable (Int) async throws -> [Claim]) async -> Next {
        if let first = pop() { return .job(first) }
        if claiming {
            return await withCheckedContinuation { waiters.append($0) }
        }
        claiming = true
        defer { claiming = false }
        let started = ContinuousClock.now
        adjustBatch(now: started)
        let claims: [Claim]
        let asked = batch
        do {
            claims = try await claim(asked)
        } catch {
            for waiter in takeWaiters() { waiter.resume(returning: .failed(error)) }
            return .failed(error)
        }
        if claims.count < asked {
            // The queue ran dry: the next burst may be of slow jobs, so it starts small again.
            batch = minimumBatch
            lastClaim = nil
        } else {
            lastClaim = started
        }
        held.removeFirst(nextHeld)
        nextHeld = 0
        held += claims
        let mine = pop()
        let more: Next = claims.count < asked ? .empty : .again
        for waiter in takeWaiters() { waiter.resume(returning: pop().map(Next.job) ?? more) }
        return mine.map(Next.job) ?? .empty
    }

    /// Empties the buffer: the claims no worker started, to release at shutdown.
    func drain() -> [Claim] {
        let rest = Array(held[nextHeld...])
        held.removeAll()
        nextHeld = 0
        return rest
    }

    private func pop() -> Claim? {
        guard nextHeld < held.count else { return nil }
        defer { nextHeld += 1 }
        return held[nextHeld]
    }

    private func takeWaiters() -> [CheckedContinuation<Next, Never>] {
        defer { waiters.removeAll() }
        return waiters
    }

    /// Grows the batch when the previous full one was used up quickly, shrinks it when it
    /// lasted long.
    private func adjustBatch(now: ContinuousClock.Instant) {
        guard let lastClaim else { return }
        let lasted = now - lastClaim
        if lasted < Self.quickBatch {
            batch = min(maximumBatch, batch * 2)
        } else if lasted > Self.slowBatch {
            batch = max(minimumBatch, batch / 2)
        }
    }
}
