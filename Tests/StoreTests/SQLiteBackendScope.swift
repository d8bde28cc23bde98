import Foundation
@testable import Store

/// Runs `body` with a SQLite backend on a fresh file (and the file's path), then closes it and
/// removes the file.
func withSQLiteBackend(_ body: (SQLiteBackend, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlc-sqlite-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("store.sqlite").path
    let backend = try await SQLiteBackend.open(path: path)
    do {
        try await body(backend, path)
    } catch {
        await backend.close()
        throw error
    }
    await backend.close()
}
