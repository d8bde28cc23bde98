import ArgumentParser
import Foundation
import Store

/// `ml-connector keys …`: the master keys of the vault.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Manage the vault's master keys.", subcommands: [KeysRotate.self])
}

/// `keys rotate`: re-seals every secret under a new master key while servers keep running.
struct KeysRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Re-encrypt every stored secret under a new master key, without downtime.",
        discussion: """
        With the key file (the default), a new key is generated and added to it; running servers \
        pick it up from the file. With ML_CONNECTOR_MASTER_KEY, set the new key there and the old \
        one in ML_CONNECTOR_PREVIOUS_MASTER_KEYS, then run this.
        """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await withStore(global) { store in
            let keyring = store.vault.keyring
            // One rotation at a time: two interleaved ones could each drop the other's key.
            let (newKey, previous, resealed, remaining, pruned) = try await keyring.withRotationLock {
                let previous = Set(keyring.knownKeyIDs)
                let retiring = keyring.activeKeyID
                let newKey: String
                if case .file = keyring.origin {
                    newKey = try keyring.addActiveKey()
                } else {
                    newKey = keyring.activeKeyID
                }
                let resealed = try await store.resealSecrets()
                // A second pass catches secrets written under the old key while the first ran.
                let late = try await store.resealSecrets()
                let remaining = try await store.sealingKeys().filter { $0.key != newKey && $0.value > 0 }
                // The key just retired stays for one more rotation: a process that has not yet
                // re-read the key file may still seal with it.
                let pruned = remaining.isEmpty ? try keyring.prune(keeping: [retiring]) : []
                return (newKey, previous, resealed + late, remaining, pruned)
            }
            if global.json {
                try Output.json(["activeKey": newKey, "resealed": "\(resealed)", "prunedKeys": pruned.joined(separator: ","),
                                 "stillSealedWithOldKeys": "\(remaining.values.reduce(0, +))"])
            } else {
                print("active key \(newKey); re-sealed \(resealed) secrets" + (previous.contains(newKey) ? "" : " (new key)"))
                if !pruned.isEmpty { print("removed old keys from the key file: \(pruned.joined(separator: ", "))") }
                if !remaining.isEmpty { print("secrets still under old keys: \(remaining); run keys rotate again") }
            }
        }
    }
}
