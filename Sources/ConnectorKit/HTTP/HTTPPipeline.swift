import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The one way every vendor client sends a request: credential injection, the vendor's rate
/// limit, retries with backoff that honour `Retry-After`, a single-flight token refresh on 401,
/// per-request timeouts, and a summary of each exchange for the audit trail and metrics.
public final class HTTPPipeline: Sendable {
    let http: HTTPClient
    let credentials: any CredentialSource
    let refresher: RefreshCoordinator
    let limiters: RateLimiterRegistry
    let cache: CredentialCache
    let sleeper: any Sleeper
    let redactor: SecretRedactor
    let logger: Logger

    /// Creates a pipeline over an HTTP client and a credential source.
    public init(
        http: HTTPClient = .shared,
        credentials: any CredentialSource,
        sleeper: any Sleeper = TaskSleeper(),
        redactor: SecretRedactor = .shared,
        logger: Logger = Logger(label: "ml-connector.http")
    ) {
        self.http = http
        self.credentials = credentials
        self.refresher = RefreshCoordinator()
        self.limiters = RateLimiterRegistry()
        self.cache = CredentialCache()
        self.sleeper = sleeper
        self.redactor = redactor
        self.logger = logger
    }

    /// Sends `request` for `connection` and returns a response with a 2xx status (or one the
    /// request passes through).
    ///
    /// - Throws: `ConnectorError`: `unauthorized` after one refresh failed to help,
    ///   `rateLimited` when the vendor's wait is longer than the policy waits in place or the
    ///   retries ran out, `transient` for 5xx and transport failures, and the mapped 4xx cases.
    public func send(_ request: OutboundRequest, connection: Connection, provider: ProviderDescription) async throws -> InboundResponse {
        var generator = SystemRandomNumberGenerator()
        var retries = 0
        var refreshed = false
        var credential = request.authenticated ? try await currentCredential(connection: connection, provider: provider) : nil
        let bucket = await limiters.bucket(for: connection.id, limit: provider.rateLimit)
        let endpoint = Self.endpoint(of: request)
        func notice(status: Int?, wait: Duration) -> RetryNotice {
            RetryNotice(system: provider.system, vendor: provider.displayName, endpoint: endpoint, status: status, retry: retries + 1, maxRetries: provider.retry.maxRetries, wait: wait)
        }

        while true {
            // A cancelled caller (a job that lost its lease, a shutdown) makes no further call.
            try Task.checkCancellation()
            if let current = credential, isExpiring(current.credential), current.credential.canRefresh, !refreshed {
                credential = try await refresh(connection: connection, provider: provider, stale: current)
                refreshed = true
            }
            let slot = await bucket.reserveSlot()
            try await waitForLimiter(slot.wait, provider: provider, endpoint: endpoint)

            let sentAt = ContinuousClock.now
            let outcome = await execute(request, credential: credential?.credential, connection: connection, provider: provider)
            // The vendor counted the request by now at the latest: the bucket's next window may start from here.
            await bucket.settle(slot.ticket, sentAt: sentAt)
            switch outcome {
            case .response(let response) where (200..<300).contains(response.status) || request.passThroughStatuses.contains(response.status):
                return response

            case .response(let response) where response.status == 401 && credential != nil:
                guard !refreshed, let stale = credential else {
                    throw ConnectorError.unauthorized("\(provider.system) refused the credential of connection \(connection.id) after a refresh; connect it again")
                }
                credential = try await refresh(connection: connection, provider: provider, stale: stale)
                refreshed = true

            case .response(let response) where Self.retryableStatuses.contains(response.status):
                let retryAfter = readRetryAfter(response, provider: provider, endpoint: endpoint)
                if response.status == 429 {
                    // A limiter refused the request before doing anything with it, so it is safe
                    // to send again whatever the method; pause the whole connection meanwhile.
                    await bucket.pause(for: retryAfter ?? provider.retry.backoff(retry: retries, using: &generator))
                } else if !request.isSafeToRepeat {
                    throw ConnectorError.transient("\(provider.system) answered \(response.status) to \(request.method) \(redactedURL(request.url)); not repeated because it may have been applied")
                }
                guard retries < provider.retry.maxRetries, (retryAfter ?? .zero) <= provider.retry.maxInlineWait else {
                    if response.status == 429 { throw ConnectorError.rateLimited(retryAfter: retryAfter) }
                    throw ConnectorError.transient("\(provider.system) answered \(response.status) after \(retries + 1) attempts")
                }
                let backoff = provider.retry.backoff(retry: retries, using: &generator)
                try await waitBeforeRetry(notice(status: response.status, wait: max(backoff, retryAfter ?? .zero)), provider: provider, last: "answered \(response.status)")
                retries += 1

            case .response(let response):
                throw mapStatus(response, request: request, provider: provider)

            case .failure(let failure):
                if let final = failure.final { throw final }
                guard failure.neverSent || request.isSafeToRepeat else {
                    throw ConnectorError.transient("\(request.method) \(redactedURL(request.url)) failed after it may have reached \(provider.system) (\(failure.message)); not repeated")
                }
                guard retries < provider.retry.maxRetries else {
                    throw ConnectorError.transient("\(provider.system) unreachable after \(retries + 1) attempts: \(failure.message)")
                }
                try await waitBeforeRetry(notice(status: nil, wait: provider.retry.backoff(retry: retries, using: &generator)), provider: provider, last: failure.message)
                retries += 1
            }
        }
    }

    /// The vendor's `Retry-After`, bounded by the provider's cap; a clamped value is logged,
    /// since a vendor asking for a day's pause is worth an operator's look.
    private func readRetryAfter(_ response: InboundResponse, provider: ProviderDescription, endpoint: String) -> Duration? {
        let header = response.headers.first(name: "Retry-After")
        guard let reading = RetryAfter.read(header, cap: provider.limits.retryAfterCap) else { return nil }
        if reading.clamped {
            logger.warning("Retry-After above the cap; clamped", metadata: [
                "system": "\(provider.system)", "endpoint": "\(endpoint)", "retryAfter": "\(String((header ?? "").prefix(64)))", "cap": "\(provider.limits.retryAfterCap)",
            ])
        }
        return reading.wait
    }

    /// Sends a request that needs no credential and no retry (token endpoint calls), still
    /// recorded for the audit trail.
    public func sendUnauthenticated(_ request: OutboundRequest, connection: Connection, provider: ProviderDescription) async throws -> InboundResponse {
        var request = request
        request.authenticated = false
        let bucket = await limiters.bucket(for: connection.id, limit: provider.rateLimit)
        let slot = await bucket.reserveSlot()
        try await waitForLimiter(slot.wait, provider: provider, endpoint: Self.endpoint(of: request))
        let sentAt = ContinuousClock.now
        let outcome = await execute(request, credential: nil, connection: connection, provider: provider)
        await bucket.settle(slot.ticket, sentAt: sentAt)
        switch outcome {
        case .response(let response) where (200..<300).contains(response.status) || request.passThroughStatuses.contains(response.status):
            return response
        case .response(let response):
            throw mapStatus(response, request: request, provider: provider)
        case .failure(let failure):
            throw failure.final ?? ConnectorError.transient("\(provider.system) token endpoint unreachable: \(failure.message)")
        }
    }

    /// Statuses that mean "not now" rather than "no".
    static let retryableStatuses: Set<Int> = [429, 502, 503, 504]

    private func isExpiring(_ credential: Credential) -> Bool {
        // A client-credentials grant starts with no token: ask for one before the first call.
        if credential.kind == .clientCredentials, credential.accessToken == nil { return true }
        guard let expiresAt = credential.expiresAt else { return false }
        return expiresAt.timeIntervalSinceNow < 30
    }

    private func currentCredential(connection: Connection, provider: ProviderDescription) async throws -> VersionedCredential {
        if let cached = await cache.credential(for: connection.id) { return cached }
        let loaded = try await credentials.credential(for: connection.id)
        redactor.register(loaded.credential)
        await cache.store(loaded, for: connection.id)
        return loaded
    }

    /// Renews the token once for every caller that found `stale` wanting; a credential that
    /// cannot be refreshed is re-read in case the operator replaced it.
    private func refresh(connection: Connection, provider: ProviderDescription, stale: VersionedCredential) async throws -> VersionedCredential {
        let fresh: VersionedCredential
        if stale.credential.canRefresh, let endpoint = provider.tokenEndpoint {
            let tokenURL = try connection.baseURL(endpoint.baseURLRole, provider: provider) + endpoint.path
            let client = OAuth2TokenClient(endpoint: endpoint, tokenURL: tokenURL)
            fresh = try await refresher.refresh(connectionID: connection.id, staleVersion: stale.version, source: credentials) { [self] locked in
                let response = try await sendUnauthenticated(try client.refreshRequest(for: locked), connection: connection, provider: provider)
                let renewed = try client.credential(from: response, previous: locked)
                redactor.register(renewed)
                return renewed
            }
        } else {
            fresh = try await credentials.credential(for: connection.id)
            guard fresh.version > stale.version else {
                throw ConnectorError.unauthorized("\(provider.system) refused the credential of connection \(connection.id) and it cannot be refreshed; connect it again")
            }
        }
        redactor.register(fresh.credential)
        await cache.store(fresh, for: connection.id)
        return fresh
    }

    /// The connection's stored credential, for a vendor whose sign-in is a call of its own (a
    /// session login that exchanges a user name and password for cookies).
    public func sessionCredential(connection: Connection, provider: ProviderDescription) async throws -> Credential {
        try await currentCredential(connection: connection, provider: provider).credential
    }

    /// The OAuth app's client secret a connection was made with, for a vendor that signs its
    /// webhook deliveries with it (Jira's dynamic webhooks carry a JWT signed so, digest 3.7).
    public func oauthClientSecret(connection: Connection, provider: ProviderDescription) async throws -> String? {
        try await currentCredential(connection: connection, provider: provider).credential.clientSecret
    }

    /// Forgets the cached credential of a connection (after it was replaced or removed).
    public func invalidate(connectionID: String) async {
        await cache.remove(connectionID)
        await refresher.forget(connectionID: connectionID)
    }
}

/// The last credential read per connection, so a request does not cost a store read.
actor CredentialCache {
    private var entries: [String: VersionedCredential] = [:]

    func credential(for connectionID: String) -> VersionedCredential? { entries[connectionID] }

    func store(_ credential: VersionedCredential, for connectionID: String) {
        if (entries[connectionID]?.version ?? Int64.min) <= credential.version {
            entries[connectionID] = credential
        }
    }

    func remove(_ connectionID: String) { entries[connectionID] = nil }
}
