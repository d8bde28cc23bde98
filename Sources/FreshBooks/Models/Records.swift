import ConnectorKit
import Foundation

/// A FreshBooks expense.
public struct Expense: Decodable, Sendable, Equatable {
    public var id: Int
    public var categoryID: Int?
    public var date: String?
    public var amount: MoneyObject
    public var vendor: String?
    public var notes: String?
    /// The client billed back, 0 for none.
    public var clientID: Int
    public var projectID: Int
    /// The staff member who recorded it (`users/staffs`), when FreshBooks names one.
    public var staffID: Int?
    public var updated: Date?
    public var visState: Int

    enum CodingKeys: String, CodingKey { case id, categoryid, date, amount, vendor, notes, clientid, projectid, staffid, updated, vis_state }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        categoryID = try container.decodeIfPresent(Int.self, forKey: .categoryid)
        date = try container.decodeIfPresent(String.self, forKey: .date)
        amount = try container.decode(MoneyObject.self, forKey: .amount)
        vendor = try container.decodeIfPresent(String.self, forKey: .vendor)
        notes = try container.decodeIfPresent(String.self, forKey: .notes)
        clientID = try container.decodeIfPresent(Int.self, forKey: .clientid) ?? 0
        projectID = try container.decodeIfPresent(Int.self, forKey: .projectid) ?? 0
        staffID = try container.decodeIfPresent(Int.self, forKey: .staffid)
        updated = try EasternTimestamp.decodeIfPresent(container, .updated)
        visState = try container.decodeIfPresent(Int.self, forKey: .vis_state) ?? 0
    }
}

/// What `create-expense` sends.
public struct ExpenseDraft: Encodable, Sendable, Equatable {
    public var categoryid: Int
    public var staffid: Int
    public var date: String
    public var amount: MoneyObject
    public var vendor: String?
    public var notes: String?
    public var clientid: Int?
    public var projectid: Int?

    /// Creates an expense draft; `clientID` and `projectID` bill it back.
    public init(categoryID: Int, date: String, amount: Money, vendor: String? = nil, notes: String? = nil, clientID: Int? = nil, projectID: Int? = nil, staffID: Int = 1) {
        categoryid = categoryID
        staffid = staffID
        self.date = date
        self.amount = MoneyObject(amount)
        self.vendor = vendor
        self.notes = notes
        clientid = clientID
        projectid = projectID
    }
}

/// A FreshBooks payment against an invoice.
public struct Payment: Decodable, Sendable, Equatable {
    public var id: Int
    public var invoiceID: Int
    public var clientID: Int?
    public var amount: MoneyObject
    public var date: String?
    public var type: String?
    public var note: String?
    public var updated: Date?
    public var visState: Int

    /// Received or refunded.
    public var state: PaymentState { PaymentState.of(type: type, amount: amount.amount) }

    enum CodingKeys: String, CodingKey { case id, invoiceid, clientid, amount, date, type, note, updated, vis_state }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        invoiceID = try container.decode(Int.self, forKey: .invoiceid)
        clientID = try container.decodeIfPresent(Int.self, forKey: .clientid)
        amount = try container.decode(MoneyObject.self, forKey: .amount)
        date = try container.decodeIfPresent(String.self, forKey: .date)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        updated = try EasternTimestamp.decodeIfPresent(container, .updated)
        visState = try container.decodeIfPresent(Int.self, forKey: .vis_state) ?? 0
    }
}

/// A FreshBooks project (project-like family: UTC times).
public struct Project: Codable, Sendable, Equatable {
    public var id: Int
    public var title: String
    public var description: String?
    public var due_date: String?
    public var client_id: Int?
    public var active: Bool?
    public var complete: Bool?
    public var updated_at: String?

    /// When it last changed, from the UTC `updated_at`.
    public var updated: Date? { updated_at.flatMap(FreshBooksWire.parseUTC) }
}

/// What creating or updating a project sends.
public struct ProjectDraft: Encodable, Sendable, Equatable {
    public var title: String?
    public var description: String?
    public var due_date: String?
    public var client_id: Int?
    public var complete: Bool?
    public var project_type: String?

    /// Creates a draft; nil fields are left out.
    public init(title: String? = nil, description: String? = nil, dueDate: String? = nil, clientID: Int? = nil, complete: Bool? = nil, projectType: String? = nil) {
        self.title = title
        self.description = description
        due_date = dueDate
        client_id = clientID
        self.complete = complete
        project_type = projectType
    }
}

/// A FreshBooks time entry.
public struct TimeEntry: Codable, Sendable, Equatable {
    public var id: Int
    public var identity_id: Int?
    public var started_at: String?
    public var created_at: String?
    public var client_id: Int?
    public var project_id: Int?
    public var note: String?
    /// Seconds.
    public var duration: Int
    public var billable: Bool?
}

/// A webhook callback registration.
public struct Callback: Codable, Sendable, Equatable {
    public var callbackid: Int
    public var event: String
    public var uri: String
    public var verified: Bool
    public var updated_at: String?

    /// Creates a callback description.
    public init(callbackid: Int, event: String, uri: String, verified: Bool, updated_at: String?) {
        self.callbackid = callbackid
        self.event = event
        self.uri = uri
        self.verified = verified
        self.updated_at = updated_at
    }
}

/// A team member of a business.
public struct TeamMember: Codable, Sendable, Equatable {
    public var uuid: String?
    public var identity_id: Int?
    public var first_name: String?
    public var last_name: String?
    public var email: String?
    public var business_role_name: String?
    public var active: Bool?
}

/// An expense category.
public struct ExpenseCategory: Codable, Sendable, Equatable {
    public var id: Int
    public var category: String
}

/// `users/me`: who the token belongs to and the businesses they can reach.
public struct Identity: Codable, Sendable, Equatable {
    public var identity_id: Int
    public var first_name: String?
    public var last_name: String?
    public var email: String?
    public var business_memberships: [BusinessMembership]
}

/// One business a user belongs to, and their role in it.
public struct BusinessMembership: Codable, Sendable, Equatable {
    public var id: Int
    public var role: String
    public var business: Business

    /// The business: `id` is the business_id, `account_id` the accounting tenant (digest A3).
    public struct Business: Codable, Sendable, Equatable {
        public var id: Int
        public var business_uuid: String?
        public var name: String
        public var account_id: String
    }
}
