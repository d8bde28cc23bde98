import Asana
import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Store

/// What a project's sync made of it: the outcome, and the FreshBooks client and project its
/// billing goes to (nil when the project is not watched).
struct SyncedProject {
    var outcome: JobOutcome
    var freshbooks: (clientID: Int, projectID: Int)?
}

extension FreshBooksAsanaSession {
    /// An Asana project (with its tasks, listed once by the caller) → a FreshBooks client
    /// (matched by email or organization first, never duplicated) and project; name, due date,
    /// completion and progress follow.
    func syncProject(gid: String, tasks: [AsanaTask]) async throws -> SyncedProject {
        let project = try await asana.project(gid: gid)
        let source = ExternalRef.asana(.project, gid)
        guard watches(project) else { return SyncedProject(outcome: JobOutcome(sourceRef: source.description, unchanged: true, action: "ignored: project outside the watched team")) }
        var writes: [StoreWrite] = []

        let links = try await links(from: source)
        let clientID: Int
        if let clientLink = links[.client], let id = Int(clientLink.target.id) {
            clientID = id
        } else {
            let organization = FreshBooksAsanaMapping.clientName(forProject: project.name).organization
            let existing = try await freshbooks.clients().collect()
            let client: FreshBooks.Client
            if let match = FreshBooksAsanaMapping.matchClient(organization: organization, email: nil, among: existing) {
                client = match
            } else {
                client = try await freshbooks.createClient(ClientDraft(organization: organization, currencyCode: currency.code))
            }
            clientID = client.id
            writes.append(newLink(source, .freshbooks(.client, client.id), hash: FreshBooksAsanaMapping.contentHash(organization), previous: nil))
        }

        let assignees = tasks.compactMap(\.assignee)
        let done = tasks.filter(\.completed).count
        // The hash covers what Asana says (the project, its progress, who is assigned), so an
        // unchanged project costs no read of FreshBooks' team members.
        let hash = FreshBooksAsanaMapping.projectHash(FreshBooksAsanaMapping.projectDraft(for: project, clientID: clientID, done: done, total: tasks.count), assignees: assignees)
        let projectLink = links[.project]
        func draft() async throws -> FreshBooks.ProjectDraft {
            let team = assignees.isEmpty ? [] : FreshBooksAsanaMapping.team(assignees: assignees, members: try await freshbooks.teamMembers())
            return FreshBooksAsanaMapping.projectDraft(for: project, clientID: clientID, done: done, total: tasks.count, team: team)
        }
        let target: ExternalRef
        let projectID: Int
        var action: String
        if let projectLink, let id = Int(projectLink.target.id) {
            target = projectLink.target
            projectID = id
            guard projectLink.contentHash != hash else {
                return SyncedProject(outcome: JobOutcome(writes: writes, sourceRef: source.description, targetRef: target.description, unchanged: writes.isEmpty, action: "project unchanged"),
                                     freshbooks: (clientID, id))
            }
            _ = try await freshbooks.updateProject(id: id, try await draft())
            action = "update FreshBooks project"
        } else {
            // FreshBooks takes no idempotency key: the intent says whether an earlier attempt,
            // merged job or replay may have created it, and then its title under the client finds it.
            let draft = try await draft()
            let (created, confirm) = try await context.intents.create(IntentKey.project(source), target: { .freshbooks(.project, $0.id) },
                lookUp: { try await freshbooks.projects(ProjectSearch(clientID: clientID)).collect().first { $0.title == draft.title } },
                make: { try await freshbooks.createProject(draft) })
            writes.append(confirm)
            target = .freshbooks(.project, created.id)
            projectID = created.id
            action = "create FreshBooks client and project"
            // From now on the project's tasks are polled too (the guarantee behind its webhook).
            writes.append(.enqueue(try PollJob.schedule(connection: asana.connection, feed: AsanaFeedName.project(gid), every: try config.pollInterval(), startingAt: context.now)))
        }
        writes.append(newLink(source, target, hash: hash, previous: projectLink))
        return SyncedProject(outcome: JobOutcome(writes: writes, sourceRef: source.description, targetRef: target.description, action: action),
                             freshbooks: (clientID, projectID))
    }
}
