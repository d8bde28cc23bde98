import Asana
import ConnectorKit
import Flows
import Foundation
import QuickBooks
import Testing

@Suite struct QuickBooksAsanaMappingTests {
    typealias Mapping = QuickBooksAsanaMapping
    static let config = try! QuickBooksAsanaConfig.load(yaml: QuickBooksAsanaConfigTests.valid)
    static var fields: QuickBooksAsanaConfig.Fields { config.asana.fields }

    static func option(_ gid: String, _ name: String, enabled: Bool = true) -> EnumOption {
        try! JSONDecoder().decode(EnumOption.self, from: Data(#"{"gid":"\#(gid)","name":"\#(name)","enabled":\#(enabled)}"#.utf8))
    }

    @Test(arguments: [
        // (QuickBooks name, active, option (gid, name, enabled)) → change
        ("Pacific Office Space", true, nil, Mapping.OptionChange.create(name: "Pacific Office Space")),
        ("Pacific Office Space", false, nil, .none),
        ("", true, nil, .none),
        ("Pacific Office Space", true, ("9", "Pacific Office Space", true), .none),
        ("Pacific Office Spaces", true, ("9", "Pacific Office Space", true), .update(option: "9", name: "Pacific Office Spaces", enabled: nil)),
        ("Pacific Office Space", false, ("9", "Pacific Office Space", true), .update(option: "9", name: nil, enabled: false)),
        ("Renamed While Inactive", false, ("9", "Pacific Office Space", true), .update(option: "9", name: nil, enabled: false)),
        ("Pacific Office Space", false, ("9", "Pacific Office Space", false), .none),
        ("Pacific Office Space", true, ("9", "Pacific Office Space", false), .update(option: "9", name: nil, enabled: true)),
        ("Back Under New Name", true, ("9", "Old", false), .update(option: "9", name: "Back Under New Name", enabled: true)),
    ] as [(String, Bool, (String, String, Bool)?, Mapping.OptionChange)])
    func aVendorBecomesAnOption(_ name: String, _ active: Bool, _ option: (String, String, Bool)?, _ expected: Mapping.OptionChange) {
        let change = Mapping.optionChange(for: .init(id: "56", name: name, active: active), option: option.map { Self.option($0.0, $0.1, enabled: $0.2) })
        #expect(change == expected)
    }

    static func task(vendor: (String, String)? = ("501", "Pacific Office Space"), amount: Double? = 1250.5, due: String? = "2026-12-15", account: String? = nil,
                     className: String? = nil, status: String? = "301") throws -> AsanaTask {
        var values: [[String: Any]] = []
        if let vendor { values.append(["gid": fields.vendor, "enum_value": ["gid": vendor.0, "name": vendor.1, "enabled": true]]) }
        if let amount { values.append(["gid": fields.amount, "number_value": amount]) }
        if let due { values.append(["gid": fields.due_date, "date_value": ["date": due]]) }
        if let account { values.append(["gid": try #require(fields.account), "text_value": account, "display_value": account]) }
        if let className { values.append(["gid": try #require(fields.class), "enum_value": ["gid": "77", "name": className]]) }
        if let status { values.append(["gid": fields.post_status.field, "enum_value": ["gid": status, "name": "post"]]) }
        let json: [String: Any] = ["gid": "1200000000004242", "name": "Office rent", "completed": false, "custom_fields": values]
        return try JSONDecoder().decode(AsanaTask.self, from: JSONSerialization.data(withJSONObject: json))
    }

    @Test(arguments: [
        // (vendor, amount, due, default account) → missing fields
        (true, true, true, true, [String]()),
        (false, true, true, true, ["vendor"]),
        (true, false, true, true, ["amount"]),
        (true, true, false, true, ["due date"]),
        (true, true, true, false, ["account"]),
        (false, false, false, false, ["vendor", "amount", "due date", "account"]),
    ])
    func aBillTaskNamesWhatItLacks(_ vendor: Bool, _ amount: Bool, _ due: Bool, _ defaultAccount: Bool, _ missing: [String]) throws {
        let task = try Self.task(vendor: vendor ? ("501", "Pacific Office Space") : nil, amount: amount ? 10 : nil, due: due ? "2026-12-15" : nil)
        let request = Mapping.billRequest(task, fields: Self.fields, project: nil, defaultAccount: defaultAccount ? "103" : nil)
        switch request {
        case .success: #expect(missing.isEmpty)
        case .failure(let lack): #expect(lack.names == missing)
        }
    }

    /// A task in project 1200000000000002, which names `className` (an enum option) and `department` (text) in its own fields.
    static func taskInProject(className: String?, department: String?, taskClass: String? = nil) throws -> AsanaTask {
        var task = try Self.task(className: taskClass)
        var values: [[String: Any]] = []
        if let className { values.append(["gid": try #require(fields.project_class), "enum_value": ["gid": "88", "name": className]]) }
        if let department { values.append(["gid": try #require(fields.project_department), "text_value": department]) }
        let project = try JSONDecoder().decode(AsanaRef.self, from: JSONSerialization.data(withJSONObject: ["gid": "1200000000000002", "custom_fields": values] as [String: Any]))
        task.projects = [AsanaRef(gid: "1200000000000009"), project]
        return task
    }

    @Test(arguments: [
        // (configured class, configured department, the project's class, its department) → the project's class|department
        (String?.none, String?.none, String?.none, String?.none, "none"),
        (nil, nil, "Design", "North Office", "Design|North Office"),
        (nil, nil, "Design", " ", "Design|-"),
        ("Engineering", nil, "Design", "North Office", "Engineering|North Office"),
        (nil, "South Office", nil, "North Office", "-|South Office"),
        ("Engineering", "South Office", "Design", "North Office", "Engineering|South Office"),
    ])
    func aProjectNamesItsClassAndDepartment(_ configuredClass: String?, _ configuredDepartment: String?, _ className: String?, _ department: String?, _ expected: String) throws {
        let task = try Self.taskInProject(className: className, department: department)
        let configured = configuredClass == nil && configuredDepartment == nil ? nil : QuickBooksAsanaConfig.ProjectMapping(class: configuredClass, department: configuredDepartment)
        let mapping = Mapping.projectMapping(of: task, in: "1200000000000002", fields: Self.fields, configured: configured)
        #expect(mapping.map { "\($0.class ?? "-")|\($0.department ?? "-")" } ?? "none" == expected)
        #expect(Mapping.projectMapping(of: task, in: "1200000000000009", fields: Self.fields, configured: nil) == nil, "another project's fields say nothing")
    }

    @Test func theProjectsClassWinsOverTheTasks() throws {
        let task = try Self.taskInProject(className: "Design", department: nil, taskClass: "Engineering")
        let mapping = Mapping.projectMapping(of: task, in: "1200000000000002", fields: Self.fields, configured: nil)
        guard case .success(let request) = Mapping.billRequest(task, fields: Self.fields, project: mapping, defaultAccount: "103"),
              case .success(let own) = Mapping.billRequest(task, fields: Self.fields, project: nil, defaultAccount: "103") else { throw ConnectorError.permanent("requests") }
        #expect(request.className == "Design" && own.className == "Engineering")
    }

    @Test(arguments: [
        // (assignee's email) → the QuickBooks person a journal line names
        ("casey@firm.test", "Employee:55"),
        ("CASEY@Firm.test ", "Employee:55"),
        ("\tpat@firm.test\n", "Employee:60"),
        ("jordan@freelance.test", "Vendor:61"),
        ("both@firm.test", "Employee:57"),
        ("twice@firm.test", "none"),
        ("nobody@firm.test", "none"),
        ("", "none"),
    ])
    func anAssigneeAlignsByEmail(_ email: String, _ expected: String) {
        let employees = [Mapping.Person(id: "55", email: "Casey@firm.test"), Mapping.Person(id: "56", email: nil), Mapping.Person(id: "57", email: "both@firm.test"),
                         Mapping.Person(id: "58", email: "twice@firm.test"), Mapping.Person(id: "59", email: " TWICE@firm.test"),
                         Mapping.Person(id: "60", email: "Pat@Firm.test\r\n")]
        let vendors = [Mapping.Person(id: "61", email: "jordan@freelance.test"), Mapping.Person(id: "62", email: "both@firm.test"), Mapping.Person(id: "63", email: "twice@firm.test")]
        let person = Mapping.person(email: email, employees: employees, vendors: vendors)
        #expect(person.map { "\($0.Type):\($0.EntityRef.value)" } ?? "none" == expected)
    }

    @Test func aJournalEntryNamesTheAssigneesEmployeeOnItsDebitAndAChangedPersonIsAChange() throws {
        var posting = try Self.posting()
        posting.person = EntityTypeRef(type: "Employee", id: "55")
        let entry = Mapping.journalEntry(posting, creditAccount: "120")
        let debit = try #require(entry.Line.first { $0.JournalEntryLineDetail?.PostingType == "Debit" }?.JournalEntryLineDetail)
        #expect(debit.Entity == EntityTypeRef(type: "Employee", id: "55") && entry.Line.filter { $0.JournalEntryLineDetail?.Entity != nil }.count == 1)
        #expect(Mapping.journalEntryChange(posting, creditAccount: "120", current: entry).isEmpty)
        posting.person = EntityTypeRef(type: "Vendor", id: "61")
        #expect(Mapping.journalEntryChange(posting, creditAccount: "120", current: entry).Line?.first?.JournalEntryLineDetail?.Entity?.EntityRef.value == "61")
    }

    static let directory = Mapping.Directory(accounts: [("103", "Rent or Lease"), ("104", "Contractors")], classes: [("107", "Design"), ("108", "Engineering")],
                                             departments: [("109", "North Office")])

    @Test(arguments: [
        // (task account, task class, project mapping) → (account, class, department) or the unknown name
        (String?.none, String?.none, QuickBooksAsanaConfig.ProjectMapping?.none, "103||"),
        ("Contractors", nil, nil, "104||"),
        ("contractors", "Engineering", nil, "104|108|"),
        ("104", "Engineering", QuickBooksAsanaConfig.ProjectMapping(class: "Design", department: "North Office"), "104|107|109"),
        ("Travel", nil, nil, "account \"Travel\""),
        (nil, "Consulting", nil, "class \"Consulting\""),
        (nil, nil, QuickBooksAsanaConfig.ProjectMapping(class: nil, department: "Moon Base"), "department \"Moon Base\""),
    ])
    func namesResolveToIds(_ account: String?, _ className: String?, _ mapping: QuickBooksAsanaConfig.ProjectMapping?, _ expected: String) throws {
        let task = try Self.task(account: account, className: className)
        guard case .success(let request) = Mapping.billRequest(task, fields: Self.fields, project: mapping, defaultAccount: "103") else { throw ConnectorError.permanent("request") }
        switch Mapping.posting(request, task: task.gid, vendorID: "56", defaultAccount: "103", directory: Self.directory, currency: try CurrencyCode("USD")) {
        case .success(let posting): #expect([posting.accountID, posting.classID ?? "", posting.departmentID ?? ""].joined(separator: "|") == expected)
        case .failure(let unknown): #expect(unknown.message.hasPrefix(expected) && unknown.message.contains("does not exist"))
        }
    }

    static func posting(amount: String = "1250.50", classID: String? = "107", department: String? = "109") throws -> Mapping.Posting {
        let task = try Self.task(amount: Double(amount))
        guard case .success(let request) = Mapping.billRequest(task, fields: Self.fields, project: .init(class: classID == nil ? nil : "Design", department: department == nil ? nil : "North Office"), defaultAccount: "103"),
              case .success(let posting) = Mapping.posting(request, task: task.gid, vendorID: "56", defaultAccount: "103", directory: directory, currency: try CurrencyCode("USD")) else {
            throw ConnectorError.permanent("posting")
        }
        return posting
    }

    @Test func aBillCarriesVendorDueDateAccountClassDepartmentAndTheTaskLink() throws {
        let bill = Mapping.bill(try Self.posting())
        let line = try #require(bill.Line.first)
        #expect(bill.VendorRef.value == "56" && bill.DueDate == "2026-12-15" && bill.DepartmentRef?.value == "109" && bill.DocNumber == "ASN1200000000004242")
        #expect(line.DetailType == "AccountBasedExpenseLineDetail" && line.Amount == Decimal(string: "1250.5") && line.AccountBasedExpenseLineDetail?.AccountRef.value == "103")
        #expect(line.AccountBasedExpenseLineDetail?.ClassRef?.value == "107" && bill.PrivateNote == "Asana task https://app.asana.com/0/0/1200000000004242")
        #expect((bill.DocNumber ?? "").count <= 21 && bill.CurrencyRef?.value == "USD")
    }

    @Test func aJournalEntryDebitsTheExpenseOnTheClassAndCreditsTheConfiguredAccount() throws {
        let entry = Mapping.journalEntry(try Self.posting(), creditAccount: "120")
        let debit = try #require(entry.Line.first { $0.JournalEntryLineDetail?.PostingType == "Debit" })
        let credit = try #require(entry.Line.first { $0.JournalEntryLineDetail?.PostingType == "Credit" })
        #expect(debit.Amount == credit.Amount && debit.JournalEntryLineDetail?.AccountRef.value == "103" && credit.JournalEntryLineDetail?.AccountRef.value == "120")
        #expect(debit.JournalEntryLineDetail?.ClassRef?.value == "107" && debit.JournalEntryLineDetail?.DepartmentRef?.value == "109" && entry.PrivateNote?.contains("1200000000004242") == true)
        #expect(Mapping.figures(entry).amount == Decimal(string: "1250.5"))
    }

    @Test(arguments: [
        // (new amount, bill memo edited in QuickBooks) → the change sends only what differs
        ("1250.50", false, "none"),
        ("1400.00", false, "Line"),
        ("1400.00", true, "Line"),
    ])
    func anEditIsASparseChangeOfWhatDiffers(_ amount: String, _ memoEdited: Bool, _ expected: String) throws {
        var bill = Mapping.bill(try Self.posting())
        bill.Id = "146"
        bill.SyncToken = "3"
        if memoEdited { bill.PrivateNote = "Approved by Dana" }
        let change = Mapping.billChange(try Self.posting(amount: amount), current: bill)
        let encoded = String(decoding: try JSONEncoder().encode(change), as: UTF8.self)
        #expect(change.isEmpty == (expected == "none"))
        #expect(!encoded.contains("PrivateNote") && !encoded.contains("VendorRef") && !encoded.contains("DueDate"))
        if expected == "Line" { #expect(change.Line?.first?.Amount == Decimal(string: amount)) }
    }

    @Test func aChangedClassOrDepartmentIsInTheChange() throws {
        var bill = Mapping.bill(try Self.posting(classID: nil, department: nil))
        bill.Id = "146"
        let change = Mapping.billChange(try Self.posting(), current: bill)
        #expect(change.DepartmentRef?.value == "109" && change.Line?.first?.AccountBasedExpenseLineDetail?.ClassRef?.value == "107" && change.VendorRef == nil)
    }

    @Test(arguments: [
        // (total, balance) → status
        ("1250.50", "1250.50", "open"),
        ("1250.50", "250.50", "partially paid"),
        ("1250.50", "0", "paid"),
    ])
    func billFiguresGoBackWithTheirStatus(_ total: String, _ balance: String, _ status: String) throws {
        var bill = Mapping.bill(try Self.posting(amount: total))
        bill.TotalAmt = Decimal(string: total)
        bill.Balance = Decimal(string: balance)
        let figures = Mapping.figures(bill)
        #expect(figures.status == status && figures.balance == Decimal(string: balance) && figures.dueDate == "2026-12-15")
        let inputs = Mapping.figureInputs(figures, fields: Self.fields)
        let statusOption = try #require(Self.fields.bill_status?.options[status])
        #expect(inputs[Self.fields.amount] == .number(Decimal(string: total)!) && inputs[Self.fields.due_date] == .date("2026-12-15"))
        let balanceField = try #require(Self.fields.balance), statusField = try #require(Self.fields.bill_status?.field)
        #expect(inputs[balanceField] == .number(Decimal(string: balance)!) && inputs[statusField] == .enumOption(statusOption))
        #expect(Mapping.isSettled(bill) == (status != "open"))
    }

    @Test func theVendorsTermsFillItsField() throws {
        let vendor = try JSONDecoder().decode(Vendor.self, from: Data(#"{"Id":"56","DisplayName":"Pacific","TermRef":{"value":"3","name":"Net 30"},"Balance":2400.00}"#.utf8))
        #expect(Mapping.vendorDetails(vendor, fields: Self.fields) == [try #require(Self.fields.vendor_terms): .text("Net 30")])
    }

    @Test func anUnchangedRequestHashesTheSame() throws {
        let task = try Self.task()
        guard case .success(let first) = Mapping.billRequest(task, fields: Self.fields, project: nil, defaultAccount: "103"),
              case .success(let again) = Mapping.billRequest(try Self.task(status: "302"), fields: Self.fields, project: nil, defaultAccount: "103"),
              case .success(let changed) = Mapping.billRequest(try Self.task(amount: 99), fields: Self.fields, project: nil, defaultAccount: "103") else {
            throw ConnectorError.permanent("requests")
        }
        #expect(Mapping.contentHash(first) == Mapping.contentHash(again), "writing the post status back is no change to post")
        #expect(Mapping.contentHash(first) != Mapping.contentHash(changed))
    }
}
