import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

extension FreshBooksSandbox {
    /// POSTs the verification form to a new callback's URI (`name=callback.verify`, the
    /// callback id as `object_id`, and the `verifier`), unsigned: the receiver has no secret yet.
    func sendVerifier(_ callback: FreshBooksWorld.Callback) {
        let account = accountID
        let pairs = [("name", "callback.verify"), ("object_id", "\(callback.id)"), ("verifier", callback.verifier), ("account_id", account)]
        let delay = faultGate.plan.webhookDelayMilliseconds
        Task { [http] in
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
            _ = await Self.post(http, uri: callback.uri, body: SandboxHTTP.formEncode(pairs), signature: nil)
        }
    }

    /// Delivers `event` about `objectID` to every verified callback for it, after the configured
    /// delay, signed as FreshBooks signs (api digest A7); drops or duplicates on demand.
    func fire(_ event: String, objectID: Int, account: String? = nil, business: Int? = nil) {
        let faults = faultGate.plan
        let (targets, ownBusiness, ownAccount, identity) = world.withLockedValue { world in
            (world.callbacks.values.filter { $0.verified && $0.event == event }, world.primary.id, world.primary.accountID, world.identityID)
        }
        guard !targets.isEmpty else { return }
        let (account, business) = (account ?? ownAccount, business ?? ownBusiness)
        let pairs = [("name", event), ("object_id", "\(objectID)"), ("account_id", account), ("business_id", "\(business)"), ("identity_id", "\(identity)"), ("user_id", "1")]
        let body = SandboxHTTP.formEncode(pairs)
        for callback in targets {
            let signature = Self.sign(pairs, verifier: callback.verifier)
            WebhookPoster.deliver(plan: faults, log: deliveryLog, details: Self.deliveryDetails(event: event, objectID: objectID, uri: callback.uri)) { [http] in
                await Self.post(http, uri: callback.uri, body: body, signature: signature)
            }
        }
    }

    /// Delivers `event` on this business's callbacks but naming another business, signed as
    /// usual (a callback URI shared by several accounts, or a business the receiver never
    /// connected): the receiver must route it by `account_id`, not by the callback.
    public func fireForeign(_ event: String, objectID: Int, accountID: String, businessID: Int) {
        fire(event, objectID: objectID, account: accountID, business: businessID)
    }

    /// What the delivery log shows about a FreshBooks delivery.
    static func deliveryDetails(event: String, objectID: Int, uri: String) -> [String: JSONValue] {
        ["event": .string(event), "objectID": .string("\(objectID)"), "uri": .string(uri)]
    }

    /// base64(HMAC-SHA256(verifier, Python `json.dumps` of the form fields as strings)).
    static func sign(_ pairs: [(String, String)], verifier: String) -> String {
        let message = PythonJSON.dumps(pairs)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(verifier.utf8)))
        return Data(mac).base64EncodedString()
    }

    static func post(_ http: HTTPClient, uri: String, body: String, signature: String?) async -> Int? {
        var headers = [("Content-Type", "application/x-www-form-urlencoded"), ("User-Agent", "FreshBooks Webhooks (sandbox)")]
        if let signature { headers.append(("X-FreshBooks-Hmac-SHA256", signature)) }
        return await WebhookPoster.post(http, url: uri, body: ByteBuffer(string: body), headers: headers)
    }
}

/// Python's `json.dumps` with default settings, for a flat object of strings: `", "` and `": "`
/// separators, `ensure_ascii` (non-ASCII as `\uXXXX`, UTF-16 pairs beyond the BMP), `/` as is.
enum PythonJSON {
    static func dumps(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(quote($0.0)): \(quote($0.1))" }.joined(separator: ", ") + "}"
    }

    static func quote(_ text: String) -> String {
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
            case 0x20..<0x7F: out += String(UnicodeScalar(UInt8(unit)))
            default: out += String(format: "\\u%04x", unit)
            }
        }
        return out + "\""
    }
}
