import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// FreshBooks' own part of the admin API under `/_sandbox` (the shared part, faults, stats,
    /// revocation and tokens, comes from `SandboxAdminAPI`): a client viewing an invoice, an
    /// invoice's autobill outcome, and every record the sandbox holds.
    func addAdminRoutes(to router: Router<BasicRequestContext>) {
        router.post("/_sandbox/invoices/:id/viewed") { [self] _, context -> Response in
            let changed = markInvoiceViewed(Int(try context.parameters.require("id")) ?? -1)
            return SandboxHTTP.json(changed ? .ok : .conflict, .object(["viewed": .bool(changed)]))
        }
        addAutobillRoute(to: router)
        router.get("/_sandbox/records") { [self] _, _ -> Response in
            SandboxHTTP.json(.ok, records())
        }
    }

    /// Every record the sandbox holds, by resource.
    public func records() -> JSONValue {
        world.withLockedValue { world in
            .object([
                "clients": .array(Array(world.clients.values)), "invoices": .array(Array(world.invoices.values)), "expenses": .array(Array(world.expenses.values)),
                "payments": .array(Array(world.payments.values)), "projects": .array(Array(world.projects.values)), "time_entries": .array(Array(world.timeEntries.values)),
                "callbacks": .array(world.callbacks.values.map(Self.present)),
                "bills": .array(Array(world.bills.values)), "bill_vendors": .array(Array(world.billVendors.values)),
            ])
        }
    }
}
