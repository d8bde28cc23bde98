import ConnectorKit
import Foundation

/// Reads an action's flags (`--name value`, `--name=value`, repeatable ones as lists) by its
/// descriptor, and writes `--help` for a system or an action from the same descriptors.
enum ActionFlags {
    /// The arguments in `tokens`; an unknown flag or a flag without a value names itself.
    static func parse(_ tokens: [String], for descriptor: ActionDescriptor) throws -> ActionArguments {
        let known = Dictionary(uniqueKeysWithValues: descriptor.arguments.map { ($0.name, $0) })
        var arguments = ActionArguments()
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            guard token.hasPrefix("--"), token.count > 2 else {
                throw ConnectorError.validation(field: token, message: "unexpected '\(token)'; \(descriptor.name) takes flags such as --\(descriptor.arguments.first?.name ?? "connection") VALUE")
            }
            var name = String(token.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let argument = known[name] else {
                let names = descriptor.arguments.map { "--\($0.name)" }.joined(separator: ", ")
                throw ConnectorError.validation(field: "--\(name)", message: "\(descriptor.name) takes no --\(name); its flags are \(names.isEmpty ? "none besides --connection" : names)")
            }
            if value == nil {
                guard index + 1 < tokens.count else { throw ConnectorError.validation(field: "--\(name)", message: "--\(name) needs a value: \(argument.help)") }
                index += 1
                value = tokens[index]
            }
            if argument.repeatable {
                arguments.lists[name, default: []].append(value!)
            } else {
                guard arguments.values[name] == nil else { throw ConnectorError.validation(field: "--\(name)", message: "--\(name) is given twice; it takes one value") }
                arguments.values[name] = value!
            }
            index += 1
        }
        return arguments
    }

    /// Help for `ml-connector <system> --help`: every action with its flags.
    static func help(for connector: any SystemConnector) -> String {
        var lines = ["USAGE: ml-connector \(connector.system) <action> --connection ID [--queue] [--timeout S] [--json] [flags]", "", "\(connector.provider.displayName) actions:"]
        for action in connector.actions {
            lines.append("")
            lines += help(for: action.descriptor, indent: "  ")
        }
        return lines.joined(separator: "\n")
    }

    /// Help for one action.
    static func help(for descriptor: ActionDescriptor, indent: String = "") -> [String] {
        var lines = ["\(indent)\(descriptor.name)  \(descriptor.summary)"]
        for argument in descriptor.arguments {
            let value = argument.kind == .text ? "VALUE" : argument.kind.rawValue.uppercased()
            let tags = [argument.required ? "required" : nil, argument.repeatable ? "repeatable" : nil].compactMap { $0 }
            lines.append("\(indent)    --\(argument.name) \(value)".padding(toLength: max(36, indent.count + 30), withPad: " ", startingAt: 0)
                         + argument.help + (tags.isEmpty ? "" : " (\(tags.joined(separator: ", ")))"))
        }
        return lines
    }
}
