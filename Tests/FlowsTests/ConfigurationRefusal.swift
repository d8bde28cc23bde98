import ConnectorKit
import Testing

/// The key a configuration's loader names when it refuses `valid` with one replacement made,
/// or nil when that still loads; any other error is thrown.
func refusedKey(_ valid: String, replacing original: String, with replacement: String, load: (String) throws -> Void) throws -> String? {
    let yaml = valid.replacingOccurrences(of: original, with: replacement)
    #expect(yaml != valid, "the file has no \(original)")
    do {
        try load(yaml)
        return nil
    } catch let ConnectorError.validation(field, _) {
        return field
    }
}
