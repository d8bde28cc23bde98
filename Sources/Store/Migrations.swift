import Foundation

/// The versioned schema, applied in order at start and by `ml-connector migrate`.
///
/// A migration is never edited once released; a change is a new migration. Statements are
/// written once with `{serial}` for the dialect's auto-increment key.
public enum Migrations {
    /// One step of the schema.
    public struct Migration: Sendable {
        /// Applied in ascending order.
        public var version: Int
        /// What the step does.
        public var name: String
        /// Statements for both dialects.
        var statements: [String]
        /// Statements for one dialect only, by dialect name.
        var dialectStatements: [String: [String]] = [:]
    }

    /// Every migration this build knows.
    public static let all: [Migration] = [initialSchema, runningByRecord, hostileInputAndRetention, exactlyOnce, sharedSystemJobKinds, intentRetention, oneKeySerializes, intentAims, heldJobs, jobFailures]

    /// A job counts its failures apart from its attempts: a claim that died with its worker is
    /// an attempt but no failure, and the retry backoff grows with failures only. Jobs already
    /// waiting start from none; their next failure waits the first backoff.
    static let jobFailures = Migration(
        version: 10,
        name: "jobs count failures apart from attempts",
        statements: ["ALTER TABLE jobs ADD COLUMN failures INTEGER NOT NULL DEFAULT 0"]
    )

    /// A paused integration's pending jobs are marked held, and the claim reads only the jobs
    /// that are not: before, every claim walked every held job (30,000 of them slowed webhook
    /// ingest, which shares the SQLite connection, from 1,243 to 167 deliveries a second).
    /// Running jobs whose lease ran out are found by their own index, so jobs_due (state,
    /// run_at) has no reader left and goes.
    static let heldJobs = Migration(
        version: 9,
        name: "claims skip a paused integration's jobs",
        statements: [
            "ALTER TABLE jobs ADD COLUMN held INTEGER NOT NULL DEFAULT 0",
            """
            UPDATE jobs SET held = 1 WHERE state = 'pending' AND integration_id IN (
                SELECT id FROM integrations WHERE state = 'paused')
            """,
            "CREATE INDEX jobs_claimable ON jobs (run_at) WHERE state = 'pending' AND held = 0",
            // Left in place, SQLite's planner prefers it to jobs_claimable once ANALYZE has run,
            // and walks every held job again; counts by state use jobs_finished.
            "DROP INDEX jobs_due",
            "CREATE INDEX jobs_leases ON jobs (lease_until) WHERE state = 'running'",
        ]
    )

    /// Where each attempt said it would make the effect (the issue a worklog goes on), written
    /// before the vendor call: a later attempt looks there, not only where it would go now.
    static let intentAims = Migration(
        version: 8,
        name: "intents remember where each attempt aimed",
        statements: ["ALTER TABLE intents ADD COLUMN aims TEXT"]
    )

    /// A coalescing key serializes every job that carries it, and merges only pending jobs of
    /// one kind: a rollback queued beside a pending change of the same record waits for it
    /// instead of replacing it.
    static let oneKeySerializes = Migration(
        version: 7,
        name: "pending jobs merge by key and kind",
        statements: [
            "DROP INDEX jobs_coalesce_pending",
            "CREATE UNIQUE INDEX jobs_coalesce_pending ON jobs (coalesce_key, kind) WHERE state = 'pending'",
        ]
    )

    /// Intents confirmed done are aged out with the audit trail; the sweep finds them by state
    /// and age without reading the whole table.
    static let intentRetention = Migration(
        version: 6,
        name: "index done intents by age for retention",
        statements: ["CREATE INDEX intents_done ON intents (state, updated_at)"]
    )

    /// The jobs every system shares got one kind each: pending confirmations and actions keep
    /// their payloads under the new kind; the old per-system webhook upkeeps carried another
    /// payload, so they are dropped and `serve` schedules them anew from each integration.
    static let sharedSystemJobKinds = Migration(
        version: 5,
        name: "one job kind for each job every system shares",
        statements: [
            "UPDATE jobs SET kind = 'webhook.confirm' WHERE kind LIKE '%.webhook-confirm'",
            "UPDATE jobs SET kind = 'system.action' WHERE kind LIKE '%.action' AND kind <> 'system.action'",
            "DELETE FROM jobs WHERE kind LIKE '%.webhook-upkeep' AND state <> 'running'",
            "UPDATE dead_letters SET kind = 'webhook.confirm' WHERE kind LIKE '%.webhook-confirm'",
            "UPDATE dead_letters SET kind = 'system.action' WHERE kind LIKE '%.action' AND kind <> 'system.action'",
        ]
    )

    /// The newest version this build knows.
    public static var latestVersion: Int { all.map(\.version).max() ?? 0 }

    /// Applies every migration the database lacks, up to `last`; returns the versions applied.
    /// (`last` rehearses an upgrade from an older schema in tests.)
    @discardableResult
    public static func apply(on backend: any SQLBackend, through last: Int = .max) async throws -> [Int] {
        try await backend.transaction { db in
            if backend.dialect.name == "postgres" {
                // Two servers starting together must not both migrate.
                try await db.query("SELECT pg_advisory_xact_lock(727274)", [])
            }
            try await db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", [])
            let current = try await currentVersion(db)
            if current > latestVersion {
                throw StoreError.schemaTooNew(database: current, known: latestVersion)
            }
            var applied: [Int] = []
            for migration in all.sorted(by: { $0.version < $1.version }) where migration.version > current && migration.version <= last {
                for statement in migration.statements + (migration.dialectStatements[backend.dialect.name] ?? []) {
                    try await db.query(statement.replacingOccurrences(of: "{serial}", with: backend.dialect.serialPrimaryKey), [])
                }
                try await db.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [.int(migration.version), .text(migration.name), .time(Date())])
                applied.append(migration.version)
            }
            return applied
        }
    }

    /// The version the database is at (0 for an empty database).
    public static func currentVersion(_ db: any SQLExecutor) async throws -> Int {
        let rows = try await db.query("SELECT MAX(version) AS version FROM schema_migrations", [])
        return Int(rows.first?.optionalInt("version") ?? 0)
    }

    /// Finds the running job of a record quickly, so claims can skip its siblings.
    static let runningByRecord = Migration(
        version: 2,
        name: "index running jobs by coalescing key",
        statements: ["CREATE INDEX jobs_coalesce_running ON jobs (coalesce_key) WHERE state = 'running'"]
    )

    /// Candidate webhook secrets kept apart from confirmed ones; indexes that let retention
    /// delete by age in batches; and an audit deletion gate: the trail stays append-only except
    /// for entries older than a horizon that only the retention sweep opens, inside its own
    /// transaction.
    static let hostileInputAndRetention = Migration(
        version: 3,
        name: "candidate webhook secrets, retention indexes, audit retention gate",
        statements: [
            "ALTER TABLE webhook_subscriptions ADD COLUMN candidate_envelope TEXT",
            "ALTER TABLE webhook_subscriptions ADD COLUMN candidate_key_id TEXT",
            "CREATE INDEX inbox_received ON inbox (received_at)",
            "CREATE INDEX jobs_finished ON jobs (state, updated_at)",
            "CREATE TABLE audit_retention (id INTEGER PRIMARY KEY, horizon BIGINT NOT NULL)",
            "INSERT INTO audit_retention (id, horizon) VALUES (1, 0)",
        ],
        dialectStatements: [
            "sqlite": [
                "DROP TRIGGER audit_no_delete",
                """
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_entries
                WHEN OLD.at >= (SELECT horizon FROM audit_retention WHERE id = 1)
                BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END
                """,
            ],
            "postgres": [
                """
                CREATE OR REPLACE FUNCTION mlc_audit_append_only() RETURNS trigger AS $body$ BEGIN
                    IF TG_OP = 'DELETE' AND OLD.at < (SELECT horizon FROM audit_retention WHERE id = 1) THEN RETURN OLD; END IF;
                    RAISE EXCEPTION 'audit entries are append-only';
                END; $body$ LANGUAGE plpgsql
                """,
            ],
        ]
    )

    /// Intents recorded before uncertain creates (they outlive retries, merges and replays);
    /// one running job per coalescing key as a database guarantee (a unique partial index the
    /// claim respects, replacing the plain index of version 2); a short refresh lock on a
    /// credential so the vendor's token call runs outside any transaction; and the recurring
    /// jobs that are failing, since when.
    static let exactlyOnce = Migration(
        version: 4,
        name: "intents, one running job per key, refresh lock row, failing schedules",
        statements: [
            """
            CREATE TABLE intents (
                integration_id TEXT NOT NULL, intent_key TEXT NOT NULL, state TEXT NOT NULL, target_ref TEXT,
                job_id TEXT, claim_token TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (integration_id, intent_key))
            """,
            // Version 2 only skipped keys with a running job, so two processes could each have
            // claimed one: keep the oldest running job of a key and fold the others into it
            // (jobs of one key are interchangeable, as the pending merge already treats them),
            // or the unique index below cannot be built on such a database.
            """
            UPDATE jobs SET state = 'merged', lease_until = NULL, claim_token = NULL,
                last_error = 'merged at upgrade: another job of its key was running'
            WHERE state = 'running' AND coalesce_key IS NOT NULL AND EXISTS (
                SELECT 1 FROM jobs AS kept WHERE kept.coalesce_key = jobs.coalesce_key AND kept.state = 'running' AND kept.id < jobs.id)
            """,
            "DROP INDEX jobs_coalesce_running",
            "CREATE UNIQUE INDEX jobs_one_running ON jobs (coalesce_key) WHERE state = 'running'",
            "ALTER TABLE credentials ADD COLUMN refreshing_by TEXT",
            "ALTER TABLE credentials ADD COLUMN refreshing_until BIGINT",
            """
            CREATE TABLE failing_schedules (
                coalesce_key TEXT PRIMARY KEY, kind TEXT NOT NULL, connection_id TEXT, integration_id TEXT,
                failing_since BIGINT NOT NULL, failures INTEGER NOT NULL, last_error TEXT, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX failing_schedules_connection ON failing_schedules (connection_id)",
        ]
    )

    static let initialSchema = Migration(
        version: 1,
        name: "initial schema",
        statements: [
            """
            CREATE TABLE connections (
                id TEXT PRIMARY KEY, tenant TEXT NOT NULL, system TEXT NOT NULL, display_name TEXT NOT NULL,
                base_urls TEXT NOT NULL, account_ref TEXT, settings TEXT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX connections_tenant ON connections (tenant)",
            "CREATE INDEX connections_account ON connections (system, account_ref)",
            """
            CREATE TABLE credentials (
                connection_id TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
                envelope TEXT NOT NULL, key_id TEXT NOT NULL, version BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE integrations (
                id TEXT PRIMARY KEY, tenant TEXT NOT NULL, kind TEXT NOT NULL, config TEXT NOT NULL,
                state TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX integrations_tenant ON integrations (tenant)",
            """
            CREATE TABLE integration_connections (
                integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
                role TEXT NOT NULL, connection_id TEXT NOT NULL REFERENCES connections (id),
                PRIMARY KEY (integration_id, role))
            """,
            "CREATE INDEX integration_connections_connection ON integration_connections (connection_id)",
            """
            CREATE TABLE links (
                integration_id TEXT NOT NULL, source_ref TEXT NOT NULL, target_ref TEXT NOT NULL,
                content_hash TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (integration_id, source_ref, target_ref))
            """,
            "CREATE INDEX links_target ON links (integration_id, target_ref)",
            """
            CREATE TABLE cursors (
                connection_id TEXT NOT NULL, feed TEXT NOT NULL, value TEXT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (connection_id, feed))
            """,
            """
            CREATE TABLE inbox (
                system TEXT NOT NULL, event_id TEXT NOT NULL, subscription_id TEXT, connection_id TEXT,
                ref TEXT NOT NULL, received_at BIGINT NOT NULL, PRIMARY KEY (system, event_id))
            """,
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY, tenant TEXT NOT NULL, kind TEXT NOT NULL, integration_id TEXT, connection_id TEXT,
                coalesce_key TEXT, payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
                max_attempts INTEGER NOT NULL, run_at BIGINT NOT NULL, lease_until BIGINT, claim_token TEXT, worker TEXT,
                last_error TEXT, merged_count INTEGER NOT NULL, repeat_every_ms BIGINT, replay_of TEXT, source TEXT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX jobs_coalesce_pending ON jobs (coalesce_key) WHERE state = 'pending'",
            "CREATE INDEX jobs_due ON jobs (state, run_at)",
            "CREATE INDEX jobs_integration ON jobs (integration_id)",
            """
            CREATE TABLE dead_letters (
                id TEXT PRIMARY KEY, job_id TEXT NOT NULL, tenant TEXT NOT NULL, kind TEXT NOT NULL,
                integration_id TEXT, connection_id TEXT, coalesce_key TEXT, payload TEXT NOT NULL,
                attempts INTEGER NOT NULL, error TEXT NOT NULL, error_kind TEXT NOT NULL,
                created_at BIGINT NOT NULL, replayed_at BIGINT, replay_job_id TEXT)
            """,
            "CREATE INDEX dead_letters_tenant ON dead_letters (tenant, created_at)",
            """
            CREATE TABLE audit_entries (
                id {serial}, at BIGINT NOT NULL, tenant TEXT NOT NULL, integration_id TEXT, job_id TEXT,
                attempt INTEGER NOT NULL, connection_id TEXT, source_ref TEXT, target_ref TEXT, action TEXT NOT NULL,
                outcome TEXT NOT NULL, error TEXT, duration_ms INTEGER NOT NULL, exchanges TEXT NOT NULL)
            """,
            "CREATE INDEX audit_at ON audit_entries (at)",
            "CREATE INDEX audit_integration ON audit_entries (integration_id, at)",
            "CREATE INDEX audit_source ON audit_entries (source_ref)",
            "CREATE INDEX audit_target ON audit_entries (target_ref)",
            "CREATE INDEX audit_job ON audit_entries (job_id)",
            """
            CREATE TABLE webhook_subscriptions (
                id TEXT PRIMARY KEY, tenant TEXT NOT NULL, system TEXT NOT NULL,
                connection_id TEXT REFERENCES connections (id) ON DELETE CASCADE, integration_id TEXT,
                external_id TEXT, resource TEXT, status TEXT NOT NULL, secret_envelope TEXT, secret_key_id TEXT,
                metadata TEXT NOT NULL, last_delivery_at BIGINT, last_heartbeat_at BIGINT,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX webhook_subscriptions_connection ON webhook_subscriptions (connection_id)",
        ],
        dialectStatements: [
            "sqlite": [
                "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
                "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
            ],
            "postgres": [
                "CREATE FUNCTION mlc_audit_append_only() RETURNS trigger AS $body$ BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $body$ LANGUAGE plpgsql",
                "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION mlc_audit_append_only()",
            ],
        ]
    )
}
