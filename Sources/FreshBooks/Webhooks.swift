import ConnectorKit
import Crypto
import Foundation
import NIOHTTP1

/// FreshBooks webhooks ("callbacks", digest A7): the verification POST, the signature check
/// over the form fields re-serialised as Python's `json.dumps` does, and events from the
/// id-only payload.
public struct FreshBooksWebhookVerifier: WebhookVerifier {
    public let system = SystemKind.freshbooks

    /// Creates the verifier.
    public init() {}

    /// The most form fields a delivery may carry: FreshBooks sends seven (digest A7), and every
    /// field is re-serialised before the signature can be checked.
    static let mostFields = 32
    /// The longest `object_id` accepted: FreshBooks ids are integers.
    static let longestObjectID = 64

    public func verify(_ delivery: WebhookDelivery, subscription: WebhookSubscriptionContext) throws -> WebhookVerdict {
        let fieldCount = delivery.body.readableBytesView.reduce(1) { $1 == UInt8(ascii: "&") ? $0 + 1 : $0 }
        guard fieldCount <= Self.mostFields else { return .rejected(reason: "a FreshBooks delivery has a handful of form fields, not \(fieldCount)") }
        let body = String(buffer: delivery.body)
        let pairs = FreshBooksSignature.formPairs(body)
        let fields = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        if fields["name"] == "callback.verify" || (fields["verifier"] != nil && fields["name"] == nil) {
            guard let verifier = fields["verifier"], !verifier.isEmpty else { return .rejected(reason: "verification POST without a verifier") }
            // FreshBooks: the verifier is sent back with PUT …/callbacks/<id> (digest A7 step 2).
            return .handshake(status: 200, headers: HTTPHeaders(), body: "", secret: verifier, confirmWithVendor: true)
        }
        guard let secret = subscription.secret else { return .rejected(reason: "the callback has no verifier yet; deliveries are refused until it is confirmed") }
        let header = FreshBooksProvider.signatureHeader
        guard let presented = delivery.headers.first(name: header) else { return .rejected(reason: "missing \(header) header") }
        guard FreshBooksSignature.verify(pairs: pairs, presented: presented, verifier: secret) else {
            return .rejected(reason: "\(header) does not match the delivery")
        }
        guard let name = fields["name"], let objectID = fields["object_id"], !objectID.isEmpty else {
            throw ConnectorError.validation(field: "name/object_id", message: "a signed FreshBooks delivery must carry name and object_id")
        }
        guard objectID.utf8.count <= Self.longestObjectID else {
            throw ConnectorError.validation(field: "object_id", message: "a FreshBooks object_id is an id, not \(objectID.utf8.count) bytes")
        }
        let parts = name.split(separator: ".", maxSplits: 1)
        let noun = String(parts.first ?? "")
        let verb = parts.count > 1 ? String(parts[1]) : ""
        let action: ChangeEvent.Action = switch verb {
        case "create": .created
        case "delete": .deleted
        case "update", "sendByEmail": .updated
        default: .other
        }
        // FreshBooks sends no event id: the same body inside one minute is one delivery repeated.
        let minute = Int(delivery.receivedAt.timeIntervalSince1970 / 60)
        let eventID = "fb:" + Signature.sha256Hex("\(body)|\(minute)")
        return .accepted([ChangeEvent(eventID: eventID, ref: ExternalRef(.freshbooks, noun, objectID), action: action,
                                      occurredAt: delivery.receivedAt, connectionID: subscription.connectionID, accountRef: Self.accountRef(fields), vendorEvent: name)])
    }

    /// What an event's `accountRef` says: the `account_id` (accounting events), or, when a
    /// delivery names only its business (projects and time, digest A7), `business:<business_id>`.
    static func accountRef(_ fields: [String: String]) -> String? {
        if let account = fields["account_id"], !account.isEmpty { return account }
        if let business = fields["business_id"], !business.isEmpty { return businessPrefix + business }
        return nil
    }

    static let businessPrefix = "business:"
}

extension FreshBooksWebhookVerifier: WebhookAccountMatching {
    /// An `account_id` is the connection's account; `business:<id>` its `business_id` setting.
    public func connection(_ connection: Connection, hasAccount account: String) -> Bool {
        guard account.hasPrefix(Self.businessPrefix) else { return connection.accountRef == account }
        return connection[setting: .businessID] == String(account.dropFirst(Self.businessPrefix.count))
    }
}

/// The FreshBooks signature: base64(HMAC-SHA256(verifier, `json.dumps(form)`)) (digest A7).
public enum FreshBooksSignature {
    /// Form fields in wire order, percent-decoded, `+` as space.
    public static func formPairs(_ body: String) -> [(String, String)] {
        body.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The message FreshBooks signs: Python `json.dumps` of the fields as strings, in order.
    public static func message(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(pythonString($0.0)): \(pythonString($0.1))" }.joined(separator: ", ") + "}"
    }

    /// The signature of `pairs` under `verifier`.
    public static func sign(_ pairs: [(String, String)], verifier: String) -> String {
        Signature.hmacSHA256(Data(message(pairs).utf8), secret: verifier).base64EncodedString()
    }

    /// Checks a presented signature in constant time.
    public static func verify(pairs: [(String, String)], presented: String, verifier: String) -> Bool {
        Signature.constantTimeEquals(Array(sign(pairs, verifier: verifier).utf8), Array(presented.trimmingCharacters(in: .whitespaces).utf8))
    }

    /// A JSON string as Python writes it with `ensure_ascii=True`.
    static func pythonString(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(unit)!)
            default: out += String(format: "\\u%04x", unit)
            }
        }
        return out + "\""
    }
}

extension FreshBooksClient {
    /// Callbacks registered for this account.
    public func callbacks() throws -> Paged<Callback> {
        accountingPages("/events/account/\(try accountID())/events/callbacks")
    }

    /// Registers a callback; FreshBooks then POSTs a verifier to `uri`.
    public func createCallback(event: String, uri: String) async throws -> Callback {
        try await send(.POST, "/events/account/\(try accountID())/events/callbacks", body: ["callback": ["event": event, "uri": uri]], as: ResultEnvelope<Named<Callback>>.self).response.result.value
    }

    /// Confirms a callback with the verifier FreshBooks sent.
    public func verifyCallback(id: Int, verifier: String) async throws -> Callback {
        try await send(.PUT, "/events/account/\(try accountID())/events/callbacks/\(id)", body: ["callback": ["verifier": verifier]], as: ResultEnvelope<Named<Callback>>.self).response.result.value
    }

    /// Asks FreshBooks to send a new verifier.
    public func resendCallbackVerification(id: Int) async throws -> Callback {
        try await send(.PUT, "/events/account/\(try accountID())/events/callbacks/\(id)", body: ["callback": ["resend": true]], as: ResultEnvelope<Named<Callback>>.self).response.result.value
    }

    /// Removes a callback.
    public func deleteCallback(id: Int) async throws {
        _ = try await raw(.DELETE, "/events/account/\(try accountID())/events/callbacks/\(id)")
    }
}

/// FreshBooks callbacks as the shared upkeep drives them (digest A7, D2 step 5): the event name
/// is what a subscription watches, and a verifier is confirmed with a PUT.
struct FreshBooksCallbackAPI: WebhookSubscriptionAPI {
    let client: FreshBooksClient

    func list() async throws -> [VendorSubscription] {
        try await client.callbacks().collect().map(Self.subscription)
    }

    func create(_ wanted: WantedSubscription, target: String) async throws -> VendorSubscription {
        Self.subscription(try await client.createCallback(event: wanted.resource, uri: target))
    }

    func confirm(id: String, secret: String) async throws -> Bool {
        try await client.verifyCallback(id: try Self.callbackID(id), verifier: secret).verified
    }

    func resendVerification(id: String) async throws {
        _ = try await client.resendCallbackVerification(id: try Self.callbackID(id))
    }

    func delete(id: String) async throws {
        try await client.deleteCallback(id: try Self.callbackID(id))
    }

    static func subscription(_ callback: Callback) -> VendorSubscription {
        VendorSubscription(id: "\(callback.callbackid)", resource: callback.event, target: callback.uri, verified: callback.verified)
    }

    static func callbackID(_ id: String) throws -> Int {
        guard let number = Int(id) else { throw ConnectorError.permanent("FreshBooks callback id '\(id)' is not a number") }
        return number
    }
}
