import ConnectorKit
import Foundation
import NIOHTTP1

/// What a `PUT` may do (api digest 2.5; the official client's `ComposePutHeaders`).
public enum WriteIntent: Sendable {
    /// No header: create or update.
    case upsert
    /// `If-None-Match: *`: create only; a record with these keys answers 412.
    case insertOnly
    /// `If-Match: *`: update only; no such record answers 412.
    case updateOnly
}

extension AcumaticaClient {
    /// Every record of `entity` matching `query`, page by page with `$top`/`$skip`.
    public func list<Record: Decodable & Sendable>(_ entity: String, _ query: AcumaticaQuery = AcumaticaQuery(), as type: Record.Type) -> Paged<Record> {
        let path = "\(endpointPath)/\(entity)"
        return Paged.positions(pageSize: pageSize) { [self] start, count in
            try await send(.GET, path, query: query.items + [("$skip", String(start)), ("$top", String(count))], as: [Record].self)
        }
    }

    /// One record by its key fields (`Bill/Bill/000159`).
    public func get<Record: Decodable & Sendable>(_ entity: String, keys: [String], _ query: AcumaticaQuery = AcumaticaQuery(), as type: Record.Type) async throws -> Record {
        let path = "\(endpointPath)/\(entity)/" + keys.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? $0 }.joined(separator: "/")
        return try await send(.GET, path, query: query.items, as: Record.self)
    }

    /// `PUT /{Entity}`: writes `record` with the given intent and returns the saved record
    /// shaped by `query`. A create is never repeated by the pipeline: without keys of ours a
    /// repeat would create twice; the caller looks the record up instead.
    public func put<Record: Codable & Sendable>(_ entity: String, _ record: Record, intent: WriteIntent, _ query: AcumaticaQuery = AcumaticaQuery()) async throws -> Record {
        var headers = HTTPHeaders()
        switch intent {
        case .upsert: break
        case .insertOnly: headers.add(name: "If-None-Match", value: "*")
        case .updateOnly: headers.add(name: "If-Match", value: "*")
        }
        return try await send(.PUT, "\(endpointPath)/\(entity)", query: query.items, body: record, headers: headers, repeatable: intent == .updateOnly, as: Record.self)
    }

    /// Creates a record unless its natural key finds one: look up, then an insert-only `PUT`;
    /// when the answer is lost or meets an existing record (412), look up again and return
    /// what is there (api digest 2.10 #4).
    func createOnce<Record: Codable & Sendable>(_ entity: String, _ record: Record, naturalKey: String, _ query: AcumaticaQuery = AcumaticaQuery()) async throws -> Record {
        let lookup = AcumaticaQuery(filter: naturalKey, select: query.select, expand: query.expand)
        if let existing = try await list(entity, lookup, as: Record.self).first() { return existing }
        do {
            return try await put(entity, record, intent: .insertOnly, query)
        } catch let error as ConnectorError where error.mayHaveBeenApplied {
            if let existing = try await list(entity, lookup, as: Record.self).first() { return existing }
            throw error
        }
    }
}

extension Paged {
    /// The first item, reading one page at most.
    func first() async throws -> Item? {
        for try await item in self { return item }
        return nil
    }
}
