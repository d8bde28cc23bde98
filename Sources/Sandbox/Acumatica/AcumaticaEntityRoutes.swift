import Foundation
import Hummingbird
import HTTPTypes

extension AcumaticaSandbox {
    /// `GET /entity` and the contract endpoint `/entity/Default/{version}/{Entity}…`: lists with
    /// query options, reads by keys or id, `PUT` upserts, actions and their status.
    func addEntityRoutes(to router: some RouterMethods<BasicRequestContext>) {
        // Discovery (digest 2.2): the build and the endpoints the instance runs.
        router.get("/entity") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            let version = configuration.endpointVersion
            return SandboxHTTP.json(.ok, .object([
                "version": .object(["acumaticaBuildVersion": .string(version == "24.200.001" ? "24.212.0035" : "23.214.0021"), "databaseVersion": .string("24.212.0035")]),
                "endpoints": .array([.object(["name": .string("Default"), "version": .string(version), "href": .string("/entity/Default/\(version)/")])]),
            ]))
        }
        router.get("/entity/:endpoint/:version/**") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            guard case let (entity, rest)? = resolve(request, context) else { return Self.noSuchEndpoint(request.uri.path) }
            let options: AcumaticaQueryOptions
            do throws(AcumaticaQueryOptions.Unreadable) { options = try AcumaticaQueryOptions(query: SandboxHTTP.query(request)) } catch { return Self.httpError(.badRequest, error.reason) }
            switch rest.count {
            case 0: return list(entity, options, query: SandboxHTTP.query(request))
            case 3 where rest[1] == "status": return actionStatus(request, operation: rest[2])
            default: return read(entity, keys: rest, options)
            }
        }
        router.put("/entity/:endpoint/:version/**") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            guard case let (entity, rest)? = resolve(request, context), rest.isEmpty else { return Self.noSuchEndpoint(request.uri.path) }
            let body = try await receivedBody(request)
            let options: AcumaticaQueryOptions
            do throws(AcumaticaQueryOptions.Unreadable) { options = try AcumaticaQueryOptions(query: SandboxHTTP.query(request)) } catch { return Self.httpError(.badRequest, error.reason) }
            return put(entity, body, options, intent: request.headers[.ifNoneMatch] == "*" ? .insertOnly : request.headers[.ifMatch] == "*" ? .updateOnly : .upsert)
        }
        // One pattern for every method: the router matches paths before methods.
        router.post("/entity/:endpoint/:version/**") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            guard case let (entity, rest)? = resolve(request, context), rest.count == 1 else { return Self.noSuchEndpoint(request.uri.path) }
            return invoke(entity, action: rest[0], body: try await receivedBody(request), request: request)
        }
    }

    /// The entity and the path after it, or nil when the endpoint or version is not the one run.
    func resolve(_ request: Request, _ context: BasicRequestContext) -> (AcumaticaWorld.Entity, [String])? {
        guard context.parameters.get("endpoint") == "Default", context.parameters.get("version") == configuration.endpointVersion else { return nil }
        let rest = context.parameters.getCatchAll().map { String($0).removingPercentEncoding ?? String($0) }
        guard let first = rest.first, let entity = AcumaticaWorld.Entity(rawValue: first) else { return nil }
        return (entity, Array(rest.dropFirst()))
    }

    private func list(_ entity: AcumaticaWorld.Entity, _ options: AcumaticaQueryOptions, query: [(String, String)]) -> Response {
        // OData: `$top` and `$skip` are non-negative integers; anything else is a 400, not a row count.
        func count(_ name: String) -> Int?? {
            guard let text = query.first(where: { $0.0 == name })?.1 else { return .some(nil) }
            guard let value = Int(text), value >= 0 else { return nil }
            return .some(value)
        }
        guard let skip = count("$skip"), let top = count("$top") else {
            return Self.httpError(.badRequest, "$top and $skip must be non-negative integers.")
        }
        let matching = world.withLockedValue { $0.records[entity] ?? [] }.filter(options.matches)
        let page = matching.dropFirst(skip ?? 0).prefix(top ?? Int.max)
        return SandboxHTTP.json(.ok, .array(page.enumerated().map { options.shape($0.element, rowNumber: (skip ?? 0) + $0.offset + 1) }))
    }

    private func read(_ entity: AcumaticaWorld.Entity, keys: [String], _ options: AcumaticaQueryOptions) -> Response {
        let record: JSONValue? = world.withLockedValue { world in
            let index = keys.count == 1 && UUID(uuidString: keys[0]) != nil ? world.index(of: entity, id: keys[0]) : world.index(of: entity, keys: keys)
            return index.flatMap { world.records[entity]?[$0] }
        }
        guard let record else { return Self.httpError(.notFound, "No entity satisfies the condition.") }
        return SandboxHTTP.json(.ok, options.shape(record, rowNumber: 1))
    }

    enum Intent { case upsert, insertOnly, updateOnly }

    private func put(_ entity: AcumaticaWorld.Entity, _ body: JSONValue, _ options: AcumaticaQueryOptions, intent: Intent) -> Response {
        if let refused = validate(entity, body) { return refused }
        let outcome: (record: JSONValue?, inserted: Bool, before: JSONValue?) = world.withLockedValue { world in
            let keys = AcumaticaWorld.keys(of: body, entity: entity)
            let existing = body["id"]?.text.flatMap { world.index(of: entity, id: $0) } ?? (keys.allSatisfy { !$0.isEmpty } ? world.index(of: entity, keys: keys) : nil)
            switch (existing, intent) {
            case (.some, .insertOnly), (nil, .updateOnly): return (nil, false, nil)
            case (.some(let index), _):
                let before = world.records[entity]?[index]
                return (world.update(entity, at: index, with: body), false, before)
            case (nil, _): return (world.insert(entity, wire: body), true, nil)
            }
        }
        guard let record = outcome.record else {
            return Self.httpError(.preconditionFailed, intent == .insertOnly ? "A record with the specified keys already exists." : "No record with the specified keys exists.")
        }
        notifyPush(entity, before: outcome.before, after: record)
        let response = SandboxHTTP.json(.ok, options.shape(record, rowNumber: 1))
        return outcome.inserted ? faultGate.createResponse(response) : response
    }

    /// The checks the screen's graph makes before saving, answered 422 with the field's error.
    private func validate(_ entity: AcumaticaWorld.Entity, _ body: JSONValue) -> Response? {
        let vendorField = entity == .Bill ? "Vendor" : entity == .PurchaseOrder ? "VendorID" : nil
        if let vendorField, let vendor = body[vendorField]?["value"]?.text,
           world.withLockedValue({ $0.index(of: .Vendor, keys: [vendor]) }) == nil {
            return Self.fieldErrors(body, [vendorField: "'Vendor' cannot be found in the system."])
        }
        for (index, line) in (body["Details"]?.array ?? []).enumerated() where (line["Qty"]?["value"]?.decimal ?? 0) < 0 {
            var lines = body["Details"]?.array ?? []
            lines[index]["Qty"] = .object(["value": line["Qty"]?["value"] ?? .null, "error": .string("The value must be greater than or equal to 0.")])
            var echoed = body
            echoed["Details"] = .array(lines)
            return SandboxHTTP.json(.unprocessableContent, echoed)
        }
        return nil
    }

    /// Reads a JSON request body and keeps it for conformance checks.
    func receivedBody(_ request: Request) async throws -> JSONValue {
        try await bodyLog.read(request)
    }
}
