import ConnectorKit
import Flows
import Foundation
import Testing

@Suite struct AcumaticaAsanaConfigTests {
    static let valid = """
    name: site-bills
    kind: acumatica-asana
    connections: { acumatica: acu-firm, asana: asana-firm }
    schedule: { poll: 2m }
    acumatica: { endpoint_version: "24.200.001", documents: [bills, purchase_orders] }
    asana:
      workspace: "1200000000000001"
      team: "1200000000000002"
      routing:
        projects: { TOWER-A: "1200000000000301" }
        branches: { HEADOFFICE: "1200000000000302" }
        default: "1200000000000303"
      fields: { amount: "101", due_date: "102", vendor: "103", reference: "104", status: "105", link: "106" }
      approval: { on_complete: true, field: "107", approved: "1071" }
    roster: report
    """

    @Test func theExampleLoads() throws {
        let config = try AcumaticaAsanaIntegration().load(yaml: Self.valid)
        #expect(config.connectionIDs == ["acumatica": "acu-firm", "asana": "asana-firm"])
        #expect(try config.pollInterval() == .seconds(120))
        #expect(config.routedProjects == ["1200000000000301", "1200000000000302", "1200000000000303"])
        #expect(config.fieldRequirements.map(\.key) == ["asana.fields.amount", "asana.fields.vendor", "asana.fields.reference", "asana.fields.status", "asana.fields.link",
                                                        "asana.fields.due_date", "asana.approval.field"])
        #expect(config.approvesOnComplete && !config.enforcesRoster)
    }

    /// Each key is validated on its own: the error names it.
    @Test(arguments: [
        ("endpoint_version: \"24.200.001\"", "endpoint_version: \"latest\"", "acumatica.endpoint_version"),
        ("documents: [bills, purchase_orders]", "documents: [bills, invoices]", "acumatica.documents[1]"),
        ("documents: [bills, purchase_orders]", "documents: []", "acumatica.documents"),
        ("workspace: \"1200000000000001\"", "workspace: \"acme\"", "asana.workspace"),
        ("team: \"1200000000000002\"", "team: \"delivery\"", "asana.team"),
        ("TOWER-A: \"1200000000000301\"", "TOWER-A: \"tower\"", "asana.routing.projects.TOWER-A"),
        ("HEADOFFICE: \"1200000000000302\"", "HEADOFFICE: \"x\"", "asana.routing.branches.HEADOFFICE"),
        ("default: \"1200000000000303\"", "default: \"\"", "asana.routing.default"),
        ("amount: \"101\"", "amount: \"abc\"", "asana.fields.amount"),
        ("vendor: \"103\"", "vendor: \"101\"", "asana.fields.vendor"),
        ("link: \"106\"", "link: \"10-6\"", "asana.fields.link"),
        ("status: \"105\"", "notstatus: \"105\"", "asana.fields.status"),
        ("field: \"107\", approved: \"1071\"", "field: \"107\"", "asana.approval.approved"),
        ("on_complete: true, field: \"107\", approved: \"1071\"", "on_complete: false", "asana.approval"),
        ("roster: report", "roster: always", "roster"),
        ("poll: 2m", "poll: 5s", "schedule.poll"),
        ("kind: acumatica-asana", "kind: acumatica-jira", "kind"),
    ])
    func aWrongKeyIsNamed(_ from: String, _ to: String, _ key: String) throws {
        #expect(try refusedKey(Self.valid, replacing: from, with: to) { _ = try AcumaticaAsanaIntegration().load(yaml: $0) } == key)
    }

    @Test func aRosterNeedsATeamAndRoutingNeedsAProject() throws {
        let noTeam = Self.valid.replacingOccurrences(of: "  team: \"1200000000000002\"\n", with: "")
        #expect(throws: ConnectorError.validation(field: "asana.team", message: "roster: report needs the team GID employees are kept in")) {
            try AcumaticaAsanaIntegration().load(yaml: noTeam)
        }
        let noRoute = Self.valid.replacingOccurrences(of: "    projects: { TOWER-A: \"1200000000000301\" }\n    branches: { HEADOFFICE: \"1200000000000302\" }\n    default: \"1200000000000303\"\n", with: "    default: null\n")
        do {
            _ = try AcumaticaAsanaIntegration().load(yaml: noRoute)
            Issue.record("a configuration without any project was accepted")
        } catch let ConnectorError.validation(field, _) {
            #expect(field == "asana.routing.default")
        }
    }
}
