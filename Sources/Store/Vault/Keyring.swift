import Crypto
import Foundation
import NIOConcurrencyHelpers

/// The master keys a process may use: one active key that seals, older ones that still open.
///
/// Keys come from `ML_CONNECTOR_MASTER_KEY` (+ `ML_CONNECTOR_PREVIOUS_MASTER_KEYS`) or, when the
/// variable is unset, from `master.key` in the data directory, created 0600 on first start.
/// The file is re-read when it changes, so `keys rotate` in another process takes effect in a
/// running server without a restart.
public final class Keyring: Sendable {
    /// Where the keys came from.
    public enum Origin: Sendable, Equatable {
        case environment
        case file(String)
    }

    struct Keys: Sendable {
        var active: String
        /// Raw key bytes by id (SymmetricKey is not Sendable; keys are made from these on use).
        var keys: [String: Data]
        /// Identifies the key file version read (inode, modification time, size): the file is
        /// replaced by rename, so a new version always has a new inode.
        var fileFingerprint: String?
    }

    /// Where the keys came from.
    public let origin: Origin
    private let state: NIOLockedValueBox<Keys>

    init(origin: Origin, keys: Keys) {
        self.origin = origin
        self.state = NIOLockedValueBox(keys)
    }

    /// A keyring of the given keys, the first active (tests and tools).
    public convenience init(keys: [SymmetricKey]) {
        let named = Dictionary(keys.map { (Self.keyID(of: $0), Self.bytes($0)) }, uniquingKeysWith: { first, _ in first })
        self.init(origin: .environment, keys: Keys(active: Self.keyID(of: keys[0]), keys: named))
    }

    /// Loads the keyring from the environment, or from (creating) the key file in `dataDirectory`.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment, dataDirectory: String) throws -> Keyring {
        if let encoded = environment["ML_CONNECTOR_MASTER_KEY"], !encoded.isEmpty {
            let active = try decodeKey(encoded, name: "ML_CONNECTOR_MASTER_KEY")
            var keys = [keyID(of: active): bytes(active)]
            for (index, previous) in (environment["ML_CONNECTOR_PREVIOUS_MASTER_KEYS"] ?? "").split(separator: ",").enumerated() {
                let key = try decodeKey(String(previous), name: "ML_CONNECTOR_PREVIOUS_MASTER_KEYS[\(index)]")
                keys[keyID(of: key)] = bytes(key)
            }
            return Keyring(origin: .environment, keys: Keys(active: keyID(of: active), keys: keys))
        }
        let path = (dataDirectory as NSString).appendingPathComponent("master.key")
        if !FileManager.default.fileExists(atPath: path) {
            let key = SymmetricKey(size: .bits256)
            try KeyFile.write(KeyFile(active: keyID(of: key), keys: [keyID(of: key): encode(key)]), to: path)
        }
        return Keyring(origin: .file(path), keys: try KeyFile.read(path))
    }

    /// The id of the key that seals new envelopes.
    public var activeKeyID: String {
        reloadIfChanged()
        return state.withLockedValue { $0.active }
    }

    /// Every key id this process can open.
    public var knownKeyIDs: [String] {
        state.withLockedValue { Array($0.keys.keys).sorted() }
    }

    /// The active key and its id.
    func activeKey() -> (id: String, key: SymmetricKey) {
        reloadIfChanged()
        return state.withLockedValue { ($0.active, SymmetricKey(data: $0.keys[$0.active]!)) }
    }

    /// The key with `id`, re-reading the key file once if it is not known yet.
    func key(id: String) -> SymmetricKey? {
        if let key = state.withLockedValue({ $0.keys[id] }) { return SymmetricKey(data: key) }
        reloadIfChanged(force: true)
        return state.withLockedValue { $0.keys[id] }.map { SymmetricKey(data: $0) }
    }

    /// Adds a new random key to the key file and makes it active; old keys stay until pruned.
    /// Only a file keyring rotates this way: with the environment, the operator supplies keys.
    public func addActiveKey() throws -> String {
        guard case .file(let path) = origin else {
            throw VaultError.keyFile("keys come from ML_CONNECTOR_MASTER_KEY; set the new key there and the old one in ML_CONNECTOR_PREVIOUS_MASTER_KEYS, then run keys rotate")
        }
        let key = SymmetricKey(size: .bits256)
        var file = try KeyFile.load(path)
        file.keys[Self.keyID(of: key)] = Self.encode(key)
        file.active = Self.keyID(of: key)
        try KeyFile.write(file, to: path)
        reloadIfChanged(force: true)
        return file.active
    }

    /// Runs `body` holding an exclusive lock on the key file (`master.key.lock`), so that two
    /// `keys rotate` runs cannot interleave their read-modify-write and drop a key. The lock is
    /// released when `body` ends or the process dies.
    public func withRotationLock<Result>(_ body: () async throws -> Result) async throws -> Result {
        guard case .file(let path) = origin else { return try await body() }
        let descriptor = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw VaultError.keyFile("cannot open \(path).lock (errno \(errno)); check that the data directory is writable") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw VaultError.keyFile("cannot lock \(path).lock (errno \(errno))") }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }

    /// Removes from the key file every key except the active one and those in `keep`.
    public func prune(keeping keep: Set<String>) throws -> [String] {
        guard case .file(let path) = origin else { return [] }
        var file = try KeyFile.load(path)
        let removed = file.keys.keys.filter { $0 != file.active && !keep.contains($0) }
        for id in removed { file.keys[id] = nil }
        try KeyFile.write(file, to: path)
        reloadIfChanged(force: true)
        return removed.sorted()
    }

    /// A key's id: a prefix of its SHA-256, so the same key always has the same id.
    public static func keyID(of key: SymmetricKey) -> String {
        let digest = key.withUnsafeBytes { SHA256.hash(data: Data($0)) }
        return "k-" + digest.prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(_ key: SymmetricKey) -> Data {
        key.withUnsafeBytes { Data($0) }
    }

    static func encode(_ key: SymmetricKey) -> String {
        key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    static func decodeKey(_ encoded: String, name: String) throws -> SymmetricKey {
        guard let data = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw VaultError.invalidMasterKey("\(name) is not valid base64")
        }
        guard data.count == 32 else {
            throw VaultError.invalidMasterKey("\(name) decodes to \(data.count) bytes, not 32")
        }
        return SymmetricKey(data: data)
    }

    private func reloadIfChanged(force: Bool = false) {
        guard case .file(let path) = origin else { return }
        let current = KeyFile.fingerprint(path)
        let known = state.withLockedValue { $0.fileFingerprint }
        guard force || current != known, let keys = try? KeyFile.read(path) else { return }
        state.withLockedValue { $0 = keys }
    }
}

/// The on-disk form of a file keyring: `{"active": "k-…", "keys": {"k-…": "base64"}}`, mode 0600.
struct KeyFile: Codable {
    var active: String
    var keys: [String: String]

    static func load(_ path: String) throws -> KeyFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VaultError.keyFile("cannot read \(path)")
        }
        do {
            return try JSONDecoder().decode(KeyFile.self, from: data)
        } catch {
            throw VaultError.keyFile("\(path) is not a key file: \(error)")
        }
    }

    static func read(_ path: String) throws -> Keyring.Keys {
        let file = try load(path)
        var keys: [String: Data] = [:]
        for (id, encoded) in file.keys {
            keys[id] = Keyring.bytes(try Keyring.decodeKey(encoded, name: "\(path) key \(id)"))
        }
        guard keys[file.active] != nil else { throw VaultError.keyFile("\(path) names active key \(file.active) but does not hold it") }
        return Keyring.Keys(active: file.active, keys: keys, fileFingerprint: fingerprint(path))
    }

    /// The inode, modification time and size of the file, or nil when it cannot be read.
    static func fingerprint(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        return "\(inode)-\(modified)-\(size)"
    }

    /// Writes through a temporary file created 0600 from its first byte (never readable by
    /// others, whatever the umask), flushed, renamed over the old file, and the directory
    /// flushed, so a crash leaves the old file or the new one whole and durable.
    static func write(_ file: KeyFile, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(file)
        let temporary = path + ".tmp-\(UUID().uuidString)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw VaultError.keyFile("cannot create \(temporary) (errno \(errno)); check that the data directory is writable")
        }
        do {
            // The umask can only take bits away from 0600; fchmod makes the mode exact anyway.
            guard fchmod(descriptor, 0o600) == 0 else { throw VaultError.keyFile("cannot set the mode of \(temporary) (errno \(errno))") }
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { throw VaultError.keyFile("cannot write \(temporary) (errno \(errno)); check free space") }
                    offset += written
                }
            }
            guard fsync(descriptor) == 0 else { throw VaultError.keyFile("cannot flush \(temporary) (errno \(errno))") }
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        // rename(2) replaces the old file atomically; a crash leaves either file whole.
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw VaultError.keyFile("cannot replace \(path) (errno \(code)); check that the data directory is writable")
        }
        let directory = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}
