import Crypto
import Foundation

/// HMAC signatures as vendors compute them, compared in constant time.
public enum Signature {
    /// HMAC-SHA256 of `body` under `secret`.
    public static func hmacSHA256(_ body: some DataProtocol, secret: String) -> Data {
        let key = SymmetricKey(data: Data(secret.utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: body, using: key))
    }

    /// Lower-case hex of bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two byte strings without leaking where they differ.
    public static func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }

    /// True when `presented` (hex, any case) is the HMAC-SHA256 of `body` under `secret`.
    public static func verifyHexHMACSHA256(presented: String, body: some DataProtocol, secret: String) -> Bool {
        let expected = hex(hmacSHA256(body, secret: secret))
        return constantTimeEquals(Array(expected.utf8), Array(presented.lowercased().utf8))
    }

    /// True when `presented` (base64) is the HMAC-SHA256 of `body` under `secret`.
    public static func verifyBase64HMACSHA256(presented: String, body: some DataProtocol, secret: String) -> Bool {
        let expected = hmacSHA256(body, secret: secret).base64EncodedString()
        return constantTimeEquals(Array(expected.utf8), Array(presented.utf8))
    }

    /// SHA-256 of text, hex: content hashes for links and de-duplication keys.
    public static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }
}
