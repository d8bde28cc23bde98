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

    /// A send that got no response.
    struct TransportFailure: Error {
        /// True when the request cannot have reached the server (no connection was made).
        var neverSent: Bool
        var message: String
    }

    /// Sends once, with the credential attached, and records the exchange.
    func execute(_ request: OutboundRequest, credential: Credential?, connection: Connection, provider: ProviderDescription) async -> Outcome {
        var outgoing = HTTPClientRequest(url: request.url)
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

        let timeout = request.timeout ?? provider.requestTimeout
        let started = ContinuousClock.now
        do {
            let response = try await http.execute(outgoing, timeout: .milliseconds(Backoff.milliseconds(timeout)))
            let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
            let inbound = InboundResponse(status: Int(response.status.code), headers: response.headers, body: body)
            record(request, provider: provider, status: inbound.status, started: started,
                   requestID: provider.requestIDHeader.flatMap { response.headers.first(name: $0) },
                   note: inbound.status >= 400 ? excerpt(inbound.text) : nil)
            return .response(inbound)
        } catch {
            let failure = classify(error)
            record(request, provider: provider, status: nil, started: started, requestID: nil, note: failure.message)
            return .failure(failure)
        }
    }

    func applyAuth(_ credential: Credential, scheme: AuthScheme, to headers: inout HTTPHeaders) {
        switch scheme {
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
        let detail = excerpt(response.text)
        switch response.status {
        case 400, 422: return .validation(field: "request", message: "\(what): \(detail)")
        case 401: return .unauthorized("\(what): \(detail)")
        case 403: return .permanent("\(what) (forbidden; check the connection's scopes and permissions): \(detail)")
        case 404, 410: return .notFound("\(what): \(detail)")
        case 409, 412: return .conflict("\(what): \(detail)")
        case 429: return .rateLimited(retryAfter: RetryAfter.parse(response.headers.first(name: "Retry-After")))
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

    private func excerpt(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
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
