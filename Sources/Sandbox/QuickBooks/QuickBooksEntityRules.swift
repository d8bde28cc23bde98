import Foundation
import Hummingbird

/// What QuickBooks checks and derives when an entity is written (api digest 1.3, 1.5): the
/// rules of each entity the sandbox serves, apart from the HTTP handling.
enum QuickBooksEntityRules {
    /// Resource path (`journalentry`) → entity name (`JournalEntry`), the entities served.
    static let entityNames = ["vendor": "Vendor", "customer": "Customer", "bill": "Bill", "journalentry": "JournalEntry", "invoice": "Invoice",
                              "payment": "Payment", "billpayment": "BillPayment", "class": "Class", "department": "Department", "account": "Account",
                              "employee": "Employee"]

    /// Names can be made inactive but not deleted (api digest 1.3).
    static let names: Set<String> = ["Vendor", "Customer", "Employee", "Class", "Department", "Account"]

    /// The entity types a journal line's `Entity` may name (XSD `EntityTypeEnum`, those served here).
    static let lineEntities: Set<String> = ["Customer", "Vendor", "Employee"]

    /// Fields QuickBooks computes; whatever a client sends for them is ignored.
    static let readOnly: Set<String> = ["Id", "SyncToken", "MetaData", "domain", "sparse", "TotalAmt", "Balance", "CurrentBalance", "FullyQualifiedName", "status"]

    /// A body as QuickBooks stores it: no nulls and no empty strings (the official SDK sends
    /// `""` for every unset field), recursively.
    static func cleaned(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .null: return nil
        case .string(let text): return text.isEmpty ? nil : value
        case .array(let values): return .array(values.compactMap(cleaned))
        case .object(let fields): return .object(fields.compactMapValues(cleaned))
        default: return value
        }
    }

    /// Checks a create or full update of `entity` and fills what QuickBooks derives; the
    /// refusal is QBO's own fault answer.
    static func prepare(_ entity: String, _ fields: [String: JSONValue], id: String, world: QuickBooksWorld) -> Result<[String: JSONValue], Refusal> {
        var fields = fields
        switch entity {
        case "Vendor", "Customer", "Employee":
            if fields["DisplayName"] == nil {
                let joined = [fields["GivenName"]?.text, fields["FamilyName"]?.text].compactMap { $0 }.joined(separator: " ")
                guard let name = fields["CompanyName"]?.text ?? (joined.isEmpty ? nil : joined) else {
                    return .failure(Refusal(QuickBooksErrors.invalid("2020", "Required param missing, need to supply the required value for the API", detail: "Required parameter DisplayName is missing in the request", element: "DisplayName")))
                }
                fields["DisplayName"] = .string(name)
            }
            let name = fields["DisplayName"]?.text ?? ""
            // QBO: DisplayName is unique across customers, vendors and employees (api digest 1.3, 6240).
            let clash = ["Vendor", "Customer", "Employee"].contains { kind in world.entities[kind, default: [:]].values.contains { $0["DisplayName"]?.text == name && $0["Id"]?.text != id } }
            if clash {
                return .failure(Refusal(QuickBooksErrors.invalid("6240", "Duplicate Name Exists Error", detail: "The name supplied already exists. : \(name)", element: "DisplayName")))
            }
            fields["Active"] = fields["Active"] ?? .bool(true)
        case "Class", "Department", "Account":
            guard let name = fields["Name"]?.text else {
                return .failure(Refusal(QuickBooksErrors.invalid("2020", "Required param missing, need to supply the required value for the API", detail: "Required parameter Name is missing in the request", element: "Name")))
            }
            fields["FullyQualifiedName"] = .string(name)
            fields["Active"] = fields["Active"] ?? .bool(true)
        case "Bill", "JournalEntry", "Invoice", "Payment":
            return prepareTransaction(entity, fields, id: id, world: world)
        case "BillPayment":
            return prepareBillPayment(fields, world: world)
        default:
            break
        }
        return .success(fields)
    }

    private static func prepareTransaction(_ entity: String, _ fields: [String: JSONValue], id: String, world: QuickBooksWorld) -> Result<[String: JSONValue], Refusal> {
        var fields = fields
        let partyField = entity == "Bill" ? "VendorRef" : "CustomerRef"
        if entity != "JournalEntry" {
            guard let party = fields[partyField]?["value"]?.text else {
                return .failure(Refusal(QuickBooksErrors.invalid("2020", "Required param missing, need to supply the required value for the API", detail: "Required parameter \(partyField) is missing in the request", element: partyField)))
            }
            guard let found = world.entities[entity == "Bill" ? "Vendor" : "Customer"]?[party] else {
                return .failure(Refusal(QuickBooksErrors.invalid("2500", "Invalid Reference Id", detail: "Invalid Reference Id : \(partyField) \(party) does not exist", element: partyField)))
            }
            fields[partyField] = .object(["value": .string(party), "name": found["DisplayName"] ?? .null])
        }
        let lines = fields["Line"]?.array ?? []
        if entity != "Payment", lines.isEmpty {
            return .failure(Refusal(QuickBooksErrors.invalid("2020", "Required param missing, need to supply the required value for the API", detail: "Required parameter Line is missing in the request", element: "Line")))
        }
        var numbered: [JSONValue] = []
        var total = Decimal(0)
        var debits = Decimal(0)
        var credits = Decimal(0)
        for (index, line) in lines.enumerated() {
            guard var object = line.object, let amount = object["Amount"]?.decimal else {
                return .failure(Refusal(QuickBooksErrors.invalid("2020", "Required param missing, need to supply the required value for the API", detail: "Required parameter Line.Amount is missing in the request", element: "Line.Amount")))
            }
            object["Id"] = object["Id"] ?? .string("\(index + 1)")
            object["LineNum"] = .int(index + 1)
            if entity == "Bill", let account = object["AccountBasedExpenseLineDetail"]?["AccountRef"]?["value"]?.text, world.entities["Account"]?[account] == nil {
                return .failure(Refusal(QuickBooksErrors.invalid("2500", "Invalid Reference Id", detail: "Invalid Reference Id : Accounts element id \(account) not found", element: "Line.AccountRef")))
            }
            if entity == "JournalEntry", let named = object["JournalEntryLineDetail"]?["Entity"] {
                // XSD EntityTypeRef: the Type and the record it names must agree and exist.
                guard let type = named["Type"]?.text, lineEntities.contains(type), let party = named["EntityRef"]?["value"]?.text, let found = world.entities[type]?[party] else {
                    return .failure(Refusal(QuickBooksErrors.invalid("2500", "Invalid Reference Id", detail: "Invalid Reference Id : Line.JournalEntryLineDetail.Entity does not name an existing customer, vendor or employee", element: "Line.JournalEntryLineDetail.Entity")))
                }
                var detail = object["JournalEntryLineDetail"]?.object ?? [:]
                detail["Entity"] = .object(["Type": .string(type), "EntityRef": .object(["value": .string(party), "name": found["DisplayName"] ?? .null])])
                object["JournalEntryLineDetail"] = .object(detail)
            }
            if entity == "JournalEntry" {
                switch object["JournalEntryLineDetail"]?["PostingType"]?.text {
                case "Debit": debits += amount
                case "Credit": credits += amount
                default:
                    return .failure(Refusal(QuickBooksErrors.invalid("2170", "Invalid Enumeration", detail: "PostingType must be Debit or Credit", element: "Line.JournalEntryLineDetail.PostingType")))
                }
            }
            total += amount
            numbered.append(.object(object))
        }
        if entity == "JournalEntry" {
            guard debits == credits else {
                return .failure(Refusal(QuickBooksErrors.invalid("6000", "A business validation error has occurred while processing your request",
                                                                      detail: "Business Validation Error: Your transaction must balance: debits \(debits), credits \(credits)")))
            }
            total = debits
        }
        if let number = fields["DocNumber"]?.text, entity == "Bill" || entity == "Invoice" {
            if number.count > 21 { return .failure(Refusal(QuickBooksErrors.invalid("2050", "String length is either shorter or longer than supported by specification", detail: "DocNumber is longer than 21", element: "DocNumber"))) }
            if world.entities[entity, default: [:]].values.contains(where: { $0["DocNumber"]?.text == number && $0["Id"]?.text != id && $0[partyField]?["value"] == fields[partyField]?["value"] }) {
                return .failure(Refusal(QuickBooksErrors.invalid("6140", "Duplicate Document Number Error", detail: "Duplicate Document Number Error : You must specify a different number. This number has already been used.", element: "DocNumber")))
            }
        }
        fields["Line"] = .array(numbered)
        let today = QuickBooksWorld.today(Date())
        fields["TxnDate"] = fields["TxnDate"] ?? .string(today)
        if entity == "Bill" || entity == "Invoice" { fields["DueDate"] = fields["DueDate"] ?? fields["TxnDate"] }
        fields["CurrencyRef"] = fields["CurrencyRef"] ?? .object(["value": .string("USD"), "name": .string("United States Dollar")])
        if entity == "Payment" {
            guard fields["TotalAmt"] == nil || fields["TotalAmt"]?.decimal != nil else { return .success(fields) }
        } else {
            fields["TotalAmt"] = .decimalNumber(total)
            if entity != "JournalEntry" { fields["Balance"] = .decimalNumber(total) }
        }
        return .success(fields)
    }
}

extension QuickBooksEntityRules {
    /// A write refused, as QuickBooks words it.
    struct Refusal: Error {
        var response: Response

        init(_ response: Response) {
            self.response = response
        }
    }
}

extension JSONValue {
    /// A decimal as a JSON number, as QuickBooks sends amounts.
    static func decimalNumber(_ value: Decimal) -> JSONValue {
        var copy = value
        return .number(NSDecimalString(&copy, Locale(identifier: "en_US_POSIX")))
    }
}
