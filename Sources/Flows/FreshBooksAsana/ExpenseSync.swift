import Asana
import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Store

extension FreshBooksAsanaSession {
    /// A completed task's expense field → one FreshBooks expense billed back to the project's
    /// client and project (created once; a later change of amount is reported on the task).
    /// `previous` is the task's link to its expense, if any.
    func syncExpense(task: AsanaTask, previous: Link?, clientID: Int, projectID: Int) async throws -> (writes: [StoreWrite], action: String?) {
        guard let field = config.asana.fields.expense_amount, let category = config.freshbooks.expense?.category, task.completed,
              let amount = task.value(of: field)?.number_value, amount != 0 else { return ([], nil) }
        let source = ExternalRef.asana(.task, task.gid)
        let marker = "Asana task \(task.gid)"
        let day = String((task.completed_at ?? AsanaTime.format(context.now)).prefix(10))
        let draft = ExpenseDraft(categoryID: category, date: day, amount: Money(amount, currency), vendor: task.name, notes: marker, clientID: clientID, projectID: projectID)
        let hash = FreshBooksAsanaMapping.contentHash(draft)
        if previous?.contentHash == hash { return ([], nil) }
        // Billing runs one job per project, so no other job creates this expense meanwhile.
        if let previous {
            // FreshBooks keeps the first amount once billed; a change is reported on the task, once.
            let reported = try await comment(task: task.gid, key: IntentKey.comment(task: source, about: previous.target, hash: hash),
                                             text: "Expense change not applied: FreshBooks expense \(previous.target.id) was already recorded. Amend it in FreshBooks if needed.")
            return ([reported, newLink(source, previous.target, hash: hash, previous: previous)], "reported: expense already recorded")
        }
        // The task's marker in the notes finds an expense an earlier attempt may have created.
        let (expense, confirm) = try await context.intents.create(IntentKey.expense(source), target: { .freshbooks(.expense, $0.id) },
            lookUp: { try await freshbooks.expenses(AccountingSearch(clientID: clientID)).collect().first { $0.notes == marker } },
            make: { try await freshbooks.createExpense(draft) })
        let target = ExternalRef.freshbooks(.expense, expense.id)
        return ([confirm, newLink(source, target, hash: hash, previous: nil)], "create billed-back expense")
    }
}
