import ConnectorKit
import Foundation

/// Who a Jira credential belongs to and which sites it reaches (digest 3.1). With OAuth the
/// sites come from `accessible-resources`, and each site's API is `{gateway}/ex/jira/{cloudid}`;
/// with Basic (email and API token) the site is the connection's own `api` URL.
public enum JiraAuth {
    /// The identity and its sites, each an account a connection can be made to.
    public static func identify(pipeline: HTTPPipeline, connection: Connection) async throws -> ConnectedIdentity {
        guard connection.usesOAuth else {
            let client = JiraClient(pipeline: pipeline, connection: connection)
            let me = try await client.myself()
            let site = try await client.serverInfo()
            let root = try connection.baseURL("api", provider: JiraProvider.description)
            return ConnectedIdentity(user: me.emailAddress ?? me.displayName ?? me.accountId, accounts: [
                AccountChoice(id: site.baseUrl, name: site.serverTitle ?? site.baseUrl, detail: "basic", accountRef: site.baseUrl,
                              settings: settings(site: root, me: me, cloudID: nil)),
            ])
        }
        let gateway = try connection.baseURL("gateway", provider: JiraProvider.description)
        let sites = try await JiraClient(pipeline: pipeline, connection: connection).accessibleResources()
        var user = "?"
        var accounts: [AccountChoice] = []
        for site in sites {
            var atSite = connection
            atSite.baseURLs["api"] = gateway + "/ex/jira/" + site.id
            let me = try await JiraClient(pipeline: pipeline, connection: atSite).myself()
            user = me.emailAddress ?? me.displayName ?? me.accountId
            accounts.append(AccountChoice(id: site.id, name: site.name, detail: site.url, accountRef: site.id,
                                          settings: settings(site: site.url, me: me, cloudID: site.id), baseURLs: ["api": gateway + "/ex/jira/" + site.id]))
        }
        return ConnectedIdentity(user: user, accounts: accounts)
    }

    static func settings(site: String, me: JiraUser, cloudID: String?) -> [String: String] {
        var settings = [SettingKey.jiraSite.rawValue: site, SettingKey.jiraAccountID.rawValue: me.accountId]
        settings[SettingKey.cloudID.rawValue] = cloudID
        settings[SettingKey.jiraTimeZone.rawValue] = me.timeZone
        return settings
    }
}
