/// Wakes idle workers when work was enqueued in this process, so a webhook is acted on at
/// once rather than at the next poll of the queue.
actor Doorbell {
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var rung = false

    /// Wakes every waiting worker (or the next one to wait).
    func ring() {
        rung = true
        let current = waiters
        waiters.removeAll()
        for waiter in current { waiter.resume() }
    }

    /// Waits until rung or `timeout` passed.
    func wait(timeout: Duration) async {
        if rung {
            rung = false
            return
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.ring()
        }
        await withCheckedContinuation { waiters.append($0) }
        rung = false
        timer.cancel()
    }
}
