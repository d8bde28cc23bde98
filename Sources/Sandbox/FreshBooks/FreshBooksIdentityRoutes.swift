import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// `GET /auth/api/v1/users/me` and team members (api digest A3): `{"response": …}` with no
    /// `result` level; a user may belong to several businesses.
    func addIdentityRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/auth/api/v1/users/me") { [self] request, _ -> Response in
            if let refusal = await gate(request, family: .auth) { return refusal }
            return world.withLockedValue { world in
                let memberships = world.businesses.enumerated().map { index, business in
                    JSONValue.object([
                        "id": .int(140130 + index), "role": .string(business.role), "unacknowledged_change": .bool(false),
                        "business": .object([
                            "id": .int(business.id), "business_uuid": .string(business.uuid), "name": .string(business.name), "account_id": .string(business.accountID),
                            "date_format": .string("mm/dd/yyyy"), "phone_number": .null, "business_clients": .array([]),
                            "address": .object(["id": .int(76433 + index), "street": .string("1 Sandbox Way"), "city": .string("Toronto"), "province": .string("ON"),
                                                "country": .string("Canada"), "postal_code": .string("M5V 1A1")]),
                        ]),
                    ])
                }
                return SandboxHTTP.json(.ok, .object(["response": .object([
                    "id": .int(world.identityID), "identity_id": .int(world.identityID), "identity_uuid": .string("identity-\(world.identityID)"),
                    "first_name": .string("Avery"), "last_name": .string("Owner"), "email": .string("avery@sandbox-agency.test"), "language": .string("en"),
                    "confirmed_at": .string("2020-01-01T00:00:00Z"), "created_at": .string("2020-01-01T00:00:00Z"), "setup_complete": .bool(true),
                    "business_memberships": .array(memberships),
                    "roles": .array(world.businesses.enumerated().map { index, business in
                        .object(["id": .int(61270 + index), "role": .string(business.role == "owner" ? "admin" : business.role), "systemid": .int(654654 + index), "userid": .int(1),
                                 "created_at": .string("2020-01-01T00:00:00Z"), "links": .object(["destroy": .string("/service/auth/api/v1/users/role/\(61270 + index)")]),
                                 "accountid": .string(business.accountID)])
                    }),
                    "permissions": .object(Dictionary(uniqueKeysWithValues: world.businesses.map { ($0.accountID, JSONValue.object([:])) })),
                    "subscription_statuses": .object(Dictionary(uniqueKeysWithValues: world.businesses.map { ($0.accountID, JSONValue.string("active")) })),
                    "groups": .array([]), "addresses": .array([]), "identity_origin": .null, "integrations": .object([:]), "unconfirmed_email": .null,
                    "links": .object(["me": .string("/service/auth/api/v1/users?id=\(world.identityID)"), "roles": .string("/service/auth/api/v1/users/role/\(world.identityID)")]),
                    "phone_numbers": .array([.object(["title": .string(""), "phone_number": .null])]),
                    "profession": .object(["id": .int(65432), "business_id": .null, "title": .string("Operations"), "company": .string(world.primary.name), "designation": .null]),
                    "profile": .object(["setup_complete": .bool(true), "first_name": .string("Avery"), "last_name": .string("Owner"), "phone_number": .null, "address": .null,
                                        "professions": .array([]), "has_password": .bool(true)]),
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
