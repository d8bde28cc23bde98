import Acumatica
import Asana
import ConnectorKit
import FreshBooks
import QuickBooks
import Jira

/// The systems and integrations this build registers: adding one is one line here.
public enum Registry {
    /// Every system, in the order shown to users.
    public static let systems: [any SystemConnector] = [
        FreshBooksConnector(),
        AsanaConnector(),
        QuickBooksConnector(),
        AcumaticaConnector(),
        JiraConnector(),
    ]

    /// Every integration kind.
    public static let integrations: [any Integration] = [
        FreshBooksAsanaIntegration(),
        FreshBooksJiraIntegration(),
        AcumaticaAsanaIntegration(),
        QuickBooksAsanaIntegration(),
    ]
}
