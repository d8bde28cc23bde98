import Acumatica
import Asana
import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Jira
import NIOCore
import NIOHTTP1
import QuickBooks

/// Every parser of outside input, each as a target that makes one hostile input from a
/// generator and runs the parser on it. A target returns normally or throws; a crash is the
/// failure being looked for, and an error that is not one of our typed errors is reported.
public struct FuzzTarget: Sendable {
    /// The target's name, for reports.
    public var name: String
    /// Runs one input.
    public var run: @Sendable (inout HostileInputs) throws -> Void

    /// The errors a parser may throw: ours, or a decoder's (wrapped by its caller).
    public static func isTyped(_ error: any Error) -> Bool {
        error is ConnectorError || error is DecodingError
    }

    /// Every target.
    public static let all: [FuzzTarget] = [retryAfter, money, freshBooksDates, decodingFailure, freshBooksVerifier, asanaVerifier, jiraVerifier, quickBooksVerifier,
                                           acumaticaVerifier, integrationYAML]

    /// `Retry-After` in every form, with the wait bounded by the cap.
    public static let retryAfter = FuzzTarget(name: "retry-after") { inputs in
        let value = inputs.string(near: ["120", "0", "Fri, 31 Dec 1999 23:59:59 GMT", "Tuesday, 14-Nov-23 22:13:30 GMT", "Tue Nov 14 22:13:25 2023"])
        if let wait = RetryAfter.parse(value, cap: .seconds(3600)), wait < .zero || wait > .seconds(3601) {
            throw FuzzViolation("Retry-After \(value.debugDescription.prefix(80)) gave \(wait)")
        }
        _ = Backoff.milliseconds(.seconds(Int64.random(in: .min ... .max, using: &inputs)))
    }

    /// Money amounts and currency codes.
    public static let money = FuzzTarget(name: "money") { inputs in
        let amount = inputs.string(near: ["125.50", "0", "-3.25", "1234567.8900001"])
        let code = inputs.string(near: ["USD", "eur", "CAD"])
        let parsed = try Money(parsing: amount, currency: try CurrencyCode(code))
        _ = parsed.rounded().amountString
    }

    /// FreshBooks wall-clock and UTC dates.
    public static let freshBooksDates = FuzzTarget(name: "freshbooks-dates") { inputs in
        let text = inputs.string(near: ["2024-03-10 02:30:00", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123Z"])
        _ = FreshBooksWire.parseEastern(text)
        _ = FreshBooksWire.parseUTC(text)
    }

    /// A vendor answer decoded through `InboundResponse.decode`: the error must not quote the body.
    public static let decodingFailure = FuzzTarget(name: "vendor-json") { inputs in
        struct Shape: Decodable {
            var id: Int
            var name: String
            var amount: Money?
            var lines: [[String: Double]]?
        }
        let body = inputs.string(near: [#"{"id":1,"name":"a","amount":{"amount":"1.50","currency":"USD"},"lines":[{"x":1}]}"#])
        let response = InboundResponse(status: 200, headers: [:], body: ByteBuffer(string: body), endpoint: "GET /fuzz")
        do {
            _ = try response.decode(Shape.self)
        } catch let error as ConnectorError {
            let text = error.description
            if body.count >= 12, text.contains(body) { throw FuzzViolation("decode error quotes the body") }
            throw error
        }
    }

    /// FreshBooks deliveries, signed with the subscription's verifier so that parsing is reached.
    public static let freshBooksVerifier = FuzzTarget(name: "freshbooks-webhook") { inputs in
        let body = inputs.string(near: ["name=invoice.create&object_id=42&account_id=AB12&business_id=7&identity_id=9", "name=callback.verify&verifier=abc123"])
        var headers = HTTPHeaders()
        let secret = "fuzz-verifier-secret"
        if inputs.oneIn(2) {
            headers.add(name: "X-FreshBooks-Hmac-SHA256", value: FreshBooksSignature.sign(FreshBooksSignature.formPairs(body), verifier: secret))
        } else if inputs.oneIn(2) {
            headers.add(name: "X-FreshBooks-Hmac-SHA256", value: inputs.string())
        }
        let delivery = WebhookDelivery(system: .freshbooks, subscriptionID: "s", headers: headers, body: ByteBuffer(string: body))
        _ = try FreshBooksWebhookVerifier().verify(delivery, subscription: WebhookSubscriptionContext(id: "s", connectionID: "c", secret: inputs.oneIn(5) ? nil : secret))
    }

    /// Asana deliveries and handshakes, signed so that the event parser is reached.
    public static let asanaVerifier = FuzzTarget(name: "asana-webhook") { inputs in
        let body = inputs.string(near: [#"{"events":[{"action":"changed","resource":{"gid":"1","resource_type":"task"},"change":{"field":"completed"},"created_at":"2024-01-01T00:00:00.000Z"}]}"#, #"{"events":[]}"#])
        var headers = HTTPHeaders()
        let secret = "fuzz-hook-secret"
        if inputs.oneIn(10) { headers.add(name: "X-Hook-Secret", value: inputs.string()) }
        if inputs.oneIn(4) {
            headers.add(name: "X-Hook-Signature", value: inputs.string())
        } else {
            headers.add(name: "X-Hook-Signature", value: Signature.hex(Signature.hmacSHA256(Data(body.utf8), secret: secret)))
        }
        let delivery = WebhookDelivery(system: .asana, subscriptionID: "s", headers: headers, body: ByteBuffer(string: body))
        _ = try AsanaWebhookVerifier().verify(delivery, subscription: WebhookSubscriptionContext(id: "s", connectionID: "c", secret: secret))
    }

    /// Jira deliveries: HMAC-signed (so the body parser is reached), or a hostile JWT.
    public static let jiraVerifier = FuzzTarget(name: "jira-webhook") { inputs in
        let body = inputs.string(near: [#"{"timestamp":1700000000000,"webhookEvent":"jira:issue_updated","issue":{"id":"10001"}}"#,
                                        #"{"webhookEvent":"worklog_created","worklog":{"id":"3","issueId":"10001"}}"#])
        var headers = HTTPHeaders()
        let secret = "fuzz-jira-secret"
        if inputs.oneIn(4) {
            headers.add(name: "Authorization", value: "Bearer " + inputs.string(near: ["eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln"]))
        } else {
            headers.add(name: "X-Hub-Signature", value: inputs.oneIn(5) ? inputs.string() : "sha256=" + Signature.hex(Signature.hmacSHA256(Data(body.utf8), secret: secret)))
        }
        let delivery = WebhookDelivery(system: .jira, subscriptionID: "s", headers: headers, body: ByteBuffer(string: body))
        _ = try JiraWebhookVerifier().verify(delivery, subscription: WebhookSubscriptionContext(id: "s", connectionID: "c", secret: secret))
    }

    /// QuickBooks deliveries, both payload formats, signed with the verifier token.
    public static let quickBooksVerifier = FuzzTarget(name: "quickbooks-webhook") { inputs in
        let body = inputs.string(near: [
            #"{"eventNotifications":[{"realmId":"9130","dataChangeEvent":{"entities":[{"name":"Bill","id":"42","operation":"Update","lastUpdated":"2024-01-01T00:00:00.000Z"}]}}]}"#,
            #"[{"id":"e1","type":"qbo.bill.updated.v1","time":"2024-01-01T00:00:00Z","intuitentityid":"42","intuitaccountid":"9130"}]"#,
        ])
        var headers = HTTPHeaders()
        let token = "fuzz-verifier-token"
        headers.add(name: "intuit-signature", value: inputs.oneIn(5) ? inputs.string() : Signature.hmacSHA256(Data(body.utf8), secret: token).base64EncodedString())
        let delivery = WebhookDelivery(system: .quickbooks, subscriptionID: "s", headers: headers, body: ByteBuffer(string: body))
        _ = try QuickBooksWebhookVerifier().verify(delivery, subscription: WebhookSubscriptionContext(id: "s", connectionID: "c", secret: token))
    }

    /// Acumatica push notifications behind their shared-secret header.
    public static let acumaticaVerifier = FuzzTarget(name: "acumatica-push") { inputs in
        let body = inputs.string(near: [#"{"Query":"MLC-Bills","CompanyId":"Company","Id":"7f3","TimeStamp":6375,"Inserted":[{"RefNbr":"000123","Type":"Bill"}],"Deleted":[]}"#])
        var headers = HTTPHeaders()
        let secret = "fuzz-push-secret"
        headers.add(name: AcumaticaProvider.pushSecretHeader, value: inputs.oneIn(5) ? inputs.string() : secret)
        let delivery = WebhookDelivery(system: .acumatica, subscriptionID: "s", headers: headers, body: ByteBuffer(string: body))
        _ = try AcumaticaPushVerifier().verify(delivery, subscription: WebhookSubscriptionContext(id: "s", connectionID: "c", secret: secret))
    }

    /// The FreshBooks ↔ Asana integration YAML.
    public static let integrationYAML = FuzzTarget(name: "integration-yaml") { inputs in
        _ = try FreshBooksAsanaConfig.load(yaml: inputs.string(near: [Self.sampleYAML]))
    }

    /// A configuration that loads, so mutations of it reach the checks behind the parser.
    public static let sampleYAML = """
    name: agency-billing
    kind: freshbooks-asana
    connections: { freshbooks: fb-demo, asana: asana-demo }
    schedule: { poll: 5m }
    asana:
      workspace: "1200"
      team: "1201"
      fields:
        billable_amount: "1202"
        billing_status:
          field: "1203"
          options: { draft: "1", sent: "2", viewed: "3", partial: "4", paid: "5", overdue: "6" }
    freshbooks:
      invoice: { group: per-project-month, number_prefix: "AGY-", currency: USD }
    people: { match: email }
    """
}

/// A parser broke a promise (a bound, a redaction) without crashing.
public struct FuzzViolation: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String

    /// Creates a violation.
    public init(_ description: String) {
        self.description = description
    }
}

/// Runs targets over many inputs and tallies the outcomes.
public enum FuzzRunner {
    /// What one target did.
    public struct Tally: Sendable {
        /// The target.
        public var name: String
        /// Inputs run.
        public var inputs = 0
        /// Inputs the parser accepted.
        public var accepted = 0
        /// Inputs refused with a typed error.
        public var refused = 0
        /// Inputs refused with an error that is not typed, or that broke a promise, by description.
        public var problems: [String] = []
    }

    /// Runs `inputs` inputs through each target from `seed`.
    public static func run(_ targets: [FuzzTarget] = FuzzTarget.all, inputs: Int, seed: UInt64) -> [Tally] {
        targets.enumerated().map { index, target in
            var generator = HostileInputs(seed: seed &+ UInt64(index) &* 7919)
            var tally = Tally(name: target.name)
            for _ in 0..<inputs {
                tally.inputs += 1
                do {
                    try target.run(&generator)
                    tally.accepted += 1
                } catch let violation as FuzzViolation {
                    if tally.problems.count < 10 { tally.problems.append(violation.description) }
                } catch where FuzzTarget.isTyped(error) {
                    tally.refused += 1
                } catch {
                    if tally.problems.count < 10 { tally.problems.append("untyped \(type(of: error)): \(String(describing: error).prefix(200))") }
                }
            }
            return tally
        }
    }
}
