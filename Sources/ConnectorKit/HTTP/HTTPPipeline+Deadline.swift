import AsyncHTTPClient
import Foundation
import NIOCore

extension HTTPPipeline {
    /// Thrown inside an attempt that outlived its time: the attempt's own race, so that a
    /// vendor that sends headers and then nothing is cut off too (AsyncHTTPClient's deadline
    /// stops at the response head).
    struct AttemptTimedOut: Error {}

    /// The request's method and path, without host or query (the query may carry secrets).
    static func endpoint(of request: OutboundRequest) -> String {
        let path = URLComponents(string: request.url)?.path ?? ""
        return "\(request.method.rawValue) \(path.isEmpty ? "/" : String(path.prefix(200)))"
    }

    /// The error for a request that could not finish before the caller's deadline.
    static func deadlineError(_ provider: ProviderDescription, endpoint: String, last: String?) -> ConnectorError {
        let tail = last.map { " (last: \($0))" } ?? ""
        return .transient("\(provider.displayName) \(endpoint) did not finish within the overall timeout of \((RequestScope.timeout ?? .zero).roundedUpSeconds) s\(tail); try again later or allow a longer timeout")
    }

    /// How long the next attempt may take: the request's timeout, cut to the time left before
    /// the deadline (and whether the deadline was the shorter).
    static func attemptTimeout(_ request: OutboundRequest, provider: ProviderDescription) -> (timeout: Duration, byDeadline: Bool) {
        let own = request.timeout ?? provider.requestTimeout
        guard let remaining = RequestScope.remaining else { return (own, false) }
        return remaining < own ? (max(.zero, remaining), true) : (own, false)
    }

    /// Waits before a retry, after telling the observer; refuses a wait that would pass the
    /// deadline rather than sleeping into it.
    func waitBeforeRetry(_ notice: RetryNotice, provider: ProviderDescription, last: String) async throws {
        if let remaining = RequestScope.remaining, notice.wait >= remaining {
            throw Self.deadlineError(provider, endpoint: notice.endpoint, last: "\(last); the next retry was due in \(notice.wait.roundedUpSeconds) s")
        }
        RequestScope.retryObserver?(notice)
        try await sleeper.sleep(for: notice.wait)
    }

    /// Waits for the rate limiter, unless that wait would pass the deadline.
    func waitForLimiter(_ wait: Duration, provider: ProviderDescription, endpoint: String) async throws {
        if let remaining = RequestScope.remaining, wait >= remaining {
            throw Self.deadlineError(provider, endpoint: endpoint, last: "the connection is paused by the vendor's rate limit")
        }
        try await sleeper.sleep(for: wait)
    }
}
