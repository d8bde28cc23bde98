import Foundation
import Hummingbird

/// Paging and `search[…]` filtering of accounting lists (api digest A5): `per_page` capped at
/// 100, `page=0` is page 1, `updated_min`/`updated_max` compare US/Eastern days only,
/// `<field>_like` is a substring match, anything else is equality on the field.
enum AccountingListing {
    /// One page of `records` in the `response.result` envelope, ordered by `idKey`.
    static func page(_ records: [JSONValue], request: Request, listName: String, idKey: String = "id") -> Response {
        var filtered = records
        var visibilityGiven = false
        for (key, value) in SandboxHTTP.query(request) where key.hasPrefix("search[") && key.hasSuffix("]") {
            var field = String(key.dropFirst("search[".count).dropLast())
            if field.hasSuffix("][") { field = String(field.dropLast(2)) }
            if field == "vis_state" { visibilityGiven = true }
            filtered = filtered.filter { matches($0, field: field, value: value) }
        }
        if !visibilityGiven {
            filtered = filtered.filter { $0["vis_state"]?.int != 1 }
        }
        filtered.sort { ($0[idKey]?.int ?? 0) < ($1[idKey]?.int ?? 0) }
        let perPage = min(100, max(1, Int(SandboxHTTP.queryValue(request, "per_page") ?? "") ?? 30))
        let pageNumber = max(1, Int(SandboxHTTP.queryValue(request, "page") ?? "") ?? 1)
        let pages = max(1, (filtered.count + perPage - 1) / perPage)
        // A page past the last is empty; `min` keeps `?page=9223372036854775807` from overflowing.
        let slice = filtered.dropFirst(min(pageNumber - 1, pages) * perPage).prefix(perPage)
        return SandboxHTTP.json(.ok, .object(["response": .object(["result": .object([
            listName: .array(Array(slice)), "page": .int(pageNumber), "pages": .int(pages), "per_page": .int(perPage), "total": .int(filtered.count),
        ])])]))
    }

    static func matches(_ record: JSONValue, field: String, value: String) -> Bool {
        switch field {
        case "updated_min":
            return String((record["updated"]?.text ?? "").prefix(10)) >= String(value.prefix(10))
        case "updated_max":
            return String((record["updated"]?.text ?? "").prefix(10)) <= String(value.prefix(10))
        case "date_min":
            return (record["date"]?.text ?? record["create_date"]?.text ?? "") >= value
        case "date_max":
            return (record["date"]?.text ?? record["create_date"]?.text ?? "") <= value
        default:
            if field.hasSuffix("_like") {
                let name = String(field.dropLast("_like".count))
                return record[name]?.text?.lowercased().contains(value.lowercased()) == true
            }
            // search[clientids][]=1 style lists match the singular field.
            let name = field.hasSuffix("ids") ? String(field.dropLast()) : field
            return record[name]?.text?.lowercased() == value.lowercased()
        }
    }
}
