import Foundation
import Hummingbird

extension AsanaSandbox {
    /// Custom field definitions and enum options (digest B5): text, number (precision), enum,
    /// date; at most 50 options a field.
    func addCustomFieldRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let p = Self.prefix
        router.post("\(p)/custom_fields") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            guard input["workspace"]?.text != nil else { return Self.error(.badRequest, "workspace: Missing input") }
            guard let name = input["name"]?.text, !name.isEmpty else { return Self.error(.badRequest, "name: Missing input") }
            let subtype = input["resource_subtype"]?.text ?? input["type"]?.text ?? ""
            guard ["text", "number", "enum", "multi_enum", "date", "people"].contains(subtype) else { return Self.error(.badRequest, "resource_subtype: Invalid custom field type: \(subtype)") }
            let field = world.withLockedValue { $0.addCustomField(name: name, subtype: subtype, input: input) }
            return Self.single(field, request: request, status: .created)
        }
        router.get("\(p)/custom_fields/:field") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("field")
            guard let field = world.withLockedValue({ $0.customFields[gid] }) else { return Self.error(.notFound, "custom_field: Not a recognized ID: \(gid)") }
            return Self.single(field, request: request)
        }
        router.put("\(p)/custom_fields/:field") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("field")
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            let updated = world.withLockedValue { world -> JSONValue? in
                guard case .object(var fields)? = world.customFields[gid] else { return nil }
                for key in ["name", "description", "precision"] where input[key] != nil { fields[key] = input[key] }
                world.customFields[gid] = .object(fields)
                return .object(fields)
            }
            guard let updated else { return Self.error(.notFound, "custom_field: Not a recognized ID: \(gid)") }
            return Self.single(updated, request: request)
        }
        router.get("\(p)/workspaces/:workspace/custom_fields") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            return Self.page(world.withLockedValue { $0.customFields.values.sorted { ($0["gid"]?.text ?? "") < ($1["gid"]?.text ?? "") } }, request: request)
        }
        router.post("\(p)/custom_fields/:field/enum_options") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("field")
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            guard let name = input["name"]?.text, !name.isEmpty else { return Self.error(.badRequest, "name: Missing input") }
            let result = world.withLockedValue { world -> Result<JSONValue, Refusal> in
                guard case .object(var fields)? = world.customFields[gid] else { return .failure(Refusal(Self.error(.notFound, "custom_field: Not a recognized ID: \(gid)"))) }
                guard ["enum", "multi_enum"].contains(fields["resource_subtype"]?.text ?? "") else { return .failure(Refusal(Self.error(.badRequest, "custom_field: Not an enum custom field"))) }
                var options = fields["enum_options"]?.array ?? []
                guard options.count < 50 else { return .failure(Refusal(Self.error(.badRequest, "enum_options: A custom field can have at most 50 enum options"))) }
                let option = world.newEnumOption(name: .string(name), color: input["color"])
                options.append(option)
                fields["enum_options"] = .array(options)
                world.customFields[gid] = .object(fields)
                return .success(option)
            }
            switch result {
            case .failure(let refusal): return refusal.response
            case .success(let option): return Self.single(option, request: request, status: .created)
            }
        }
        // Rename, recolor, enable or disable an option; it is never removed (digest B5).
        router.put("\(p)/enum_options/:option") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("option")
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            if let name = input["name"], name.text?.isEmpty != false { return Self.error(.badRequest, "name: Invalid input") }
            let updated = world.withLockedValue { world -> JSONValue? in
                for (fieldGID, field) in world.customFields {
                    guard case .object(var fields) = field, var options = fields["enum_options"]?.array,
                          let index = options.firstIndex(where: { $0["gid"]?.text == gid }), case .object(var option) = options[index] else { continue }
                    for key in ["name", "enabled", "color"] where input[key] != nil { option[key] = input[key] }
                    options[index] = .object(option)
                    fields["enum_options"] = .array(options)
                    world.customFields[fieldGID] = .object(fields)
                    return .object(option)
                }
                return nil
            }
            guard let updated else { return Self.error(.notFound, "enum_option: Not a recognized ID: \(gid)") }
            return Self.single(updated, request: request)
        }
    }
}

extension AsanaWorld {
    /// Checks and converts a task's `custom_fields` write (an object keyed by field gid) against
    /// the fields on the task's projects; an error message names the field.
    func validateCustomFieldWrite(_ input: [String: JSONValue], projects: [String]) -> Result<[String: JSONValue], FieldError> {
        let allowed = Set(projects.flatMap { projectFieldSettings[$0] ?? [] })
        var values: [String: JSONValue] = [:]
        for (gid, value) in input {
            guard let field = customFields[gid] else { return .failure(FieldError("custom_fields: Unknown custom field \(gid)")) }
            guard allowed.contains(gid) else { return .failure(FieldError("custom_fields: Custom field \(gid) is not on any of the task's projects")) }
            if case .null = value { values[gid] = .null; continue }
            switch field["resource_subtype"]?.text {
            case "number":
                guard case .number = value else { return .failure(FieldError("custom_fields: Custom field \(gid) (\(field["name"]?.text ?? "")) expects a number")) }
            case "text":
                guard case .string(let text) = value, text.count <= 1024 else { return .failure(FieldError("custom_fields: Custom field \(gid) expects a string of at most 1024 characters")) }
            case "enum":
                let options = field["enum_options"]?.array ?? []
                guard let option = value.text, options.contains(where: { $0["gid"]?.text == option && $0["enabled"]?.bool != false }) else {
                    return .failure(FieldError("custom_fields: \(value.text ?? "the value") is not an enabled enum option of custom field \(gid)"))
                }
            case "date":
                guard let text = value.text, text.wholeMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}/#) != nil else { return .failure(FieldError("custom_fields: Custom field \(gid) expects a date YYYY-MM-DD")) }
            default:
                break
            }
            values[gid] = value
        }
        return .success(values)
    }

    /// The typed `custom_fields` array a task reads back: definition plus `*_value` and `display_value`.
    func customFieldValues(task gid: String, projects: [String]) -> JSONValue {
        customFieldValues(projects.flatMap { projectFieldSettings[$0] ?? [] }, values: taskValues[gid] ?? [:])
    }

    /// The `custom_fields` a project reads back: the fields given a value on the project itself.
    func customFieldValues(project gid: String) -> JSONValue {
        let values = projectValues[gid] ?? [:]
        return customFieldValues((projectFieldSettings[gid] ?? []).filter { values[$0] != nil }, values: values)
    }

    private func customFieldValues(_ fieldGIDs: [String], values: [String: JSONValue]) -> JSONValue {
        var seen = Set<String>()
        return .array(fieldGIDs.filter { seen.insert($0).inserted }.compactMap { fieldGID -> JSONValue? in
            guard case .object(var entry)? = customFields[fieldGID] else { return nil }
            entry["enum_options"] = nil
            let value = values[fieldGID] ?? .null
            switch entry["resource_subtype"]?.text {
            case "number":
                entry["number_value"] = value
                if let number = value.decimal {
                    let precision = entry["precision"]?.int ?? 0
                    var rounded = Decimal()
                    var copy = number
                    NSDecimalRound(&rounded, &copy, precision, .plain)
                    let formatter = NumberFormatter()
                    formatter.locale = Locale(identifier: "en_US_POSIX")
                    formatter.minimumFractionDigits = precision
                    formatter.maximumFractionDigits = precision
                    entry["display_value"] = .string(formatter.string(from: rounded as NSDecimalNumber) ?? "\(rounded)")
                } else {
                    entry["display_value"] = .null
                }
            case "text":
                entry["text_value"] = value
                entry["display_value"] = value
            case "enum":
                let option = customFields[fieldGID]?["enum_options"]?.array?.first { $0["gid"]?.text == value.text }
                entry["enum_value"] = option ?? .null
                entry["display_value"] = option?["name"] ?? .null
            case "date":
                entry["date_value"] = value.text.map { .object(["date": .string($0), "date_time": .null]) } ?? .null
                entry["display_value"] = value
            default:
                entry["display_value"] = .null
            }
            entry["enabled"] = .bool(true)
            return .object(entry)
        })
    }
}
