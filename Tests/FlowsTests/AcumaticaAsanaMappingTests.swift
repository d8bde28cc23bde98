import Acumatica
import Asana
import ConnectorKit
import Flows
import Foundation
import Testing

@Suite struct AcumaticaAsanaMappingTests {
    static let fields = AcumaticaAsanaConfig.Fields(amount: "101", due_date: "102", vendor: "103", reference: "104", status: "105", link: "106")
    static let routing = AcumaticaAsanaConfig.Routing(projects: ["TOWER-A": "301"], branches: ["NORTH": "302"], default: "303")

    static func bill(_ number: String = "000002", status: String = "Balanced", amount: Decimal? = Decimal(string: "200.5"), project: String? = nil, branch: String? = nil,
                     due: String? = "2026-12-01") -> ApprovalDocument {
        ApprovalDocument(kind: .bill, type: "Bill", number: number, vendorID: "PRINTICO", vendorRef: "PR-2002", amount: amount, currency: "USD", dueDate: due, status: status,
                         project: project, branch: branch)
    }

    static func task(completed: Bool, completedAt: String? = nil, approval: String? = nil, modified: String = "2026-11-21T10:00:00.000Z") throws -> AsanaTask {
        var values: [[String: Any]] = []
        if let approval { values.append(["gid": "107", "enum_value": ["gid": approval, "name": "x"]]) }
        let json: [String: Any] = ["gid": "42", "name": "t", "completed": completed, "completed_at": completedAt ?? NSNull(), "modified_at": modified, "custom_fields": values]
        return try JSONDecoder().decode(AsanaTask.self, from: JSONSerialization.data(withJSONObject: json))
    }

    static func config(onComplete: Bool? = nil, enumApproval: Bool = true) throws -> AcumaticaAsanaConfig {
        var yaml = AcumaticaAsanaConfigTests.valid
        if !enumApproval { yaml = yaml.replacingOccurrences(of: "approval: { on_complete: true, field: \"107\", approved: \"1071\" }", with: "approval: { on_complete: true }") }
        if onComplete == false { yaml = yaml.replacingOccurrences(of: "on_complete: true", with: "on_complete: false") }
        return try AcumaticaAsanaIntegration().load(yaml: yaml)
    }

    @Test(arguments: [
        // (project, branch) → (Asana project, rule)
        (Optional("TOWER-A"), Optional("NORTH"), "301", "project TOWER-A"),
        ("OTHER", "NORTH", "302", "branch NORTH"),
        (nil, "NORTH", "302", "branch NORTH"),
        ("OTHER", "SOUTH", "303", "default"),
        (nil, nil, "303", "default"),
    ])
    func aDocumentGoesToItsProjectBranchOrDefault(_ project: String?, _ branch: String?, _ gid: String, _ rule: String) {
        let routed = AcumaticaAsanaMapping.project(for: Self.bill(project: project, branch: branch), routing: Self.routing)
        #expect(routed?.gid == gid && routed?.rule == rule)
    }

    @Test func noDefaultAndNoMatchRoutesNowhere() {
        #expect(AcumaticaAsanaMapping.project(for: Self.bill(project: "X"), routing: .init(projects: ["TOWER-A": "301"], branches: nil, default: nil)) == nil)
    }

    @Test(arguments: [
        (Decimal(string: "200.5"), "Balanced", "Bill 000002 · Printico Ltd · 200.50 USD"),
        (Decimal(string: "1234.567"), "On Hold", "Bill 000002 · Printico Ltd · 1234.57 USD"),
        (Decimal(0), "Balanced", "Bill 000002 · Printico Ltd · 0.00 USD"),
        (nil, "Balanced", "Bill 000002 · Printico Ltd"),
        (Decimal(string: "99"), "Voided", "[Voided] Bill 000002 · Printico Ltd · 99.00 USD"),
    ])
    func theNameIsVendorReferenceAndAmount(_ amount: Decimal?, _ status: String, _ name: String) {
        #expect(AcumaticaAsanaMapping.taskName(for: Self.bill(status: status, amount: amount), vendorName: "Printico Ltd") == name)
    }

    @Test func theFieldsCarryTheDocument() throws {
        let draft = AcumaticaAsanaMapping.taskDraft(for: Self.bill(), vendorName: "Printico Ltd", vendorOption: "9001", fields: Self.fields, instanceURL: "https://erp.example.com/")
        let link = "https://erp.example.com/Main?ScreenId=AP301000&DocType=INV&RefNbr=000002"
        #expect(draft.custom_fields == ["101": .number(Decimal(string: "200.5")!), "102": .date("2026-12-01"), "103": .enumOption("9001"), "104": .text("000002"),
                                        "105": .text("Balanced"), "106": .text(link)])
        #expect(draft.completed == nil && draft.projects == nil && draft.notes?.contains("vendor ref PR-2002") == true)
        let order = ApprovalDocument(kind: .purchaseOrder, type: "Normal", number: "PO000001", vendorID: "ACME", amount: 164, currency: "USD", status: "Pending Approval")
        #expect(AcumaticaAsanaMapping.link(for: order, instanceURL: "https://erp.example.com") == "https://erp.example.com/Main?ScreenId=PO301000&OrderType=RO&OrderNbr=PO000001")
        // A document without a due date or amount clears those fields.
        let bare = AcumaticaAsanaMapping.taskDraft(for: Self.bill(amount: nil, due: nil), vendorName: "P", vendorOption: nil, fields: Self.fields, instanceURL: "x")
        #expect(bare.custom_fields?["101"] == .clear && bare.custom_fields?["102"] == .clear && bare.custom_fields?["103"] == nil)
    }

    @Test(arguments: [
        ("Voided", true), ("Canceled", true), ("Balanced", false), ("On Hold", false), ("Open", false),
    ])
    func aVoidedDocumentIsMarkedAndCompleted(_ status: String, _ completed: Bool) {
        let draft = AcumaticaAsanaMapping.taskDraft(for: Self.bill(status: status), vendorName: "P", vendorOption: "1", fields: Self.fields, instanceURL: "x")
        #expect((draft.completed == true) == completed)
        #expect(draft.custom_fields?["105"] == .text(status))
        #expect(draft.name?.hasPrefix("[\(status)]") == completed)
    }

    @Test(arguments: [
        // (status now, status when refused) → status text
        ("On Hold", Optional("On Hold"), "release failed"),
        ("Balanced", "On Hold", "Balanced"),
        ("On Hold", nil, "On Hold"),
        ("Open", "Open", "Open"),
    ])
    func aRefusalShowsUntilTheDocumentMovesOn(_ status: String, _ refusedAt: String?, _ text: String) {
        #expect(AcumaticaAsanaMapping.statusText(of: Self.bill(status: status), refusedAt: refusedAt) == text)
        let draft = AcumaticaAsanaMapping.taskDraft(for: Self.bill(status: status), vendorName: "P", vendorOption: "1", fields: Self.fields, instanceURL: "x", refusedAt: refusedAt)
        #expect(draft.custom_fields?["105"] == .text(text))
    }

    @Test func aDeletedDocumentIsMarkedAndCompletedNeverDeleted() {
        let draft = AcumaticaAsanaMapping.deletedDraft(fields: Self.fields)
        #expect(draft.completed == true && draft.custom_fields == ["105": .text("Deleted in Acumatica")] && draft.name == nil)
    }

    @Test(arguments: [
        // (document, kind, status) → step
        (ApprovalDocument.Kind.bill, "Balanced", AcumaticaAsanaMapping.ApprovalStep.release),
        (.bill, "On Hold", .release),
        (.bill, "Pending Approval", .approveAndRelease),
        (.bill, "Open", .none("already Open")),
        (.bill, "Closed", .none("already Closed")),
        (.bill, "Voided", .none("Voided in Acumatica")),
        (.purchaseOrder, "Pending Approval", .approve),
        (.purchaseOrder, "On Hold", .approve),
        (.purchaseOrder, "Open", .none("already Open")),
        (.purchaseOrder, "Canceled", .none("Canceled in Acumatica")),
    ])
    func anApprovalReleasesABillOrApprovesAnOrder(_ kind: ApprovalDocument.Kind, _ status: String, _ step: AcumaticaAsanaMapping.ApprovalStep) {
        let document = ApprovalDocument(kind: kind, type: kind == .bill ? "Bill" : "Normal", number: "1", vendorID: "V", amount: 1, currency: "USD", status: status)
        #expect(AcumaticaAsanaMapping.step(for: document) == step)
    }

    @Test(arguments: [
        // (completed, completed_at, approval option, on_complete, enum configured) → stamp
        (true, Optional("2026-11-21T09:00:00.000Z"), Optional<String>.none, Optional<Bool>.none, true, Optional("completed:2026-11-21T09:00:00.000Z")),
        (false, nil, nil, nil, true, nil),
        (false, nil, "1071", nil, true, "approved:first"),
        (false, nil, "1072", nil, true, nil),
        (true, "2026-11-21T09:00:00.000Z", nil, false, true, nil),
        (false, nil, "1071", nil, false, nil),
    ])
    func theApprovalRule(_ completed: Bool, _ at: String?, _ option: String?, _ onComplete: Bool?, _ enumApproval: Bool, _ stamp: String?) throws {
        let config = try Self.config(onComplete: onComplete, enumApproval: enumApproval)
        #expect(AcumaticaAsanaMapping.approval(on: try Self.task(completed: completed, completedAt: at, approval: option), config: config, handled: nil, handledAt: nil) == stamp)
    }

    /// The approval field's stamp does not move when the task is edited (its `modified_at`), only
    /// when the field is set again after a refusal cleared it.
    @Test func anApprovalByTheFieldKeepsItsStampUntilARefusal() throws {
        let config = try Self.config(onComplete: nil, enumApproval: true)
        let task = try Self.task(completed: false, completedAt: nil, approval: "1071")
        let stamp = { (handled: String?, at: Date?) in AcumaticaAsanaMapping.approval(on: task, config: config, handled: handled, handledAt: at) }
        let first = try #require(stamp(nil, nil))
        let handledAt = Date(timeIntervalSince1970: 1_790_000_000.1234)
        // Handled and went through: the field still set is that same approval.
        #expect(stamp(AcumaticaAsanaMapping.handledMark(stamp: first, refused: false), handledAt) == first)
        // Handled and refused: the field set again is a new approval, named by when the refusal was handled.
        let next = try #require(stamp(AcumaticaAsanaMapping.handledMark(stamp: first, refused: true), handledAt))
        #expect(next != first && next == "approved:after:1790000000123")
        #expect(stamp(AcumaticaAsanaMapping.handledMark(stamp: next, refused: true), handledAt.addingTimeInterval(60)) != next)
        // A completion handled before: the field is a new approval too.
        #expect(stamp("completed:2026-11-21T09:00:00.000Z", handledAt) == next)
    }

    @Test func aRefusalIsQuoted() {
        let text = AcumaticaAsanaMapping.refusalComment(for: Self.bill(status: "On Hold"), reason: "The document is On Hold and cannot be released.")
        #expect(text.contains("\"The document is On Hold and cannot be released.\"") && text.contains("reopened"))
        #expect(AcumaticaAsanaMapping.doneComment(for: Self.bill(status: "Open")) == "Released in Acumatica: bill 000002 is now Open.")
    }

    @Test func aBillIsReadBoundedAndChecked() throws {
        var bill = Bill()
        bill.ReferenceNbr = StringValue("000007")
        bill.Vendor = StringValue("PRINTICO")
        bill.Status = StringValue("On Hold")
        bill.Hold = BooleanValue(true)
        bill.Amount = DecimalValue(Decimal(string: "200.10"))
        bill.DueDate = DateTimeValue("2026-12-01T00:00:00+02:00")
        bill.Description = StringValue(String(repeating: "x", count: 2000))
        var line = BillDetail()
        line.Branch = StringValue("NORTH")
        bill.Details = [line]
        let document = try ApprovalDocument(bill: bill)
        #expect(document.type == "Bill" && document.dueDate == "2026-12-01" && document.branch == "NORTH" && document.hold && document.description?.count == 500)
        #expect(document.ref == .acumatica(.bill, "Bill/000007"))
        bill.Vendor = nil
        #expect(throws: ConnectorError.self) { try ApprovalDocument(bill: bill) }
    }
}
