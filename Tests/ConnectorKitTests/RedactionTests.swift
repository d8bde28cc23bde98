@testable import ConnectorKit
import Foundation
import Logging
import TestSupport
import Testing

@Suite struct RedactionTests {
    @Test func registeredSecretsAreMaskedAnywhere() {
        let redactor = SecretRedactor()
        redactor.register(Credential(kind: .oauth2, accessToken: "at-1234567890", refreshToken: "rt-abcdefghij", clientSecret: "cs-secretvalue"))
        let text = redactor.redact("failed with at-1234567890 then rt-abcdefghij; client cs-secretvalue")
        #expect(!text.contains("at-1234567890"))
        #expect(!text.contains("rt-abcdefghij"))
        #expect(!text.contains("cs-secretvalue"))
        #expect(text.contains("failed with"))
    }

    @Test func secretShapesAreMaskedUnregistered() {
        let redactor = SecretRedactor()
        let cases = [
            #"{"access_token": "zzzzzzzz", "name": "ok"}"#,
            "grant_type=refresh_token&refresh_token=yyyyyyyyy&client_secret=xxxxxxxx",
            "Authorization: Bearer qqqqqqqqqqqq",
            "https://api.example.com/x?code=ccccccccc&state=s",
            "X-Hook-Secret: hhhhhhhhhhhh",
        ]
        for text in cases {
            let redacted = redactor.redact(text)
            for secret in ["zzzzzzzz", "yyyyyyyyy", "xxxxxxxx", "qqqqqqqqqqqq", "ccccccccc", "hhhhhhhhhhhh"] {
                #expect(!redacted.contains(secret), "\(redacted)")
            }
        }
        #expect(redactor.redact(#"{"access_token": "zzzzzzzz", "name": "ok"}"#).contains(#""name": "ok""#))
    }

    @Test func ordinaryTextIsLeftReadable() {
        let redactor = SecretRedactor()
        let text = "Error Domain=NSCocoaErrorDomain Code=4 \"missing\" at /tmp/file"
        #expect(redactor.redact(text) == text)
    }

    @Test func credentialDescriptionsShowNoSecret() {
        let credential = Credential(kind: .oauth2, accessToken: "at-visible-no", refreshToken: "rt-visible-no", clientSecret: "cs-visible-no")
        for text in ["\(credential)", String(reflecting: credential), String(describing: credential)] {
            #expect(!text.contains("visible-no"))
        }
        var dumped = ""
        dump(credential, to: &dumped)
        #expect(!dumped.contains("visible-no"))
    }

    @Test func logHandlerRedactsMessagesMetadataAndErrors() {
        let redactor = SecretRedactor()
        redactor.register(["tok-should-not-leak"])
        let sink = CapturingLogHandler()
        let logger = Logger(label: "test") { _ in RedactingLogHandler(wrapping: sink, redactor: redactor) }
        logger.error("calling with tok-should-not-leak", metadata: ["header": "Bearer tok-should-not-leak", "nested": ["a": "tok-should-not-leak"]])
        let lines = sink.lines.joined(separator: "\n")
        #expect(lines.contains("calling with"))
        #expect(!lines.contains("tok-should-not-leak"))
    }
}

/// The word check that lets most text skip the secret patterns must never skip text a pattern
/// would have masked.
@Suite struct RedactionPrefilterTests {
    @Test func theWordCheckChangesNoRedaction() {
        let keys = ["access_token", "Refresh_Token", "CLIENT_SECRET", "password", "code", "Code", "api_key", "x-api-key", "X-Hook-Signature",
                    "X-FreshBooks-Hmac-SHA256", "Bearer", "basic", "authorization", "to\u{212A}en", "\u{17F}ecret", "name", "id", "tokenless"]
        let shapes: [(String) -> String] = [
            { "\"\($0)\": \"s3cr3t-value-1\"" }, { "?\($0)=s3cr3t-value-1&page=2" }, { "\($0) s3cr3tvalue123" }, { "\($0): s3cr3t-value-1" },
            { "GET /accounting/\($0)/invoices?page=2" }, { "\($0)" },
        ]
        var texts: [String] = []
        for key in keys { for shape in shapes { texts.append(shape(key)) } }
        texts += ["GET https://api.freshbooks.com/accounting/account/ab12/invoices/invoices?page=1", "plain words and numbers 125.50", ""]
        let masked = texts.filter { SecretRedactor.maskSecretShapes(in: $0, prefilter: false) != $0 }
        let differing = texts.filter { SecretRedactor.maskSecretShapes(in: $0) != SecretRedactor.maskSecretShapes(in: $0, prefilter: false) }
        #expect(differing.isEmpty, "\(differing)")
        #expect(masked.count > 10, "the corpus reaches the patterns: \(masked.count)")
        #expect(!SecretRedactor.mayHoldSecretShape("GET https://api.freshbooks.com/accounting/account/ab12/invoices/invoices?page=1"))
    }
}
