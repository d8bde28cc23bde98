import AsyncHTTPClient
import Foundation
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix

extension HTTPPipeline {
    /// What one send produced.
    enum Outcome {
        case response(InboundResponse)
        case failure(TransportFailure)
    }

    /// A send that got no usable response.
    struct TransportFailure: Error {
        /// True when the request cannot have reached the server (no connection was made).
        var neverSent: Bool
        var message: String
        /// Set when trying again cannot help (a redirect loop, an oversize body, the deadline).
        var final: ConnectorError? = nil
    }

    /// Sends once, with the credential attached, and records the exchange.
    func execute(_ request: OutboundRequest, credential: Credential?, connection: Connection, provider: ProviderDescription) async -> Outcome {
        var outgoing = HTTPClientRequest(url: Self.url(of: request, provider: provider))
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let credential, request.authenticated {
            applyAuth(credential, scheme: provider.authScheme, to: &outgoing.headers)
        }
        if let key = request.idempotencyKey, let header = provider.idempotencyHeader {
            outgoing.headers.replaceOrAdd(name: header, value: key)
        }
        if outgoing.headers["User-Agent"].isEmpty {
            outgoing.headers.add(name: "User-Agent", value: "ml-connector/1.0")
        }
        if let body = request.body { outgoing.body = .bytes(body) }

        let (timeout, byDeadline) = Self.attemptTimeout(request, provider: provider)
        let endpoint = Self.endpoint(of: request)
        let limit = provider.limits.maxResponseBytes
        let started = ContinuousClock.now
        do {
            guard timeout > .zero else { throw AttemptTimedOut() }
            let http = http
            let outgoing = outgoing
            // AsyncHTTPClient's own deadline ends the wait for the head (and says why a connection
            // failed); the race, a moment later, ends a body that trickles or never finishes.
            let answer = try await withTimeLimit(timeout + .milliseconds(250)) {
                let response = try await http.execute(outgoing, timeout: .milliseconds(Backoff.milliseconds(timeout)))
                // Streamed: reading stops at the limit, so an oversize answer never sits in memory whole.
                let body = try await response.body.collect(upTo: limit)
                let requestID = provider.requestIDHeader.flatMap { response.headers.first(name: $0) }
                return (InboundResponse(status: Int(response.status.code), headers: response.headers, body: body, endpoint: endpoint), requestID)
            }
            guard let (inbound, requestID) = answer else { throw AttemptTimedOut() }
            record(request, provider: provider, status: inbound.status, started: started, requestID: requestID,
                   note: inbound.status >= 400 ? excerpt(inbound) : nil)
            return .response(inbound)
        } catch {
            var failure = classify(error)
            if error is AttemptTimedOut || (error as? HTTPClientError) == .deadlineExceeded {
                failure.message = "no answer within \(timeout.roundedUpSeconds) s"
                if byDeadline { failure.final = Self.deadlineError(provider, endpoint: endpoint, last: failure.message) }
            } else if error is NIOTooManyBytesError {
                failure.final = .permanent("\(provider.displayName) \(endpoint) answered with more than \(limit / (1024 * 1024)) MB (\(limit) bytes), the provider's response limit; ask for a smaller page")
            } else if let clientError = error as? HTTPClientError, clientError == .redirectCycleDetected || clientError == .redirectLimitReached {
                failure.final = .permanent("\(provider.displayName) \(endpoint) redirected in a loop or too many times; check the connection's base URL")
            }
            record(request, provider: provider, status: nil, started: started, requestID: nil, note: failure.message)
            return .failure(failure)
        }
    }

    /// The request's URL, with the idempotency key appended for vendors that take it as a query
    /// parameter (QuickBooks `requestid`).
    static func url(of request: OutboundRequest, provider: ProviderDescription) -> String {
        guard let key = request.idempotencyKey, let parameter = provider.idempotencyQueryParameter else { return request.url }
        return request.url + (request.url.contains("?") ? "&" : "?") + FormEncoding.escape(parameter) + "=" + FormEncoding.escape(key)
    }

    func applyAuth(_ credential: Credential, scheme: AuthScheme, to headers: inout HTTPHeaders) {
        // A user-and-secret credential goes as Basic whatever the provider's usual scheme: a vendor
        // taking both an OAuth token and an API token with an email (Jira) has one provider.
        switch credential.kind == .basic ? .basic : scheme {
        case .bearer:
            if let token = credential.accessToken { headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
        case .basic:
            let user = credential.username ?? ""
            let secret = credential.password ?? credential.accessToken ?? ""
            let encoded = Data("\(user):\(secret)".utf8).base64EncodedString()
            headers.replaceOrAdd(name: "Authorization", value: "Basic \(encoded)")
        case .header(let name):
            if let token = credential.accessToken { headers.replaceOrAdd(name: name, value: token) }
        }
    }

    /// Maps a final non-2xx answer to the error a caller can act on.
    func mapStatus(_ response: InboundResponse, request: OutboundRequest, provider: ProviderDescription) -> ConnectorError {
        let what = "\(provider.system) \(request.method) \(redactedURL(request.url)) → \(response.status)"
        let detail = excerpt(response)
        switch response.status {
        case 400, 422: return .validation(field: "request", message: "\(what): \(detail)")
        case 401: return .unauthorized("\(what): \(detail)")
        case 403: return .permanent("\(what) (forbidden; check the connection's scopes and permissions): \(detail)")
        case 404, 410: return .notFound("\(what): \(detail)")
        case 409, 412: return .conflict("\(what): \(detail)")
        case 429: return .rateLimited(retryAfter: RetryAfter.parse(response.headers.first(name: "Retry-After"), cap: provider.limits.retryAfterCap))
        case 500...599: return .transient("\(what): \(detail)")
        default: return .permanent("\(what): \(detail)")
        }
    }

    /// The URL with secret-looking query values masked.
    func redactedURL(_ url: String) -> String {
        redactor.redact(url)
    }

    private func record(_ request: OutboundRequest, provider: ProviderDescription, status: Int?, started: ContinuousClock.Instant, requestID: String?, note: String?) {
        let elapsed = ContinuousClock.now - started
        let summary = ExchangeSummary(
            system: provider.system.rawValue,
            method: request.method.rawValue,
            url: redactedURL(request.url),
            status: status,
            durationMs: Int(Backoff.milliseconds(elapsed)),
            vendorRequestID: requestID,
            note: note
        )
        ExchangeRecorder.current?.record(summary)
        Counter(label: "mlc_outbound_requests_total", dimensions: [("system", provider.system.rawValue), ("status", status.map(String.init) ?? "error")]).increment()
        Timer(label: "mlc_outbound_request_duration_seconds", dimensions: [("system", provider.system.rawValue)], preferredDisplayUnit: .seconds).recordNanoseconds(Backoff.milliseconds(elapsed) * 1_000_000)
    }

    /// A short, redacted excerpt of an error answer: a vendor's JSON or text message helps the
    /// user fix the request; an HTML page or binary body is only described, never quoted.
    private func excerpt(_ response: InboundResponse) -> String {
        let type = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
        guard type.isEmpty || type.contains("json") || type.hasPrefix("text/plain") else {
            return "(a \(type.split(separator: ";").first.map(String.init) ?? type) answer of \(response.body.readableBytes) bytes)"
        }
        let head = String(decoding: response.body.readableBytesView.prefix(2048), as: UTF8.self)
        let trimmed = head.trimmingCharacters(in: .whitespacesAndNewlines)
        return redactor.redact(trimmed.count > 400 ? String(trimmed.prefix(400)) + "…" : trimmed)
    }

    private func classify(_ error: any Error) -> TransportFailure {
        let text = redactor.redact(String(describing: error))
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout, .socksHandshakeTimeout, .tlsHandshakeTimeout:
                return TransportFailure(neverSent: true, message: text)
            default:
                return TransportFailure(neverSent: false, message: text)
            }
        }
        if error is NIOConnectionError { return TransportFailure(neverSent: true, message: text) }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return TransportFailure(neverSent: true, message: text)
        }
        if let ioError = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(ioError.errnoCode) {
            return TransportFailure(neverSent: true, message: text)
        }
        return TransportFailure(neverSent: false, message: text)
    }
}
