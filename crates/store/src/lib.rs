//! chengxin's storage: the embedded store (SQLite) and the production store (PostgreSQL).
//!
//! One [`Store`] type, one SQL text per operation (sqlx 0.9 accepts `$1..$n` on both backends),
//! and one migrations folder per backend (`migrations/sqlite`, `migrations/postgres`) with the same
//! tables and columns — a test compares them. The backend is chosen by the URL:
//! `sqlite://chengxin.db` or `postgres://user@host/db`.
//!
//! Architecture invariants:
//! - domain rules live in the pure crates (`chengxin-registry`, `chengxin-codes`); this crate only
//!   stores and fetches, and calls those rules before it writes;
//! - versions are appended, never updated or deleted (DESIGN.md principle 4);
//! - every multi-row write is one transaction: it happens whole or not at all.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::Error as SqlxError;

mod accounts;
mod audit;
mod bulk;
mod cases;
pub use audit::{
    AuditFilter, BreakReason, ChainBreak, Entry, Hash, Head, NewEntry, Outcome, Verifier,
    entry_hash,
};
mod lists;
mod records;
mod showing;
mod subjects;

pub use accounts::{
    Account, ApiKeyInfo, Department, LoginError, NewAccount, SESSION_HOURS, Session, hash_password,
};
pub use cases::{CaseCounts, CaseStatus, CodeCase};

pub use lists::{Announcement, ListError, ListOutcome, OutboxRow, PublicListEntry, RandomIds};
pub use records::{
    BatchInfo, BatchSummary, BatchWriter, CatalogImport, CatalogVersion, NewBatch, PublicityQuery,
    Quality, RecordInput, Rejection, StoredRecord, SubjectInput, TitleRow, Titles, fields_array,
    fields_object,
};
pub use showing::{Showing, standings_on};
pub use subjects::{Page, SearchQuery, is_opaque_key, new_key};

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$store` uses.
/// The body is compiled once per backend, so the same SQL text serves both.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Like [`with_pool!`], for a body that opens a write transaction. On SQLite `$pool` is the
/// store's one writer connection: SQLite admits one writer at a time anyway, and a connection
/// whose page cache another connection's write has not invalidated reads its b-tree pages from
/// memory instead of from the file (strace before this: ~20 page reads per audited write on a
/// pool of 8 connections, 3 on one). Readers keep the other connections.
macro_rules! with_write_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite(read_pool) => {
                let $pool = $store.writer.as_ref().unwrap_or(read_pool);
                $body
            }
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_write_pool;

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The handle to a chengxin database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: Pool,
    /// SQLite files: a pool of exactly one connection for write transactions (see
    /// [`with_write_pool!`]); `None` for PostgreSQL and in-memory SQLite.
    pub(crate) writer: Option<SqlitePool>,
    /// The audit chain head as this process last wrote or read it: lets an append link to it
    /// without reading it first. Only a hint: the append checks it against the stored head in the
    /// same statement and reads the head when it is stale (see `audit_in_tx!`).
    pub(crate) audit_head: std::sync::Arc<std::sync::Mutex<Option<chengxin_audit::Head>>>,
    /// Who the writes made through this handle are audited as (see [`Store::acting_as`]).
    pub(crate) acting: Option<std::sync::Arc<Acting>>,
    /// The parsed list standards with the number of stored versions they were parsed from.
    /// Versions are only ever added, never rewritten, so an unchanged count means an unchanged
    /// set (see [`Store::list_standards`]).
    pub(crate) standards_cache: lists::StandardsCache,
}

/// The role, department and request behind writes, for their audit entries. Writes made without
/// one (CLI, loads) are audited with role `system`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acting {
    pub role: String,
    pub department: Option<String>,
    pub request_id: String,
}

/// How to open a store.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// `sqlite://path.db`, `sqlite::memory:` or `postgres://…`.
    pub url: String,
    /// PostgreSQL only: the schema to use (created if missing). Tests use one schema each.
    pub schema: Option<String>,
    pub max_connections: u32,
    /// Apply pending migrations on open (default true).
    pub migrate: bool,
    /// Create the database when it does not exist (default true). A command that only reads
    /// (`chengxin audit verify`) opens without: a mistyped name is an error, not a new database.
    pub create: bool,
}

impl ConnectOptions {
    pub fn new(url: impl Into<String>) -> Self {
        ConnectOptions {
            url: url.into(),
            schema: None,
            max_connections: 8,
            migrate: true,
            create: true,
        }
    }
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("invalid schema name {0:?}: letters, digits and underscores only")]
    InvalidSchema(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The PostgreSQL server did not answer (refused, unknown host, timed out).
    #[error(
        "cannot reach PostgreSQL at {server}: {source} (is the server running and listening on \
         that address?)"
    )]
    Unreachable {
        server: String,
        #[source]
        source: sqlx::Error,
    },
    /// The PostgreSQL server answered but refused the connection (unknown role, password …).
    #[error("PostgreSQL at {server} refused the connection: {message}")]
    ConnectRefused { server: String, message: String },
    /// From the bulk path of a batch on SQLite (see `bulk`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Invalid(#[from] chengxin_registry::RegistryError),
    /// The change was not applied: its codes need review first (重错码).
    #[error("{}", describe_cases(.0))]
    CodeCases(Vec<CodeCase>),
    /// What was not found, named with its kind ("subject …", "department …", "account …").
    #[error("no {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

fn describe_cases(cases: &[CodeCase]) -> String {
    let parts: Vec<String> = cases
        .iter()
        .map(|c| {
            format!(
                "case #{} {} ({}): {}",
                c.id,
                c.kind.label_zh(),
                c.kind.as_str(),
                c.detail
            )
        })
        .collect();
    format!(
        "not applied; opened for duplicate/wrong-code review: {}",
        parts.join("; ")
    )
}

/// Connects once before the pool is built, so that an unreachable server is said at once (a
/// pool retries until its timeout and then reports only "pool timed out"), and creates the
/// database when the server says it does not exist (the issue #4 rule: every command creates
/// and migrates the database it is pointed at). The database is created from the server's
/// maintenance database `postgres`, as `createdb` does; a concurrent creation is not an error.
async fn ensure_pg_database(co: &PgConnectOptions) -> Result<(), StoreError> {
    use sqlx::{ConnectOptions as _, Connection as _};
    let server = format!("{}:{}", co.get_host(), co.get_port());
    let unreachable = |source: sqlx::Error| match source {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => {
            StoreError::Unreachable {
                server: server.clone(),
                source,
            }
        }
        other => StoreError::Database(other),
    };
    match co.connect().await {
        Ok(conn) => {
            let _ = conn.close().await;
            return Ok(());
        }
        // 3D000 invalid_catalog_name: the database does not exist yet.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("3D000") => {}
        // The server's own words, without the position in its source it appends.
        Err(sqlx::Error::Database(e)) => {
            return Err(StoreError::ConnectRefused {
                server,
                message: e.message().to_owned(),
            });
        }
        Err(e) => return Err(unreachable(e)),
    }
    let Some(name) = co.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let mut admin = co
        .clone()
        .database("postgres")
        .connect()
        .await
        .map_err(unreachable)?;
    let create = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    let made = sqlx::query(sqlx::AssertSqlSafe(create))
        .execute(&mut admin)
        .await;
    let _ = admin.close().await;
    match made {
        Ok(_) => {
            tracing::info!(database = %name, "created the PostgreSQL database");
            Ok(())
        }
        // 42P04 duplicate_database: created meanwhile by another process; 23505 when the two
        // CREATE DATABASE statements ran at the same moment (the catalog's unique index).
        Err(sqlx::Error::Database(e)) if matches!(e.code().as_deref(), Some("42P04" | "23505")) => {
            Ok(())
        }
        Err(e) => Err(StoreError::Database(e)),
    }
}

/// The time now, to the microsecond: what PostgreSQL's `timestamptz` keeps, so that a time
/// written reads back the same from either store (SQLite keeps the text as given, which would
/// carry nanoseconds).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

impl Store {
    /// `column` matches the `LIKE` pattern `param` (escape `\`) ignoring the case of ASCII
    /// letters only, on both stores: SQLite's `LIKE` does that itself; PostgreSQL's `ILIKE` does
    /// it under the "C" collation (under a language collation it would fold `Ä` too).
    pub(crate) fn like_ascii_ci(&self, column: &str, param: &str) -> String {
        match &self.pool {
            Pool::Sqlite(_) => format!("{column} LIKE {param} ESCAPE '\\'"),
            Pool::Postgres(_) => format!("{column} ILIKE {param} COLLATE \"C\" ESCAPE '\\'"),
        }
    }
}

/// Whether SQLite answered "busy" or "locked" (primary codes 5 and 6, with their extended
/// codes such as `SQLITE_BUSY_SNAPSHOT`): another process holds the lock, and waiting helps.
fn sqlite_busy(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d)
        if d.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| matches!(c & 0xff, 5 | 6)))
}

/// Runs `attempt` again, with growing pauses for up to ten seconds (the connections' busy
/// timeout), while it fails with an error `transient` accepts. SQLite does not always wait on
/// its busy handler: processes starting together on a new file meet each other's WAL switch
/// and half-made migrations, and answer "database is locked" at once.
async fn retry_while_starting<T, E, Fut>(
    transient: impl Fn(&E) -> bool,
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut pause = Duration::from_millis(20);
    loop {
        match attempt().await {
            Err(e) if transient(&e) && std::time::Instant::now() < deadline => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(500));
            }
            result => return result,
        }
    }
}

impl Store {
    /// Opens (and creates, on either store) the database at `url` and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(ConnectOptions::new(url)).await
    }

    pub async fn connect_with(opts: ConnectOptions) -> Result<Store, StoreError> {
        let url = opts.url.as_str();
        let store = if url.starts_with("sqlite:") {
            let co = SqliteConnectOptions::from_str(url)?;
            // The database file is created if missing, and so is its directory.
            let file = co.get_filename();
            if let Some(dir) = file.parent()
                && opts.create
                && !dir.as_os_str().is_empty()
                && !url.contains(":memory:")
                && !dir.is_dir()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Conflict(format!(
                        "cannot create the directory {} for the database: {e}",
                        dir.display()
                    ))
                })?;
            }
            let co = co
                .create_if_missing(opts.create)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // An in-memory database lives per connection: keep exactly one.
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let max = if in_memory {
                1
            } else {
                opts.max_connections.max(1)
            };
            let writer = if in_memory {
                None
            } else {
                Some(
                    retry_while_starting(sqlite_busy, || {
                        SqlitePoolOptions::new()
                            .max_connections(1)
                            .min_connections(0)
                            .acquire_timeout(Duration::from_secs(60))
                            // The writer checkpoints the WAL every 10,000 pages (about 40 MB)
                            // instead of every 1,000: a checkpoint copies each page once however
                            // often it changed since the last one, so rarer checkpoints copy the hot
                            // pages (index roots, the audit head, the newest leaves) far fewer times.
                            // Its page cache is 64 MiB instead of 2, and statement journals (multi-
                            // row inserts inside a batch) stay in memory.
                            .connect_with(
                                co.clone()
                                    .pragma("wal_autocheckpoint", "10000")
                                    .pragma("cache_size", "-65536")
                                    .pragma("temp_store", "memory"),
                            )
                    })
                    .await?,
                )
            };
            let pool = retry_while_starting(sqlite_busy, || {
                SqlitePoolOptions::new()
                    .max_connections(max)
                    .connect_with(co.clone())
            })
            .await?;
            Store {
                pool: Pool::Sqlite(pool),
                writer,
                audit_head: Default::default(),
                standards_cache: Default::default(),
                acting: None,
            }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let mut co = PgConnectOptions::from_str(url)?;
            if opts.create {
                ensure_pg_database(&co).await?;
            }
            if let Some(schema) = &opts.schema {
                if schema.is_empty()
                    || !schema
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    return Err(StoreError::InvalidSchema(schema.clone()));
                }
                let admin = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(co.clone())
                    .await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "CREATE SCHEMA IF NOT EXISTS {schema}"
                )))
                .execute(&admin)
                .await?;
                admin.close().await;
                co = co.options([("search_path", schema.as_str())]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.max(1))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(co)
                .await?;
            Store {
                pool: Pool::Postgres(pool),
                writer: None,
                audit_head: Default::default(),
                standards_cache: Default::default(),
                acting: None,
            }
        } else {
            return Err(StoreError::UnsupportedUrl(opts.url));
        };
        if opts.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// The same store, with its writes audited as made by `acting`.
    pub fn acting_as(&self, acting: Acting) -> Store {
        Store {
            pool: self.pool.clone(),
            writer: self.writer.clone(),
            audit_head: self.audit_head.clone(),
            standards_cache: self.standards_cache.clone(),
            acting: Some(std::sync::Arc::new(acting)),
        }
    }

    /// Appends an allowed action of `actor` done outside a request (a command line read of the
    /// log, say) to the audit log.
    pub async fn audit_note(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        detail: String,
    ) -> Result<(), StoreError> {
        self.audit_outside(actor, action, target, Outcome::Allowed, detail, "cli")
            .await
    }

    /// Appends a refused action of `actor` (a file refused whole, say: nothing of it was
    /// written, but the attempt is on the record) to the audit log.
    pub async fn audit_refusal(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        detail: String,
    ) -> Result<(), StoreError> {
        self.audit_outside(actor, action, target, Outcome::Refused, detail, "cli")
            .await
    }

    /// One entry outside a request's transaction, from `source` when no request is acting:
    /// [`Store::audit_note`], [`Store::audit_refusal`] and the access-management entries.
    pub(crate) async fn audit_outside(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        outcome: Outcome,
        detail: String,
        source: &str,
    ) -> Result<(), StoreError> {
        let entry = self.write_entry(actor, action, target, outcome, Some(detail), source);
        self.append_audit(&entry).await.map(|_| ())
    }

    /// The audit entry for a write made through this handle.
    pub(crate) fn write_entry(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        outcome: Outcome,
        detail: Option<String>,
        source: &str,
    ) -> NewEntry {
        let acting = self.acting.as_deref();
        NewEntry {
            at: crate::now(),
            actor: actor.to_string(),
            role: acting.map_or_else(|| "system".to_string(), |a| a.role.clone()),
            department: acting.and_then(|a| a.department.clone()),
            action: action.to_string(),
            target: target.map(str::to_string),
            purpose: None,
            request_id: acting.map_or_else(|| source.to_string(), |a| a.request_id.clone()),
            outcome,
            detail,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend that have not run yet.
    ///
    /// PostgreSQL serialises two processes migrating one database (sqlx takes an advisory lock);
    /// on SQLite the second of two processes starting on a new file at once can meet the
    /// first's half-made tables or its lock: each migration is its own transaction, so it tries
    /// again (for up to ten seconds) and finds them applied.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => {
                // The database's own answers are what the race gives (busy, a table already
                // made); a migration missing or changed is not retried.
                let racing = |e: &sqlx::migrate::MigrateError| {
                    matches!(
                        e,
                        sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(_))
                            | sqlx::migrate::MigrateError::ExecuteMigration(
                                sqlx::Error::Database(_),
                                _
                            )
                    )
                };
                retry_while_starting(racing, || sqlx::migrate!("./migrations/sqlite").run(p))
                    .await?
            }
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Versions of the migrations applied to this database, in order.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
        Ok(with_pool!(self, p => sqlx::query_scalar(sql).fetch_all(p).await?))
    }

    /// The migrations this build knows for this backend.
    pub fn known_migrations(&self) -> Vec<(i64, String)> {
        let m = match self.backend() {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    /// Tables and their columns (lower-case), sorted — used to check the two backends agree.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows: Vec<(String, String)> = match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' \
                     ORDER BY 1, 2",
                )
                .fetch_all(p)
                .await?
            }
            Pool::Postgres(p) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
                     ORDER BY 1, 2",
                )
                .fetch_all(p)
                .await?
            }
        };
        Ok(rows)
    }

    /// Checks the connection with a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _: i64 = with_pool!(self, p => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(p).await?);
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(w) = &self.writer {
            w.close().await;
        }
        with_pool!(self, p => p.close().await)
    }

    /// PostgreSQL only: drops a schema and all it holds (test clean-up).
    pub async fn drop_schema(&self, schema: &str) -> Result<(), StoreError> {
        if !schema
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(StoreError::InvalidSchema(schema.to_string()));
        }
        if let Pool::Postgres(p) = &self.pool {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(p)
            .await?;
        }
        Ok(())
    }
}
