import Foundation

/// One flag of an action, described as data so the CLI, the job payload check and `--help`
/// are generated from it.
public struct ActionArgument: Sendable, Equatable {
    /// What a flag's value must be; checked before the action runs.
    public enum ValueKind: String, Sendable, Equatable {
        case text, integer, boolean, day, currency, decimal
    }

    /// The flag without dashes (`project`, `key-field`).
    public var name: String
    /// One line of help.
    public var help: String
    /// The kind of value.
    public var kind: ValueKind
    /// Whether the action refuses to run without it.
    public var required: Bool
    /// Whether the flag may be given more than once (a list).
    public var repeatable: Bool

    /// Describes a flag.
    public init(_ name: String, _ kind: ValueKind = .text, required: Bool = false, repeatable: Bool = false, help: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.repeatable = repeatable
        self.help = help
    }
}

/// An action or trigger of a system, as data: its name, flags and what it does.
public struct ActionDescriptor: Sendable {
    /// The action's name in the CLI (`create-invoice`).
    public var name: String
    /// One line saying what it does.
    public var summary: String
    /// Its flags.
    public var arguments: [ActionArgument]
    /// For a trigger: the name of the cursor it keeps between runs, from its arguments
    /// (`trigger:task-changed:<project>`). Nil for a plain action.
    public var triggerCursor: (@Sendable (ActionArguments) -> String)?
    /// Whether running it twice has the effect of running it once (a read, a PUT, a create that
    /// looks up its key first), so a queued run may be retried.
    public var safeToRepeat: Bool
    /// True for a bulk list that hands each record to `ActionCall.emit` as its page arrives,
    /// so the CLI can print JSON lines and progress instead of waiting for the whole list.
    public var streams: Bool

    /// Describes an action.
    public init(name: String, summary: String, safeToRepeat: Bool = false, arguments: [ActionArgument] = [], streams: Bool = false,
                triggerCursor: (@Sendable (ActionArguments) -> String)? = nil) {
        self.name = name
        self.summary = summary
        self.arguments = arguments
        self.safeToRepeat = safeToRepeat
        self.streams = streams
        self.triggerCursor = triggerCursor
    }

    /// Flag names the CLI keeps for itself; no action may use them.
    public static let reservedFlags: Set<String> = ["connection", "queue", "timeout", "json", "data-dir", "database-url", "help"]

    /// Checks `arguments` against the flags: unknown flags, missing required ones and values of
    /// the wrong kind are refused with a message naming the flag.
    public func check(_ arguments: ActionArguments) throws {
        let known = Dictionary(uniqueKeysWithValues: self.arguments.map { ($0.name, $0) })
        for name in Set(arguments.values.keys).union(arguments.lists.keys).sorted() where known[name] == nil {
            let names = self.arguments.map { "--\($0.name)" }.joined(separator: ", ")
            throw ConnectorError.validation(field: "--\(name)", message: "\(self.name) takes no --\(name); its flags are \(names.isEmpty ? "none" : names)")
        }
        for argument in self.arguments {
            let values = argument.repeatable ? (arguments.lists[argument.name] ?? []) + [arguments[argument.name]].compactMap { $0 } : [arguments[argument.name]].compactMap { $0 }
            if argument.required, values.isEmpty {
                throw ConnectorError.validation(field: "--\(argument.name)", message: "\(name) needs --\(argument.name): \(argument.help)")
            }
            for value in values { try Self.check(value, as: argument) }
        }
    }

    private static func check(_ value: String, as argument: ActionArgument) throws {
        let single = ActionArguments(values: [argument.name: value])
        switch argument.kind {
        case .text: return
        case .integer: _ = try single.int(argument.name)
        case .boolean: _ = try single.bool(argument.name)
        case .day: _ = try single.day(argument.name)
        case .currency: _ = try single.currency(argument.name)
        case .decimal: _ = try Money.decimal(parsing: value, field: "--\(argument.name)")
        }
    }
}

/// What an action is handed for one run.
public struct ActionCall: Sendable {
    /// The pipeline to call the vendor through.
    public var pipeline: HTTPPipeline
    /// The connection acted for.
    public var connection: Connection
    /// The flags, already checked against the descriptor.
    public var arguments: ActionArguments
    /// A trigger's cursor from its last run (nil on the first run or for an action).
    public var cursor: String?
    /// The time the run started (mapping code takes time from here).
    public var now: Date
    /// Where a streaming action hands each record as it is read (nil: the records are
    /// collected into the result instead).
    public var emit: RecordSink?

    /// Describes one run.
    public init(pipeline: HTTPPipeline, connection: Connection, arguments: ActionArguments, cursor: String? = nil, now: Date = Date(), emit: RecordSink? = nil) {
        self.pipeline = pipeline
        self.connection = connection
        self.arguments = arguments
        self.cursor = cursor
        self.now = now
        self.emit = emit
    }
}

/// Receives the records of a streaming action one by one: the list's name (`tasks`) and a record.
public typealias RecordSink = @Sendable (_ list: String, _ record: any ActionRecord) async throws -> Void

/// An action with the code that runs it: what a system module hands the catalogue.
public struct SystemAction: Sendable {
    /// The action as data.
    public var descriptor: ActionDescriptor
    /// Runs it.
    public var perform: @Sendable (ActionCall) async throws -> ActionResult

    /// Pairs a descriptor with its code.
    public init(_ descriptor: ActionDescriptor, perform: @escaping @Sendable (ActionCall) async throws -> ActionResult) {
        self.descriptor = descriptor
        self.perform = perform
    }

    /// Checks the arguments, then runs.
    public func run(_ call: ActionCall) async throws -> ActionResult {
        try descriptor.check(call.arguments)
        return try await perform(call)
    }
}
