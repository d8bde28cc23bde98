import Asana
import ConnectorKit
import Engine
import Foundation
import QuickBooks
import Store

/// The QuickBooks Online ↔ Asana integration as the registry sees it: its configuration, live
/// checks (GIDs and options in Asana; accounts, classes and departments in QuickBooks), handlers
/// and schedules.
public struct QuickBooksAsanaIntegration: Integration {
    public typealias Configuration = QuickBooksAsanaConfig

    /// Creates the integration kind.
    public init() {}

    public var kind: String { QuickBooksAsanaConfig.kind }

    public var roles: [String: SystemKind] { ["quickbooks": .quickbooks, "asana": .asana] }

    static func connection(_ role: String, in connections: [String: Connection]) throws -> Connection {
        guard let connection = connections[role] else { throw ConnectorError.validation(field: "connections.\(role)", message: "is required") }
        return connection
    }

    public func validate(_ config: QuickBooksAsanaConfig, connections: [String: Connection], context: IntegrationContext) async throws -> [String] {
        let asanaConnection = try Self.connection("asana", in: connections)
        let asana = AsanaClient(pipeline: context.pipeline, connection: asanaConnection)
        var lines = try await AsanaScope.validate(workspace: config.asana.workspace, team: config.asana.team, projects: config.asana.projects ?? [], asana: asana)
        let resolved = try await asana.validate(config.fieldRequirements)
        lines += resolved.sorted { $0.key < $1.key }.map { "field \($0.key) = \"\($0.value.name)\"" }
        let fields = config.asana.fields
        for (key, gid) in [("class", fields.class), ("department", fields.department), ("project_class", fields.project_class), ("project_department", fields.project_department)] {
            guard let gid else { continue }
            let field: CustomField
            do { field = try await asana.customField(gid: gid) } catch ConnectorError.notFound {
                throw ConnectorError.validation(field: "asana.fields.\(key)", message: "custom field GID \(gid) does not exist in Asana (or this connection cannot see it)")
            }
            guard ["enum", "text"].contains(field.resource_subtype) else {
                throw ConnectorError.validation(field: "asana.fields.\(key)", message: "custom field \(gid) (\"\(field.name)\") is a \(field.resource_subtype) field; it needs an enum or text field naming the \(key)")
            }
            lines.append("field \(gid) = \"\(field.name)\"")
        }

        // QuickBooks: the accounts by id, the classes and departments by name.
        let quickbooks = QuickBooksClient(pipeline: context.pipeline, connection: try Self.connection("quickbooks", in: connections))
        let accounts = try await quickbooks.accounts().collect()
        for (key, id) in [("quickbooks.default_expense_account", config.quickbooks.default_expense_account), ("quickbooks.credit_account", config.quickbooks.credit_account)] {
            guard let id else { continue }
            guard let account = accounts.first(where: { $0.Id == id && $0.Active != false }) else {
                throw ConnectorError.validation(field: key, message: "account Id \(id) does not exist (or is inactive) in QuickBooks")
            }
            lines.append("account \(id) = \"\(account.Name ?? "")\"")
        }
        let classes = try await quickbooks.classes().collect().filter { $0.Active != false }.compactMap { $0.FullyQualifiedName ?? $0.Name }
        let departments = try await quickbooks.departments().collect().filter { $0.Active != false }.compactMap { $0.FullyQualifiedName ?? $0.Name }
        for (project, mapping) in (config.quickbooks.projects ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let name = mapping.class, !classes.contains(where: { $0.lowercased() == name.lowercased() }) {
                throw ConnectorError.validation(field: "quickbooks.projects.\(project).class", message: "class \"\(name)\" does not exist in QuickBooks; create it there or use one of: \(classes.joined(separator: ", "))")
            }
            if let name = mapping.department, !departments.contains(where: { $0.lowercased() == name.lowercased() }) {
                throw ConnectorError.validation(field: "quickbooks.projects.\(project).department", message: "department \"\(name)\" does not exist in QuickBooks; create it there or use one of: \(departments.joined(separator: ", "))")
            }
            lines.append("project \(project) → class \(mapping.class ?? "-"), department \(mapping.department ?? "-")")
        }
        lines += try await checkProjectFields(config, asana: asana, classes: classes, departments: departments)
        return lines
    }

    /// The class and department each watched project names in its own fields, checked against
    /// QuickBooks: an unknown name is refused with the project and the name.
    func checkProjectFields(_ config: QuickBooksAsanaConfig, asana: AsanaClient, classes: [String], departments: [String]) async throws -> [String] {
        let fields = config.asana.fields
        guard fields.project_class != nil || fields.project_department != nil else { return [] }
        var lines: [String] = []
        for gid in try await watchedProjects(config, asana: asana, strict: true) {
            let project = try await asana.project(gid: gid)
            let configured = config.quickbooks.projects?[gid]
            let named = QuickBooksAsanaMapping.projectMapping(AsanaRef(gid: gid, customFields: project.custom_fields), fields: fields, configured: nil)
            for (part, name, known, fieldKey) in [("class", named?.class, classes, "asana.fields.project_class"), ("department", named?.department, departments, "asana.fields.project_department")] {
                // The configuration's name wins over the field's and was checked above.
                guard let name, (part == "class" ? configured?.class : configured?.department) == nil else { continue }
                guard known.contains(where: { $0.lowercased() == name.lowercased() }) else {
                    throw ConnectorError.validation(field: fieldKey, message: "project \"\(project.name)\" (\(gid)) names \(part) \"\(name)\", which does not exist in QuickBooks; create it there or use one of: \(known.joined(separator: ", "))")
                }
            }
            if let named { lines.append("project \(gid) names class \(named.class ?? "-"), department \(named.department ?? "-")") }
        }
        return lines
    }

    /// CDC polls of the QuickBooks records that move, the watched projects' task polls, and the
    /// Asana webhooks when the server has a public URL (QuickBooks webhooks are set up in its portal).
    public func schedules(_ config: QuickBooksAsanaConfig, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async throws -> [ScheduledJob] {
        let quickbooks = try Self.connection("quickbooks", in: connections)
        let asanaConnection = try Self.connection("asana", in: connections)
        let interval = try config.pollInterval()
        let every = "every \(interval.components.seconds)s"
        var jobs: [ScheduledJob] = []
        for feed in Self.polledRecords(config) {
            jobs.append(ScheduledJob(try PollJob.schedule(connection: quickbooks, feed: feed.rawValue, every: interval, startingAt: context.now), "poll quickbooks \(feed.rawValue) \(every)"))
        }
        let asana = AsanaClient(pipeline: context.pipeline, connection: asanaConnection)
        for project in try await watchedProjects(config, asana: asana, strict: false) {
            jobs.append(ScheduledJob(try PollJob.schedule(connection: asanaConnection, feed: AsanaFeedName.project(project), every: interval, startingAt: context.now),
                                     "poll asana project \(project) \(every)"))
        }
        if let publicURL = context.catalog.publicURL {
            jobs.append(ScheduledJob(try WebhookUpkeepJob.schedule(connection: asanaConnection, publicURL: publicURL, startingAt: context.now), "asana webhooks at \(publicURL)"))
        }
        return jobs
    }

    /// The field whose options mirror a QuickBooks name list: classes and departments on the
    /// project's field when one is mapped (one option per record, so never on both), else the task's.
    static func optionField(for type: QuickBooksRecord, fields: QuickBooksAsanaConfig.Fields) -> String? {
        switch type {
        case .vendor: fields.vendor
        case .customer: fields.customer
        case .class: fields.project_class ?? fields.class
        case .department: fields.project_department ?? fields.department
        default: nil
        }
    }

    /// The QuickBooks entities whose changes move something.
    static func polledRecords(_ config: QuickBooksAsanaConfig) -> [QuickBooksRecord] {
        var records: [QuickBooksRecord] = [.vendor]
        for type in [QuickBooksRecord.customer, .class, .department] where optionField(for: type, fields: config.asana.fields) != nil { records.append(type) }
        records.append(config.quickbooks.post_as == "journal-entry" ? .journalentry : .bill)
        return records
    }

    /// Asana: every watched project's tasks. QuickBooks: none by API (its portal holds them).
    public func webhooks(_ config: QuickBooksAsanaConfig, record: IntegrationRecord, role: String, connections: [String: Connection], context: IntegrationContext) async throws -> [WantedSubscription] {
        guard role == "asana" else { return [] }
        let asana = AsanaClient(pipeline: context.pipeline, connection: try Self.connection("asana", in: connections))
        return try await watchedProjects(config, asana: asana, strict: true).map { WantedSubscription(resource: $0, filter: "project-tasks") }
    }

    public func handlers(pipeline: HTTPPipeline) -> [any JobHandler] {
        [QuickBooksAsanaChangeJob(pipeline: pipeline), QuickBooksAsanaPostingJob(pipeline: pipeline)]
    }

    /// Vendors without an option, tasks missing a required field, classes no project maps, and
    /// people without a match by email.
    public func details(_ config: QuickBooksAsanaConfig, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async -> [String: String] {
        guard let asanaConnection = connections["asana"], let qboConnection = connections["quickbooks"] else { return [:] }
        let asana = AsanaClient(pipeline: context.pipeline, connection: asanaConnection)
        let quickbooks = QuickBooksClient(pipeline: context.pipeline, connection: qboConnection)
        do {
            let vendors = try await quickbooks.vendors().collect().filter { $0.Active != false }
            let options = try await asana.customField(gid: config.asana.fields.vendor).enum_options ?? []
            let links = try await context.store.links(integrationID: record.id)
            let optionOf = Dictionary(links.filter { $0.source.system == .quickbooks && $0.target.type == AsanaRecord.enumOption.rawValue }.map { ($0.source.id, $0.target.id) }, uniquingKeysWith: { first, _ in first })
            let withoutOption = vendors.filter { vendor in
                guard let option = optionOf[vendor.Id] else { return !options.contains { $0.name == vendor.DisplayName } }
                return !options.contains { $0.gid == option && $0.enabled != false }
            }.compactMap(\.DisplayName)

            var missing: [String] = []
            var mapped = Set((config.quickbooks.projects ?? [:]).values.compactMap { $0.class?.lowercased() })
            for project in try await watchedProjects(config, asana: asana, strict: true) {
                if config.asana.fields.project_class != nil {
                    let own = AsanaRef(gid: project, customFields: try await asana.project(gid: project).custom_fields)
                    if let name = QuickBooksAsanaMapping.projectMapping(own, fields: config.asana.fields, configured: config.quickbooks.projects?[project])?.class { mapped.insert(name.lowercased()) }
                }
                for task in try await asana.tasks(project: project).collect() where QuickBooksAsanaMapping.asksToPost(task, status: config.asana.fields.post_status) {
                    let mapping = QuickBooksAsanaMapping.projectMapping(of: task, in: project, fields: config.asana.fields, configured: config.quickbooks.projects?[project])
                    if case .failure(let lack) = QuickBooksAsanaMapping.billRequest(task, fields: config.asana.fields, project: mapping,
                                                                                   defaultAccount: config.quickbooks.default_expense_account) {
                        missing.append("\(task.name) (\(task.gid)): \(lack.names.joined(separator: ", "))")
                    }
                }
            }
            let classes = try await quickbooks.classes().collect().filter { $0.Active != false }.compactMap { $0.FullyQualifiedName ?? $0.Name }.filter { !mapped.contains($0.lowercased()) }
            let employees = try await quickbooks.employees().collect().filter { $0.Active != false }
            let emails = employees.compactMap { $0.PrimaryEmailAddr?.Address } + vendors.compactMap { $0.PrimaryEmailAddr?.Address }
            let people = QuickBooksAsanaMapping.matchPeople(asana: try await asana.users().collect(), quickbooks: emails).unmatched
            func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.sorted().joined(separator: "; ") }
            return ["vendors without an option": list(withoutOption), "tasks missing a required field": list(missing),
                    "classes without a project": list(classes), "people without an employee or vendor of the same email": list(people)]
        } catch {
            return ["vendors without an option": "(systems unreachable: \(error))"]
        }
    }

    /// Configured projects and the team's projects now. When the team cannot be listed,
    /// `strict` throws (a shorter list would delete webhooks) and otherwise answers the rest.
    func watchedProjects(_ config: QuickBooksAsanaConfig, asana: AsanaClient, strict: Bool) async throws -> [String] {
        var projects = Set(config.asana.projects ?? [])
        if let team = config.asana.team {
            do {
                projects.formUnion(try await asana.projects(team: team, archived: false).collect().map(\.gid))
            } catch where !strict {
                // The next apply or `serve` finds the team's projects once Asana answers.
            }
        }
        return projects.sorted()
    }
}

extension QuickBooksAsanaConfig {
    /// Reads the YAML a user wrote; a missing or mistyped key is an error naming it.
    public static func load(yaml: String) throws -> QuickBooksAsanaConfig {
        try QuickBooksAsanaIntegration().load(yaml: yaml)
    }
}
