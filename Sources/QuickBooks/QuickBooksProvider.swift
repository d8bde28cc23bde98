import ConnectorKit

extension SystemKind {
    /// QuickBooks Online.
    public static let quickbooks = SystemKind("quickbooks")
}

extension SettingKey {
    /// The `minorversion` sent on every call (api digest 1.2: 75 unless pinned newer).
    public static let minorVersion = SettingKey("minorversion")
}

/// QuickBooks entities as they appear in references (`quickbooks:bill:146`): the lower-case
/// entity name, which is also the resource path (api digest 1.2).
public enum QuickBooksRecord: String, Sendable, CaseIterable {
    case vendor, customer, employee, bill, billpayment, journalentry, invoice, payment, account, department, companyinfo
    case `class` = "class"

    /// The entity's name in the API (`JournalEntry`), as queries, CDC and webhooks spell it.
    public var entityName: String {
        switch self {
        case .vendor: "Vendor"
        case .customer: "Customer"
        case .employee: "Employee"
        case .bill: "Bill"
        case .billpayment: "BillPayment"
        case .journalentry: "JournalEntry"
        case .invoice: "Invoice"
        case .payment: "Payment"
        case .account: "Account"
        case .department: "Department"
        case .companyinfo: "CompanyInfo"
        case .class: "Class"
        }
    }

    /// The record type of an entity name, in any case (`Bill`, `bill`).
    public init?(entityName: String) {
        self.init(rawValue: entityName.lowercased())
    }
}

extension ExternalRef {
    /// A QuickBooks record: `.quickbooks(.bill, "146")`.
    public static func quickbooks(_ type: QuickBooksRecord, _ id: some CustomStringConvertible) -> ExternalRef {
        ExternalRef(.quickbooks, type.rawValue, id.description)
    }
}

/// QuickBooks Online's facts as data (api digest 1.1, 1.2, 1.7, 1.8).
public enum QuickBooksProvider {
    /// The accounting scope; `openid` is not needed, the realm comes on the redirect.
    public static let scopes = ["com.intuit.quickbooks.accounting"]

    /// The minor version sent when a connection pins none (api digest 1.2: lower ones are ignored).
    public static let minorVersion = "75"

    /// The production description.
    public static let description = ProviderDescription(
        system: .quickbooks,
        displayName: "QuickBooks Online",
        defaultBaseURLs: [
            "api": "https://quickbooks.api.intuit.com",
            "auth": "https://appcenter.intuit.com",
            "token": "https://oauth.platform.intuit.com",
        ],
        authScheme: .bearer,
        // QBO: the token endpoint takes the app in HTTP Basic, not the body (api digest 1.1).
        tokenEndpoint: TokenEndpoint(baseURLRole: "token", path: "/oauth2/v1/tokens/bearer", encoding: .form, clientAuthentication: .basic),
        // QBO: realmId comes only on the redirect (api digest 1.1, gotcha 2).
        authorization: AuthorizationFacts(baseURLRole: "auth", path: "/connect/oauth2", scopes: scopes, redirectAccountParameter: "realmId"),
        signatureHeader: "intuit-signature",
        // 500/min and 10/s per realm (api digest 1.8): a burst of 2 plus a second's refill stays under 10.
        rateLimit: RateLimit(requests: 500, per: .seconds(60), burst: 2),
        requestTimeout: .seconds(60),
        // QBO: a 429 carries no Retry-After; Intuit asks for 60 s (api digest 1.8).
        retry: RetryPolicy(maxRetries: 4, baseDelay: .seconds(1), maxDelay: .seconds(60), maxInlineWait: .seconds(60)),
        requestIDHeader: "intuit_tid",
        // QBO: `requestid` de-duplicates creates and updates (api digest 1.2, python-quickbooks).
        idempotencyQueryParameter: "requestid"
    )
}
