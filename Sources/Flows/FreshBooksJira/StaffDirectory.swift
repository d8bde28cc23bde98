import ConnectorKit
import Foundation
import FreshBooks

/// The FreshBooks staff of each business, read once per poll run instead of once per record:
/// an expense's `staffid` is resolved here to the email its issue's reporter is matched by.
/// A list read within `maxAge` is used as it is; a staff id missing from it (someone added
/// since) reads the list again, at most once a minute, so a storm of unknown ids costs one read.
actor FreshBooksJiraStaffDirectory {
    /// The process's directory (jobs of one business share its list).
    static let shared = FreshBooksJiraStaffDirectory()

    /// The shortest time between two reads of one business's list.
    static let minimumAge: TimeInterval = 60

    private struct Entry {
        var readAt: Date
        var emails: [Int: String]
    }

    private var entries: [String: Entry] = [:]
    private var reading: [String: Task<[Int: String], any Error>] = [:]

    /// The email of staff member `staffID` of `business`, nil when FreshBooks has none.
    func email(staffID: Int, business: String, now: Date, maxAge: Duration, read: @escaping @Sendable () async throws -> [StaffMember]) async throws -> String? {
        if let entry = entries[business] {
            let age = now.timeIntervalSince(entry.readAt)
            if age >= 0, age < maxAge.timeInterval, entry.emails[staffID] != nil || age < Self.minimumAge { return entry.emails[staffID] }
        }
        // Jobs asking at once share one read.
        let task = reading[business] ?? Task { Self.emails(try await read()) }
        reading[business] = task
        let emails: [Int: String]
        do {
            emails = try await task.value
        } catch {
            reading[business] = nil
            throw error
        }
        reading[business] = nil
        entries[business] = Entry(readAt: now, emails: emails)
        return emails[staffID]
    }

    /// Staff id → email, for active staff with an email.
    static func emails(_ staff: [StaffMember]) -> [Int: String] {
        var emails: [Int: String] = [:]
        for member in staff where member.visState == 0 {
            guard let email = member.email?.trimmingCharacters(in: .whitespaces), !email.isEmpty else { continue }
            emails[member.id] = email
        }
        return emails
    }
}
