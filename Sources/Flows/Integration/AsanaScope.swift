import Asana
import ConnectorKit
import Engine
import Foundation
import Store

/// What every integration with an Asana side checks and does the same way: the watched
/// workspace, team and projects resolved live, and a comment posted on a task at most once.
enum AsanaScope {
    /// Checks that `workspace` is the connection's, that `team` and every project exist;
    /// returns the lines `apply` prints. Errors name the YAML key.
    static func validate(workspace: String, team: String?, projects: [String], asana: AsanaClient) async throws -> [String] {
        try await validate(workspace: workspace, team: team, projects: projects.enumerated().map { (key: "asana.projects[\($0.offset)]", gid: $0.element) }, asana: asana)
    }

    /// The same checks for projects each named by its own YAML key (a routing table's entries).
    static func validate(workspace: String, team: String?, projects: [(key: String, gid: String)], asana: AsanaClient) async throws -> [String] {
        guard asana.connection[setting: .workspaceGID] == workspace else {
            throw ConnectorError.validation(field: "asana.workspace", message: "GID \(workspace) is not the workspace of connection \(asana.connection.id) (\(asana.connection[setting: .workspaceGID] ?? "?"))")
        }
        var lines: [String] = []
        if let team {
            do {
                // One page shows the team is there and reachable; `schedules`, next in apply,
                // lists it whole (a poll line per project), so it is not listed twice.
                for try await _ in try asana.projects(team: team, archived: false) { break }
                lines.append("team \(team) reachable")
            } catch ConnectorError.notFound {
                throw ConnectorError.validation(field: "asana.team", message: "team GID \(team) does not exist in Asana or this connection cannot see it")
            }
        }
        for (key, gid) in projects {
            do {
                lines.append("project \(gid) = \"\(try await asana.project(gid: gid).name)\"")
            } catch ConnectorError.notFound {
                throw ConnectorError.validation(field: key, message: "project GID \(gid) does not exist in Asana")
            }
        }
        return lines
    }

    /// Posts `text` on a task at most once for `key`; an attempt after an uncertain one reads
    /// the task's stories before posting again. Returns the write that confirms it.
    static func comment(task gid: String, key: String, text: String, asana: AsanaClient, intents: Intents) async throws -> StoreWrite {
        try await intents.sideEffect(key, happened: {
            try await asana.stories(task: gid).collect().contains { $0.text == text }
        }, perform: {
            _ = try await asana.addComment(task: gid, text: text)
        })
    }
}
