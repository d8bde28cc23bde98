import Foundation

extension AcumaticaWorld {
    /// The demo tenant: three vendors, two employees, three bills (Balanced, On Hold, Pending
    /// Approval) and one purchase order pending approval.
    mutating func seed() {
        for (id, name) in [("ACMEPAPER", "Acme Paper Supply"), ("PRINTICO", "Printico Ltd"), ("TECHSERV", "Tech Services LLC")] {
            _ = insert(.Vendor, ["VendorID": .string(id), "VendorName": .string(name), "Status": .string("Active"), "VendorClass": .string("DEFAULT"),
                                 "CurrencyID": .string("USD"), "Terms": .string("30D")])
        }
        for (id, name, email) in [("EP00000001", "Maria Lopez", "maria.lopez@sandboxco.test"), ("EP00000002", "Sam Chen", "sam.chen@sandboxco.test")] {
            // ContactInfo is a linked entity: its fields are wrapped, the object itself is not.
            _ = insert(.Employee, wire: .object(["EmployeeID": Self.wrap(.string(id)), "EmployeeName": Self.wrap(.string(name)), "Status": Self.wrap(.string("Active")),
                                                 "ContactInfo": .object(["Email": Self.wrap(.string(email)), "DisplayName": Self.wrap(.string(name))])]))
        }
        let line: (String, String, String) -> JSONValue = { description, qty, cost in
            .object(["TransactionDescription": Self.wrap(.string(description)), "Qty": Self.wrap(.number(qty)), "UnitCost": Self.wrap(.number(cost)),
                     "Branch": Self.wrap(.string("HEADOFFICE")), "Account": Self.wrap(.string("61000")), "Subaccount": Self.wrap(.string("000000"))])
        }
        for (vendor, ref, status, lines) in [("ACMEPAPER", "AP-1001", "Balanced", [line("Copy paper", "10", "4.25")]),
                                              ("PRINTICO", "PR-2002", "On Hold", [line("Brochures", "500", "0.31"), line("Setup", "1", "45.00")]),
                                              ("TECHSERV", "TS-3003", "Pending Approval", [line("Support hours", "12", "95.50")])] {
            _ = insert(.Bill, ["Type": .string("Bill"), "Vendor": .string(vendor), "VendorRef": .string(ref), "Description": .string("Seeded \(ref)"),
                               "Hold": .bool(status == "On Hold"), "Status": .string(status)], details: lines)
        }
        _ = insert(.PurchaseOrder, ["Type": .string("Normal"), "VendorID": .string("ACMEPAPER"), "Description": .string("Quarterly paper order"),
                                    "Hold": .bool(false), "Status": .string("Pending Approval")],
                   details: [.object(["InventoryID": Self.wrap(.string("PAPER-A4")), "OrderQty": Self.wrap(.number("40")), "UnitCost": Self.wrap(.number("4.10"))])])
    }
}
