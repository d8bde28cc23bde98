import Foundation

/// Everything the QuickBooks sandbox knows about its one company: entities by name and Id,
/// deletions (for CDC), answers already given per `requestid`, and webhook endpoints.
struct QuickBooksWorld: Sendable {
    /// One deleted entity, as CDC reports it.
    struct Deletion: Sendable {
        var entity: String
        var id: String
        var at: Date
    }

    /// A change waiting to be delivered to webhook endpoints.
    struct Change: Sendable {
        var entity: String
        var id: String
        var operation: String
        var at: Date
    }

    /// A URL registered in the (emulated) developer portal, with the payload format it takes.
    struct Endpoint: Sendable {
        var url: String
        /// `cloudevents` or `legacy`.
        var format: String
    }

    let realmID: String
    /// Entity name (`Bill`) → Id → the entity.
    var entities: [String: [String: JSONValue]] = [:]
    var deletions: [Deletion] = []
    /// `<entity path> <requestid>` → the answer first given, for the latest `answerMemory` writes.
    private(set) var answered: [String: JSONValue] = [:]
    /// The keys of `answered`, oldest first.
    private var answeredOrder: [String] = []
    /// How many answers are kept (QBO's de-duplication window is unpublished; a long-running
    /// sandbox must not keep every answer it ever gave).
    let answerMemory: Int
    var endpoints: [Endpoint] = []
    var companyInfo: JSONValue = .null
    private var nextID = 100

    init(realmID: String, seed: Bool, answerMemory: Int = 10_000) {
        self.realmID = realmID
        self.answerMemory = max(1, answerMemory)
        companyInfo = .object([
            "Id": .string("1"), "SyncToken": .string("0"), "CompanyName": .string("Sandbox Builders LLC"), "LegalName": .string("Sandbox Builders LLC"),
            "Country": .string("US"), "Email": .object(["Address": .string("owner@sandbox-builders.test")]), "CompanyStartDate": .string("2024-01-01"),
            "domain": .string("QBO"), "sparse": .bool(false), "MetaData": Self.metaData(created: Date(timeIntervalSince1970: 1_704_067_200), updated: Date(timeIntervalSince1970: 1_704_067_200)),
        ])
        if seed { seedCompany() }
    }

    /// A new Id: QBO Ids are numeric strings.
    mutating func newID() -> String {
        nextID += 1
        return "\(nextID)"
    }

    /// Keeps the answer given to a `requestid`, forgetting the oldest beyond `answerMemory`.
    mutating func remember(_ answer: JSONValue, for requestID: String) {
        if answered.updateValue(answer, forKey: requestID) == nil { answeredOrder.append(requestID) }
        while answeredOrder.count > answerMemory { answered[answeredOrder.removeFirst()] = nil }
    }

    /// Stores an entity as it is now.
    mutating func put(_ entity: String, _ value: JSONValue) {
        guard let id = value["Id"]?.text else { return }
        entities[entity, default: [:]][id] = value
    }

    /// `MetaData` for an entity created and last changed at the given instants.
    static func metaData(created: Date, updated: Date) -> JSONValue {
        .object(["CreateTime": .string(timestamp(created)), "LastUpdatedTime": .string(timestamp(updated))])
    }

    /// A time as QBO writes it: the company's local time with its offset (`2026-04-08T10:17:20-07:00`).
    static func timestamp(_ date: Date) -> String {
        WireTime.format(date, "yyyy-MM-dd'T'HH:mm:ssxxx", timeZone: "America/Los_Angeles")
    }

    /// A QBO time or date read back; nil when it is neither.
    static func instant(_ text: String) -> Date? {
        for format in ["yyyy-MM-dd'T'HH:mm:ssXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            // Without a zone in the text, the company's own.
            let zone = format.hasSuffix("ss") || format == "yyyy-MM-dd" ? "America/Los_Angeles" : "UTC"
            if let date = WireTime.date(text, format, timeZone: zone) { return date }
        }
        return nil
    }

    /// Today in the company's time zone, `yyyy-MM-dd`.
    static func today(_ date: Date) -> String { String(timestamp(date).prefix(10)) }
}

extension QuickBooksWorld {
    /// The small company `sandbox --json` describes: vendors, customers, classes, departments,
    /// expense accounts and two bills.
    mutating func seedCompany() {
        // A week ago: inside CDC's 30 days, outside any test's last hour.
        let created = Date().addingTimeInterval(-7 * 86400)
        func seed(_ entity: String, _ fields: [String: JSONValue]) -> String {
            let id = newID()
            var object = fields
            object["Id"] = .string(id)
            object["SyncToken"] = .string("0")
            object["domain"] = .string("QBO")
            object["sparse"] = .bool(false)
            object["MetaData"] = Self.metaData(created: created, updated: created)
            put(entity, .object(object))
            return id
        }
        func named(_ name: String) -> [String: JSONValue] {
            ["Name": .string(name), "FullyQualifiedName": .string(name), "Active": .bool(true)]
        }
        let usd: JSONValue = .object(["value": .string("USD"), "name": .string("United States Dollar")])
        let payable = seed("Account", named("Accounts Payable (A/P)").merging(["AccountType": .string("Accounts Payable"), "AccountSubType": .string("AccountsPayable"),
                                                                              "Classification": .string("Liability"), "CurrentBalance": .number("0"), "CurrencyRef": usd]) { $1 })
        let rent = seed("Account", named("Rent or Lease").merging(["AccountType": .string("Expense"), "AccountSubType": .string("RentOrLeaseOfBuildings"),
                                                                  "Classification": .string("Expense"), "CurrentBalance": .number("0"), "CurrencyRef": usd]) { $1 })
        let contractors = seed("Account", named("Contractors").merging(["AccountType": .string("Expense"), "AccountSubType": .string("OtherMiscellaneousServiceCost"),
                                                                       "Classification": .string("Expense"), "CurrentBalance": .number("0"), "CurrencyRef": usd]) { $1 })
        _ = seed("Account", named("Checking").merging(["AccountType": .string("Bank"), "AccountSubType": .string("Checking"), "Classification": .string("Asset"),
                                                      "CurrentBalance": .number("12500.00"), "CurrencyRef": usd]) { $1 })
        let design = seed("Class", named("Design").merging(["SubClass": .bool(false)]) { $1 })
        _ = seed("Class", named("Engineering").merging(["SubClass": .bool(false)]) { $1 })
        let north = seed("Department", named("North Office").merging(["SubDepartment": .bool(false)]) { $1 })
        _ = seed("Department", named("South Office").merging(["SubDepartment": .bool(false)]) { $1 })
        let vendor = seed("Vendor", ["DisplayName": .string("Pacific Office Space"), "CompanyName": .string("Pacific Office Space"), "Active": .bool(true),
                                     "PrimaryEmailAddr": .object(["Address": .string("billing@pacific-office.test")]), "Balance": .number("2400.00"),
                                     "Vendor1099": .bool(false), "CurrencyRef": usd, "PrintOnCheckName": .string("Pacific Office Space")])
        let freelancer = seed("Vendor", ["DisplayName": .string("Jordan Freelance"), "GivenName": .string("Jordan"), "FamilyName": .string("Lee"), "Active": .bool(true),
                                         "Balance": .number("1037.50"), "Vendor1099": .bool(true), "CurrencyRef": usd, "PrintOnCheckName": .string("Jordan Lee")])
        _ = seed("Customer", ["DisplayName": .string("Acme Corp"), "CompanyName": .string("Acme Corp"), "Active": .bool(true), "Balance": .number("0"), "CurrencyRef": usd,
                              "PrimaryEmailAddr": .object(["Address": .string("ap@acme.test")])])
        _ = seed("Customer", ["DisplayName": .string("Globex"), "CompanyName": .string("Globex"), "Active": .bool(true), "Balance": .number("0"), "CurrencyRef": usd])
        func bill(vendor: String, vendorName: String, amount: String, account: String, accountName: String, due: String) -> [String: JSONValue] {
            [
                "VendorRef": .object(["value": .string(vendor), "name": .string(vendorName)]), "TxnDate": .string("2026-01-01"), "DueDate": .string(due),
                "APAccountRef": .object(["value": .string(payable), "name": .string("Accounts Payable (A/P)")]), "CurrencyRef": usd,
                "DepartmentRef": .object(["value": .string(north), "name": .string("North Office")]),
                "TotalAmt": .number(amount), "Balance": .number(amount),
                "Line": .array([.object([
                    "Id": .string("1"), "LineNum": .number("1"), "Amount": .number(amount), "DetailType": .string("AccountBasedExpenseLineDetail"),
                    "AccountBasedExpenseLineDetail": .object([
                        "AccountRef": .object(["value": .string(account), "name": .string(accountName)]),
                        "ClassRef": .object(["value": .string(design), "name": .string("Design")]), "BillableStatus": .string("NotBillable"),
                    ]),
                ])]),
            ]
        }
        _ = seed("Bill", bill(vendor: vendor, vendorName: "Pacific Office Space", amount: "2400.00", account: rent, accountName: "Rent or Lease", due: "2026-01-31"))
        _ = seed("Bill", bill(vendor: freelancer, vendorName: "Jordan Freelance", amount: "1037.50", account: contractors, accountName: "Contractors", due: "2026-02-15"))
    }
}
