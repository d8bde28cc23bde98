import Foundation

/// The vendors' contracts in `../shared/specs` beside the project (CI always has them there),
/// or wherever `ML_CONNECTOR_SPECS_DIR` points.
public enum SharedSpecs {
    /// The specs directory, if it exists.
    public static var directory: URL? {
        if let path = ProcessInfo.processInfo.environment["ML_CONNECTOR_SPECS_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/specs")
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }

    /// True when the specs can be read.
    public static var available: Bool { directory != nil }

    /// A file under the specs directory.
    public static func file(_ relative: String) throws -> URL {
        guard let directory else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "../shared/specs (set ML_CONNECTOR_SPECS_DIR)"]) }
        return directory.appendingPathComponent(relative)
    }
}
