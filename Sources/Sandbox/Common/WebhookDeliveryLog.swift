import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The webhook deliveries a sandbox sent or dropped, for tests, the demo and `/_sandbox/stats`.
final class WebhookDeliveryLog: Sendable {
    /// One delivery attempt.
    struct Delivery: Sendable {
        /// The receiver's status, or nil when it did not answer or the delivery was dropped.
        var status: Int?
        /// True when the fault plan dropped it.
        var dropped: Bool
        /// What the vendor says about it (event name, object, webhook…), shown as is.
        var details: [String: JSONValue]
    }

    private let entries = NIOLockedValueBox<[Delivery]>([])

    /// Keeps a delivery.
    func record(_ delivery: Delivery) {
        entries.withLockedValue { $0.append(delivery) }
    }

    /// Every delivery so far, oldest first.
    var all: [Delivery] { entries.withLockedValue { $0 } }

    /// Each delivery as `/_sandbox/stats` shows it: its details plus `status` and `dropped`.
    var json: JSONValue {
        .array(all.map { delivery in
            var fields = delivery.details
            fields["status"] = delivery.status.map { .int($0) } ?? .null
            fields["dropped"] = .bool(delivery.dropped)
            return .object(fields)
        })
    }
}

extension WebhookDeliveryLog {
    /// POSTs one delivery and records it with the receiver's status (nil: no answer).
    func post(_ body: Data, to url: String, headers: [(String, String)], details: [String: JSONValue], http: HTTPClient) async -> Int? {
        let status = await WebhookPoster.post(http, url: url, body: ByteBuffer(data: body), headers: headers)
        record(.init(status: status, dropped: false, details: details))
        return status
    }
}
