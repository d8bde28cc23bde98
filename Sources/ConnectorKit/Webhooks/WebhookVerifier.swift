import Foundation
import NIOCore
import NIOHTTP1

/// A webhook delivery as it arrived, before anything reads its body.
public struct WebhookDelivery: Sendable {
    /// The system named in the path.
    public var system: SystemKind
    /// The subscription id named in the path.
    public var subscriptionID: String
    /// Request headers.
    public var headers: HTTPHeaders
    /// The raw body, byte for byte as received: signatures are computed over it.
    public var body: ByteBuffer
    /// The query string, if any.
    public var query: String?
    /// When it arrived (for vendors whose deliveries carry no event id).
    public var receivedAt: Date

    /// Creates a delivery.
    public init(system: SystemKind, subscriptionID: String, headers: HTTPHeaders, body: ByteBuffer, query: String? = nil, receivedAt: Date = Date()) {
        self.system = system
        self.subscriptionID = subscriptionID
        self.headers = headers
        self.body = body
        self.query = query
        self.receivedAt = receivedAt
    }
}

/// What the ingress knows of the subscription a delivery claims to be for.
public struct WebhookSubscriptionContext: Sendable {
    /// The subscription id.
    public var id: String
    /// The connection it was made for, when it serves one.
    public var connectionID: String?
    /// The shared secret, decrypted, when the subscription has one yet.
    public var secret: String?

    /// Creates a context.
    public init(id: String, connectionID: String?, secret: String?) {
        self.id = id
        self.connectionID = connectionID
        self.secret = secret
    }
}

/// What a verifier decided about a delivery.
public enum WebhookVerdict: Sendable {
    /// Signature good: these changes happened.
    case accepted([ChangeEvent])
    /// A set-up step (Asana's X-Hook-Secret handshake, a FreshBooks verifier): answer with this
    /// response and, when `secret` is set, store it as the subscription's secret. Accepted only
    /// while the subscription is pending, so a forged handshake cannot replace a live secret.
    /// When `confirmWithVendor` is true the vendor wants the secret sent back in a separate call
    /// (FreshBooks), which the `<system>.webhook-confirm` job makes.
    case handshake(status: Int, headers: HTTPHeaders, body: String, secret: String?, confirmWithVendor: Bool)
    /// Signature missing or wrong: answered 401, recorded, never enqueued.
    case rejected(reason: String)
}

/// Checks one system's webhook signatures over the raw body *before* anything parses it, then
/// turns the body into change events.
public protocol WebhookVerifier: Sendable {
    /// The system whose deliveries this verifies.
    var system: SystemKind { get }

    /// Decides on one delivery.
    func verify(_ delivery: WebhookDelivery, subscription: WebhookSubscriptionContext) throws -> WebhookVerdict
}
