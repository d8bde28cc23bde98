/// Wakes idle workers when work was enqueued in this process, so a webhook is acted on at
/// once rather than at the next poll of the queue.
///
/// A waiter's timeout wakes that waiter only, and a wait that ended early leaves no timer
/// behind that rings later: either would wake every idle worker for nothing, and each wake is
/// a claim query holding the store (with several workers they woke each other without end).
actor Doorbell {
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    private var rung = false

    /// How many wait now (for tests).
    var waiting: Int { waiters.count }

    /// Wakes every waiting worker (or the next one to wait).
    func ring() {
        rung = true
        let current = waiters.values
        waiters.removeAll()
        for waiter in current { waiter.resume() }
    }

    /// Waits until rung or `timeout` passed.
    func wait(timeout: Duration) async {
        if rung {
            rung = false
            return
        }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            // Cancelled: the wait already ended, so nothing is owed to anyone.
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            await self?.timeUp(id)
        }
        await withCheckedContinuation { waiters[id] = $0 }
        rung = false
        timer.cancel()
    }

    /// `id`'s time is up: wakes it, if it still waits.
    private func timeUp(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
