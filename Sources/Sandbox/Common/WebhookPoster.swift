import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends one webhook delivery as a vendor would: a POST of the body with the vendor's headers.
enum WebhookPoster {
    /// POSTs `body` to `url`; the receiver's status, or nil when it did not answer in `timeout`.
    static func post(_ http: HTTPClient, url: String, body: ByteBuffer, headers: [(String, String)], timeout: Duration = .seconds(10)) async -> Int? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(body)
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(timeout / .milliseconds(1))))
            _ = try? await response.body.collect(upTo: 1 << 16)
            return Int(response.status.code)
        } catch {
            return nil
        }
    }
}

extension WebhookPoster {
    /// Sends one delivery as the fault plan says: recorded as dropped, or posted after the
    /// plan's delay, twice when it duplicates; each answer goes to `log` with `details`.
    static func deliver(plan: FaultPlan, log: WebhookDeliveryLog, details: [String: JSONValue], send: @escaping @Sendable () async -> Int?) {
        guard !plan.dropWebhooks else {
            log.record(.init(status: nil, dropped: true, details: details))
            return
        }
        Task {
            if plan.webhookDelayMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(plan.webhookDelayMilliseconds)) }
            for _ in 0..<(plan.duplicateWebhooks ? 2 : 1) {
                log.record(.init(status: await send(), dropped: false, details: details))
            }
        }
    }
}
