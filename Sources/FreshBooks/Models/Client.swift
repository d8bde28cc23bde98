import Foundation

/// A FreshBooks client (a customer of the business), from `/users/clients`.
public struct Client: Decodable, Sendable, Equatable {
    public var id: Int
    public var firstName: String?
    public var lastName: String?
    public var organization: String?
    public var email: String?
    public var currencyCode: String?
    /// Last change, converted from US/Eastern.
    public var updated: Date?
    /// 0 active, 1 deleted, 2 archived.
    public var visState: Int

    enum CodingKeys: String, CodingKey {
        case id, fname, lname, organization, email, currency_code, updated, vis_state
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        firstName = try container.decodeIfPresent(String.self, forKey: .fname)
        lastName = try container.decodeIfPresent(String.self, forKey: .lname)
        organization = try container.decodeIfPresent(String.self, forKey: .organization)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        currencyCode = try container.decodeIfPresent(String.self, forKey: .currency_code)
        updated = try EasternTimestamp.decodeIfPresent(container, .updated)
        visState = try container.decodeIfPresent(Int.self, forKey: .vis_state) ?? 0
    }
}

/// What `create-client` sends: `{"client": {…}}`.
public struct ClientDraft: Encodable, Sendable, Equatable {
    public var fname: String?
    public var lname: String?
    public var organization: String?
    public var email: String?
    public var currency_code: String?
    public var p_street: String?
    public var p_city: String?
    public var p_province: String?
    public var p_code: String?
    public var p_country: String?

    /// Creates a draft.
    public init(firstName: String? = nil, lastName: String? = nil, organization: String? = nil, email: String? = nil, currencyCode: String? = nil,
                street: String? = nil, city: String? = nil, province: String? = nil, postalCode: String? = nil, country: String? = nil) {
        fname = firstName
        lname = lastName
        self.organization = organization
        self.email = email
        currency_code = currencyCode
        p_street = street
        p_city = city
        p_province = province
        p_code = postalCode
        p_country = country
    }
}
