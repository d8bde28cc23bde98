import Asana
import Foundation
import Testing

/// Which custom field inputs a task, as read, shows already (a write of the rest changes only those).
@Suite struct CustomFieldInputShownTests {
    static let task = """
        {"gid": "1", "name": "Studio rent", "completed": false, "custom_fields": [
          {"gid": "amount", "number_value": 2400.00},
          {"gid": "due", "date_value": {"date": "2026-12-15"}},
          {"gid": "status", "enum_value": {"gid": "open", "name": "open"}},
          {"gid": "email", "text_value": null},
          {"gid": "terms", "text_value": "Net 30"}
        ]}
        """

    @Test func onlyWhatTheTaskDoesNotShowIsAChange() throws {
        let task = try JSONDecoder().decode(AsanaTask.self, from: Data(Self.task.utf8))
        let inputs: [String: CustomFieldInput] = [
            "amount": .number(2400), "due": .date("2026-12-15"), "status": .enumOption("open"), "email": .clear, "terms": .text("Net 30"),
        ]
        #expect(task.changes(inputs).isEmpty)
        let changed: [String: CustomFieldInput] = [
            "amount": .number(2600), "due": .date("2026-12-31"), "status": .enumOption("paid"), "email": .text("ap@pacific.test"), "terms": .clear, "balance": .number(0),
        ]
        #expect(task.changes(changed) == changed)
        // A field the task carries no value for shows an empty text and a clear, and nothing else.
        #expect(task.changes(["email": .text(""), "absent": .clear]).isEmpty)
    }
}
