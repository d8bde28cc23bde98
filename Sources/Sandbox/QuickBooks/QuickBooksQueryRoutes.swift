import Foundation
import Hummingbird

extension QuickBooksSandbox {
    /// `query` (GET with `?query=`, or POST with the statement as an `application/text` body)
    /// and `cdc?entities=…&changedSince=…` (api digest 1.4, 1.6).
    func addQueryRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/v3/company/:realm/query") { [self] request, context -> Response in
            if let refusal = await gate(request, realm: try context.parameters.require("realm")) { return refusal }
            return answerQuery(SandboxHTTP.queryValue(request, "query") ?? "")
        }
        router.post("/v3/company/:realm/query") { [self] request, context -> Response in
            if let refusal = await gate(request, realm: try context.parameters.require("realm")) { return refusal }
            let body = try await SandboxHTTP.text(request)
            return answerQuery(SandboxHTTP.queryValue(request, "query") ?? body)
        }
        router.get("/v3/company/:realm/cdc") { [self] request, context -> Response in
            if let refusal = await gate(request, realm: try context.parameters.require("realm")) { return refusal }
            return answerChangeDataCapture(entities: SandboxHTTP.queryValue(request, "entities") ?? "", changedSince: SandboxHTTP.queryValue(request, "changedSince") ?? "")
        }
    }

    private func answerQuery(_ statement: String) -> Response {
        let query: QuickBooksQuery
        do {
            query = try QuickBooksQuery.parse(statement)
        } catch {
            return QuickBooksErrors.invalid("4000", "Error parsing query", detail: "QueryParserError: \(error.message)")
        }
        guard let entity = QuickBooksEntityRules.entityNames[query.entity.lowercased()] else {
            return QuickBooksErrors.invalid("4001", "Invalid query", detail: "QueryValidationError: property '\(query.entity)' is not queryable")
        }
        let found = query.run(world.withLockedValue { Array($0.entities[entity, default: [:]].values) })
        var rows: [String: JSONValue] = [:]
        if query.count {
            rows["totalCount"] = .int(found.count)
        } else {
            let page = Array(found.dropFirst(query.startPosition - 1).prefix(query.maxResults))
            // QBO: an empty answer has no entity key at all (api digest 1.4).
            if !page.isEmpty {
                rows[entity] = .array(page)
                rows["startPosition"] = .int(query.startPosition)
                rows["maxResults"] = .int(page.count)
            }
        }
        return SandboxHTTP.json(.ok, .object(["QueryResponse": .object(rows), "time": .string(QuickBooksWorld.timestamp(Date()))]))
    }

    private func answerChangeDataCapture(entities: String, changedSince: String) -> Response {
        let now = Date()
        guard let since = QuickBooksWorld.instant(changedSince) else {
            return QuickBooksErrors.invalid("2020", "Required param missing, need to supply the required value for the API", detail: "changedSince must be a date-time", element: "changedSince")
        }
        // QBO: CDC reaches back at most 30 days (api digest 1.6).
        guard now.timeIntervalSince(since) <= 30 * 86400 else {
            return QuickBooksErrors.invalid("4000", "Invalid changedSince", detail: "changedSince must be within the last 30 days")
        }
        var parts: [JSONValue] = []
        for name in entities.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let entity = QuickBooksEntityRules.entityNames[name.lowercased()] else {
                return QuickBooksErrors.invalid("4000", "Invalid entities", detail: "CDC does not serve \(name)")
            }
            let (active, deleted) = world.withLockedValue { world in
                (world.entities[entity, default: [:]].values.filter { Self.lastUpdated($0).map { $0 > since } ?? false },
                 world.deletions.filter { $0.entity == entity && $0.at > since })
            }
            // Active objects by last change, then the deleted ones, at most 1,000 per entity (api digest 1.6).
            let ordered = active.sorted { (Self.lastUpdated($0) ?? .distantPast) < (Self.lastUpdated($1) ?? .distantPast) }
                + deleted.map { deletion -> JSONValue in
                    .object(["Id": .string(deletion.id), "status": .string("Deleted"), "domain": .string("QBO"),
                             "MetaData": .object(["LastUpdatedTime": .string(QuickBooksWorld.timestamp(deletion.at))])])
                }
            let page = Array(ordered.prefix(1000))
            parts.append(page.isEmpty ? .object([:]) : .object([entity: .array(page), "startPosition": .int(1), "maxResults": .int(page.count), "totalCount": .int(page.count)]))
        }
        return SandboxHTTP.json(.ok, .object(["CDCResponse": .array([.object(["QueryResponse": .array(parts)])]), "time": .string(QuickBooksWorld.timestamp(now))]))
    }

    static func lastUpdated(_ entity: JSONValue) -> Date? {
        entity["MetaData"]?["LastUpdatedTime"]?.text.flatMap(QuickBooksWorld.instant)
    }
}
