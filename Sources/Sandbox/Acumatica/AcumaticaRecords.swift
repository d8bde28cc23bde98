import Foundation

extension AcumaticaWorld {
    /// Inserts a record from bare values (wrapped here) and wire-form detail lines; assigns the
    /// entity id, document number, defaults and totals, as the screen's graph would.
    mutating func insert(_ entity: Entity, _ values: [String: JSONValue], details: [JSONValue] = []) -> JSONValue {
        var fields = values.mapValues { Self.wrap($0) }
        fields["Details"] = details.isEmpty ? nil : .array(details)
        return insert(entity, wire: .object(fields))
    }

    /// Inserts a record given in wire form.
    mutating func insert(_ entity: Entity, wire: JSONValue) -> JSONValue {
        var record = wire
        record["id"] = .string(UUID().uuidString.lowercased())
        record["custom"] = .object([:])
        record["delete"] = nil
        switch entity {
        case .Bill:
            if record["ReferenceNbr"]?["value"]?.text == nil { record["ReferenceNbr"] = Self.wrap(.string(newNumber())) }
            if record["Type"]?["value"]?.text == nil { record["Type"] = Self.wrap(.string("Bill")) }
            if record["Status"] == nil { record["Status"] = Self.wrap(.string(record["Hold"]?["value"]?.bool == true ? "On Hold" : "Balanced")) }
            if record["Hold"] == nil { record["Hold"] = Self.wrap(.bool(false)) }
            if record["ApprovedForPayment"] == nil { record["ApprovedForPayment"] = Self.wrap(.bool(false)) }
        case .PurchaseOrder:
            if record["OrderNbr"]?["value"]?.text == nil { record["OrderNbr"] = Self.wrap(.string("PO" + newNumber())) }
            if record["Status"] == nil { record["Status"] = Self.wrap(.string(record["Hold"]?["value"]?.bool == true ? "On Hold" : "Open")) }
        case .Vendor, .Employee:
            if record["Status"] == nil { record["Status"] = Self.wrap(.string("Active")) }
        }
        if entity == .Bill || entity == .PurchaseOrder {
            if record["CurrencyID"] == nil { record["CurrencyID"] = Self.wrap(.string("USD")) }
            if record["Date"] == nil { record["Date"] = Self.wrap(.string(String(Self.dateTime(Date()).prefix(10)) + "T00:00:00+00:00")) }
        }
        record["Details"] = record["Details"]?.array.map { lines in .array(lines.map(Self.newLine)) }
        Self.normalizeDates(&record)
        Self.total(&record, entity: entity)
        record["LastModifiedDateTime"] = Self.wrap(.string(stamp()))
        records[entity, default: []].append(record)
        return record
    }

    /// Lays `changes` (wire form) over the record at `index`: absent fields stay, detail lines
    /// with an `id` change, `"delete": true` removes one, lines without an id are added.
    mutating func update(_ entity: Entity, at index: Int, with changes: JSONValue) -> JSONValue {
        guard var record = records[entity]?[index], let fields = changes.object else { return records[entity]?[index] ?? .null }
        for (key, value) in fields where !["id", "rowNumber", "custom", "Details", "delete", "_links", "files"].contains(key) {
            if value["value"] != nil { record[key] = value }
        }
        if let lines = fields["Details"]?.array {
            var current = record["Details"]?.array ?? []
            for line in lines {
                if let id = line["id"]?.text, let at = current.firstIndex(where: { $0["id"]?.text == id }) {
                    if line["delete"]?.bool == true { current.remove(at: at) } else { current[at] = Self.merge(current[at], line) }
                } else if line["delete"]?.bool != true {
                    current.append(Self.newLine(line))
                }
            }
            record["Details"] = .array(current)
        }
        Self.normalizeDates(&record)
        if entity == .Bill, fields["Hold"]?["value"]?.bool == false, record["Status"]?["value"]?.text == "On Hold" { record["Status"] = Self.wrap(.string("Balanced")) }
        if entity == .Bill, fields["Hold"]?["value"]?.bool == true { record["Status"] = Self.wrap(.string("On Hold")) }
        Self.total(&record, entity: entity)
        record["LastModifiedDateTime"] = Self.wrap(.string(stamp()))
        records[entity]?[index] = record
        return record
    }

    /// Marks a record changed (an action finished) with `fields` set.
    mutating func set(_ entity: Entity, at index: Int, _ fields: [String: JSONValue]) -> (before: JSONValue, after: JSONValue)? {
        guard let before = records[entity]?[index] else { return nil }
        var record = before
        for (key, value) in fields { record[key] = Self.wrap(value) }
        record["LastModifiedDateTime"] = Self.wrap(.string(stamp()))
        records[entity]?[index] = record
        return (before, record)
    }

    /// A date sent as `2026-04-08` is kept and answered as the date-time it means.
    private static func normalizeDates(_ record: inout JSONValue) {
        for field in ["Date", "DueDate", "PromisedOn"] {
            if let text = record[field]?["value"]?.text, text.count == 10 { record[field] = wrap(.string(text + "T00:00:00+00:00")) }
        }
    }

    private static func newLine(_ line: JSONValue) -> JSONValue {
        var line = line
        line["id"] = .string(UUID().uuidString.lowercased())
        line["delete"] = nil
        line["custom"] = .object([:])
        return line
    }

    private static func merge(_ line: JSONValue, _ changes: JSONValue) -> JSONValue {
        var merged = line
        for (key, value) in changes.object ?? [:] where value["value"] != nil { merged[key] = value }
        return merged
    }

    /// Line extended costs and the document total, in `Decimal`.
    private static func total(_ record: inout JSONValue, entity: Entity) {
        guard entity == .Bill || entity == .PurchaseOrder else { return }
        let quantityField = entity == .Bill ? "Qty" : "OrderQty"
        var total = Decimal(0)
        let lines: [JSONValue] = (record["Details"]?.array ?? []).map { line in
            var line = line
            let quantity = line[quantityField]?["value"]?.decimal ?? 1
            let cost = line["UnitCost"]?["value"]?.decimal ?? line["Amount"]?["value"]?.decimal ?? 0
            let extended = quantity * cost
            line["ExtendedCost"] = wrap(number(extended))
            if entity == .Bill { line["Amount"] = wrap(number(extended)) }
            total += extended
            return line
        }
        if record["Details"] != nil { record["Details"] = .array(lines) }
        if entity == .Bill {
            record["Amount"] = wrap(number(total))
            if record["Status"]?["value"]?.text != "Closed" { record["Balance"] = wrap(number(total)) }
            record["TaxTotal"] = wrap(.number("0"))
        } else {
            record["OrderTotal"] = wrap(number(total))
            record["LineTotal"] = wrap(number(total))
        }
    }

    /// A decimal as a JSON number (DecimalValue is a number on the wire, digest 2.3).
    static func number(_ value: Decimal) -> JSONValue {
        var copy = value
        return .number(NSDecimalString(&copy, Locale(identifier: "en_US_POSIX")))
    }
}
