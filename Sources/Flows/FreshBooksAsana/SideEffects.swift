import Asana
import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Store

/// The idempotency keys of this integration's creates and side effects, spelled once. Each is
/// derived from the records involved (and, for a report, the change reported), never from a
/// job or an attempt, so a retry, a merged job and a replay all find the same intent.
enum IntentKey {
    /// The FreshBooks project made for an Asana project.
    static func project(_ asanaProject: ExternalRef) -> String { "freshbooks-project:\(asanaProject)" }
    /// The billed-back expense of an Asana task.
    static func expense(_ asanaTask: ExternalRef) -> String { "freshbooks-expense:\(asanaTask)" }
    /// The draft invoice carrying our number.
    static func invoice(number: String) -> String { "freshbooks-invoice:\(number)" }
    /// Marking that invoice sent.
    static func markSent(number: String) -> String { "freshbooks-mark-sent:\(number)" }
    /// A comment on a task about a record, for one change of it (the change's content hash).
    static func comment(task: ExternalRef, about record: ExternalRef, hash: String) -> String { "asana-comment:\(task):\(record):\(hash)" }
}

extension FreshBooksAsanaSession {
    /// Posts `text` on a task at most once for `key`; an attempt after an uncertain one reads
    /// the task's stories before posting again. Returns the write that confirms it.
    func comment(task gid: String, key: String, text: String) async throws -> StoreWrite {
        try await AsanaScope.comment(task: gid, key: key, text: text, asana: asana, intents: context.intents)
    }

    /// Marks a draft invoice sent at most once; an attempt after a failed or uncertain one
    /// finds the invoice still a draft and marks it then.
    func markSent(_ invoice: FreshBooks.Invoice) async throws -> StoreWrite {
        try await context.intents.sideEffect(IntentKey.markSent(number: invoice.invoiceNumber), happened: {
            try await !freshbooks.invoice(id: invoice.id).isDraft
        }, perform: {
            _ = try await freshbooks.markInvoiceSent(id: invoice.id)
        })
    }

    /// True when this integration may have marked the invoice sent itself (an attempt that did
    /// not complete): its lines are ours, not a change to report.
    func markedSentByUs(_ invoice: FreshBooks.Invoice) async throws -> Bool {
        try await context.intents.peek(IntentKey.markSent(number: invoice.invoiceNumber)).needsLookUp
    }
}
