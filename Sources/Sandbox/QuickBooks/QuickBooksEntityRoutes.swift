import Foundation
import Hummingbird
import HTTPTypes

extension QuickBooksSandbox {
    /// `/v3/company/{realmId}/…` (api digest 1.2, 1.3, 1.5): `companyinfo/{realmId}`, read one
    /// entity, and `POST /{entity}` that creates (no `Id`), updates (`Id` and the current
    /// `SyncToken`; `sparse: true` changes only the fields sent) or, with `?operation=delete`,
    /// deletes. A `requestid` already answered gets the same answer and writes nothing.
    func addEntityRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/v3/company/:realm/companyinfo/:id") { [self] request, context -> Response in
            let realm = try context.parameters.require("realm")
            if let refusal = await gate(request, realm: realm) { return refusal }
            guard try context.parameters.require("id") == realm else { return QuickBooksErrors.notFound("CompanyInfo", id: try context.parameters.require("id")) }
            return envelope("CompanyInfo", world.withLockedValue { $0.companyInfo })
        }

        router.get("/v3/company/:realm/:entity/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, realm: try context.parameters.require("realm")) { return refusal }
            guard let entity = QuickBooksEntityRules.entityNames[try context.parameters.require("entity")] else { return Self.unsupported(request) }
            let id = try context.parameters.require("id")
            guard let found = world.withLockedValue({ $0.entities[entity]?[id] }) else { return QuickBooksErrors.notFound(entity, id: id) }
            return envelope(entity, found)
        }

        router.post("/v3/company/:realm/:entity") { [self] request, context -> Response in
            if let refusal = await gate(request, realm: try context.parameters.require("realm")) { return refusal }
            let path = try context.parameters.require("entity")
            guard let entity = QuickBooksEntityRules.entityNames[path] else { return Self.unsupported(request) }
            let requestID = SandboxHTTP.queryValue(request, "requestid").flatMap { $0.isEmpty ? nil : "\(path) \($0)" }
            if let requestID, let earlier = world.withLockedValue({ $0.answered[requestID] }) {
                return SandboxHTTP.json(.ok, earlier)
            }
            guard let body = (try? await SandboxHTTP.jsonBody(request)).flatMap(QuickBooksEntityRules.cleaned)?.object else {
                return QuickBooksErrors.invalid("2010", "Request has invalid or unsupported property", detail: "the body is not a JSON object")
            }
            let outcome: Result<(JSONValue, String), QuickBooksEntityRules.Refusal>
            let operation = SandboxHTTP.queryValue(request, "operation")
            if operation == "delete" {
                outcome = delete(entity, body)
            } else if let id = body["Id"]?.text {
                outcome = update(entity, id: id, body, sparse: body["sparse"]?.bool == true)
            } else {
                outcome = create(entity, body)
            }
            switch outcome {
            case .failure(let refusal):
                return refusal.response
            case .success(let (value, change)):
                let answer: JSONValue = .object([entity: value, "time": .string(QuickBooksWorld.timestamp(Date()))])
                if let requestID { world.withLockedValue { $0.remember(answer, for: requestID) } }
                notify(entity: entity, id: value["Id"]?.text ?? "", operation: change)
                // Paying a bill changes the bill (its Balance): QBO reports that update too.
                for bill in QuickBooksEntityRules.paidBills(entity, value) { notify(entity: "Bill", id: bill, operation: "Update") }
                let response = SandboxHTTP.json(.ok, answer)
                return change == "Create" ? faultGate.createResponse(response) : response
            }
        }
    }

    /// `{"<Entity>": {…}, "time": "…"}`.
    func envelope(_ entity: String, _ value: JSONValue) -> Response {
        SandboxHTTP.json(.ok, .object([entity: value, "time": .string(QuickBooksWorld.timestamp(Date()))]))
    }

    private func create(_ entity: String, _ body: [String: JSONValue]) -> Result<(JSONValue, String), QuickBooksEntityRules.Refusal> {
        world.withLockedValue { world in
            let id = world.newID()
            let input = body.filter { !QuickBooksEntityRules.readOnly.contains($0.key) || (["Payment", "BillPayment"].contains(entity) && $0.key == "TotalAmt") }
            return QuickBooksEntityRules.prepare(entity, input, id: id, world: world).map { prepared in
                var fields = prepared
                let now = Date()
                fields["Id"] = .string(id)
                fields["SyncToken"] = .string("0")
                fields["domain"] = .string("QBO")
                fields["sparse"] = .bool(false)
                fields["MetaData"] = QuickBooksWorld.metaData(created: now, updated: now)
                world.put(entity, .object(fields))
                if entity == "BillPayment" { world.applyBillPayment(fields, at: now) }
                return (.object(fields), "Create")
            }
        }
    }

    private func update(_ entity: String, id: String, _ body: [String: JSONValue], sparse: Bool) -> Result<(JSONValue, String), QuickBooksEntityRules.Refusal> {
        world.withLockedValue { world in
            guard let current = world.entities[entity]?[id]?.object else { return .failure(.init(QuickBooksErrors.notFound(entity, id: id))) }
            // QBO: an update must carry the current SyncToken; an older one is a stale object (api digest 1.5).
            guard let token = body["SyncToken"]?.text else {
                return .failure(.init(QuickBooksErrors.invalid("2020", "Required param missing, need to supply the required value for the API", detail: "Required parameter SyncToken is missing in the request", element: "SyncToken")))
            }
            guard token == current["SyncToken"]?.text else { return .failure(.init(QuickBooksErrors.stale(entity: entity, id: id))) }
            let input = body.filter { !QuickBooksEntityRules.readOnly.contains($0.key) }
            // Sparse: only the fields sent change (arrays such as Line are replaced whole); full: the rest is cleared.
            let base = sparse ? current.filter { !QuickBooksEntityRules.readOnly.contains($0.key) } : [:]
            return QuickBooksEntityRules.prepare(entity, base.merging(input) { $1 }, id: id, world: world).map { prepared in
                var fields = prepared
                for key in ["Id", "domain", "MetaData"] { fields[key] = current[key] }
                fields["sparse"] = .bool(false)
                fields["SyncToken"] = .string("\((Int(token) ?? 0) + 1)")
                if entity == "Payment" || fields["TotalAmt"] == nil { fields["TotalAmt"] = fields["TotalAmt"] ?? current["TotalAmt"] }
                if case .object(var meta)? = current["MetaData"] {
                    meta["LastUpdatedTime"] = .string(QuickBooksWorld.timestamp(Date()))
                    fields["MetaData"] = .object(meta)
                }
                world.put(entity, .object(fields))
                return (.object(fields), "Update")
            }
        }
    }

    private func delete(_ entity: String, _ body: [String: JSONValue]) -> Result<(JSONValue, String), QuickBooksEntityRules.Refusal> {
        world.withLockedValue { world in
            guard !QuickBooksEntityRules.names.contains(entity) else {
                return .failure(.init(QuickBooksErrors.invalid("500", "Unsupported Operation", detail: "Operation Delete is not supported for \(entity); make it inactive instead")))
            }
            guard let id = body["Id"]?.text, let current = world.entities[entity]?[id] else { return .failure(.init(QuickBooksErrors.notFound(entity, id: body["Id"]?.text ?? ""))) }
            guard body["SyncToken"]?.text == current["SyncToken"]?.text else { return .failure(.init(QuickBooksErrors.stale(entity: entity, id: id))) }
            world.entities[entity]?[id] = nil
            world.deletions.append(.init(entity: entity, id: id, at: Date()))
            return .success((.object(["Id": .string(id), "status": .string("Deleted"), "domain": .string("QBO")]), "Delete"))
        }
    }

    static func unsupported(_ request: Request) -> Response {
        QuickBooksErrors.invalid("4000", "Unsupported Operation", detail: "the sandbox does not serve \(request.uri.path)")
    }
}
