import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// `GET /auth/api/v1/users/me` and team members (api digest A3): `{"response": …}` with no
    /// `result` level; a user may belong to several businesses.
    func addIdentityRoutes(to router: Router<BasicRequestContext>) {
        router.get("/auth/api/v1/users/me") { [self] request, _ -> Response in
            if let refusal = await gate(request, family: .auth) { return refusal }
            return world.withLockedValue { world in
                let memberships = world.businesses.enumerated().map { index, business in
                    JSONValue.object([
                        "id": .int(140130 + index), "role": .string(business.role), "unacknowledged_change": .bool(false),
                        "business": .object([
                            "id": .int(business.id), "business_uuid": .string(business.uuid), "name": .string(business.name), "account_id": .string(business.accountID),
                            "date_format": .string("mm/dd/yyyy"), "address": .object([:]), "phone_number": .null, "business_clients": .array([]),
                        ]),
                    ])
                }
                return SandboxHTTP.json(.ok, .object(["response": .object([
                    "id": .int(world.identityID), "identity_id": .int(world.identityID), "identity_uuid": .string("identity-\(world.identityID)"),
                    "first_name": .string("Avery"), "last_name": .string("Owner"), "email": .string("avery@sandbox-agency.test"), "language": .string("en"),
                    "confirmed_at": .string("2020-01-01T00:00:00Z"), "created_at": .string("2020-01-01T00:00:00Z"), "setup_complete": .bool(true),
                    "business_memberships": .array(memberships),
                    "roles": .array(world.businesses.map { .object(["role": .string($0.role == "owner" ? "admin" : $0.role), "accountid": .string($0.accountID)]) }),
                    "permissions": .object([:]), "groups": .array([]), "subscription_statuses": .object([:]),
                ])]))
            }
        }

        router.get("/auth/api/v1/businesses/:business/team_members") { [self] request, context -> Response in
            let business = try context.parameters.require("business")
            if let refusal = await gate(request, family: .auth, business: business) { return refusal }
            let members = world.withLockedValue { $0.teamMembers }
            return SandboxHTTP.json(.ok, .object(["response": .array(members), "meta": .object(["page": .int(1), "per_page": .int(100), "total": .int(members.count)])]))
        }
    }
}
