import ConnectorKit
import Foundation

/// A staff member of the business from the accounting `users/staffs` list (digest A6): the
/// person an expense's `staffid` names. Team members (`/auth/.../team_members`) supersede it
/// for people management, but expenses still name the staff id, so this is the list that
/// resolves it; its records are legacy accounting users, named like clients (`fname`, `lname`).
public struct StaffMember: Decodable, Sendable, Equatable {
    /// The staff id an expense's `staffid` names.
    public var id: Int
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    /// 0 active, 1 deleted, 2 archived.
    public var visState: Int

    enum CodingKeys: String, CodingKey { case id, staffid, fname, lname, email, vis_state }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = try container.decodeIfPresent(Int.self, forKey: .id) ?? container.decodeIfPresent(Int.self, forKey: .staffid) else {
            throw DecodingError.keyNotFound(CodingKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "a staff member has no id"))
        }
        self.id = id
        firstName = try container.decodeIfPresent(String.self, forKey: .fname)
        lastName = try container.decodeIfPresent(String.self, forKey: .lname)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        visState = try container.decodeIfPresent(Int.self, forKey: .vis_state) ?? 0
    }
}

extension FreshBooksClient {
    /// The business's staff, every page (`/accounting/account/<id>/users/staffs`).
    public func staff() throws -> Paged<StaffMember> {
        try accountingList("users/staffs", StaffMember.self, query: [])
    }
}
