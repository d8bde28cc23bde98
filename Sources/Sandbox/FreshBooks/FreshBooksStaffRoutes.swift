import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// The legacy staff list under `/accounting/account/<id>/users/staffs` (api digest A6: list
    /// and read, no create), in the accounting envelope like the other `users/…` resources.
    func addStaffRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let base = "/accounting/account/:account/users/staffs"
        router.get(RouterPath(base)) { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            return AccountingListing.page(world.withLockedValue { Array($0.staff.values) }, request: request, listName: "staffs")
        }
        router.get("\(base)/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = try context.parameters.require("id")
            guard let member = world.withLockedValue({ $0.staff[Int(id) ?? -1] }) else { return FreshBooksErrors.notFound(.accounting, object: "staff", field: "staffid", value: id) }
            return single("staff", member)
        }
    }

    /// A person joining the business's staff, as the owner adds them in FreshBooks (demo and
    /// tests); returns the staff id an expense names.
    @discardableResult
    public func addStaff(firstName: String, lastName: String, email: String) -> Int {
        world.withLockedValue { world in
            let id = (world.staff.keys.max() ?? 0) + 1
            world.staff[id] = FreshBooksWorld.staffMember(id: id, first: firstName, last: lastName, email: email)
            return id
        }
    }
}
