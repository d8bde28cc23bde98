import Logging

/// A log handler that passes every message and metadata value through the redactor before the
/// wrapped handler prints it.
public struct RedactingLogHandler: LogHandler {
    private var wrapped: any LogHandler
    private let redactor: SecretRedactor

    /// Wraps `wrapped`, masking secrets with `redactor`.
    public init(wrapping wrapped: any LogHandler, redactor: SecretRedactor = .shared) {
        self.wrapped = wrapped
        self.redactor = redactor
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(redactor.redact(event.message.description))"
        event.metadata = event.metadata.map { redact($0) }
        if let error = event.error {
            // An error's description may quote a request; keep only its redacted text.
            event.metadata = (event.metadata ?? [:]).merging(["error": .string(redactor.redact(String(describing: error)))]) { $1 }
            event.error = nil
        }
        wrapped.log(event: event)
    }

    private func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues { redact($0) }
    }

    private func redact(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(redactor.redact(text))
        case .stringConvertible(let convertible): .string(redactor.redact(convertible.description))
        case .array(let values): .array(values.map { redact($0) })
        case .dictionary(let values): .dictionary(redact(values))
        }
    }
}
