//! The database handle: SQLite (embedded default) or PostgreSQL, chosen at run time by `DATABASE_URL`.
//!
//! Domain code sees two doors and nothing of the pools behind them:
//! - [`db_read!`] runs a query body on a connection that only reads;
//! - [`db_write!`] runs a body inside a transaction (committed on `Ok`, rolled back on `Err`).
//!
//! Both expand the same body once per backend (Diesel's `MultiConnection` does not work through
//! diesel-async), so each arm sees a concrete connection type.
//!
//! SQLite allows one writer at a time, and a deferred transaction that reads and then writes fails
//! with `SQLITE_BUSY` without waiting when another connection wrote in between. So SQLite gets two
//! pools: readers (opened with `query_only`, so a write slipped into [`db_read!`] fails at once
//! instead of racing) and a single writer connection. Every write, a one-statement update as much
//! as a transaction, queues for that connection in Rust instead of failing in SQLite. The queue is
//! a fair (first come, first served) lock in front of that pool: bb8 alone lets a newcomer take a
//! connection just returned before the longest waiter, and under a sale's load some writers
//! starved until they timed out (36 of 4,600 holds answered 503 after 10 s in benches/checkout).
//! (Busy-timeout still covers other processes, such as the `migrate` subcommand.)
mod migrate;
pub mod notify;
pub mod schema;
mod url;

pub use migrate::run_migrations;
pub use url::{DatabaseUrl, parse_database_url};

use diesel::SqliteConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::bb8::Pool as Bb8Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, SimpleAsyncConnection};
use std::time::Duration;

pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;
pub type PgConn = AsyncPgConnection;

/// The pools behind a [`Db`]; only the macros look inside.
#[doc(hidden)]
#[derive(Clone)]
pub enum Pool {
    Sqlite { read: Bb8Pool<SqliteConn>, write: Bb8Pool<SqliteConn>, turn: std::sync::Arc<tokio::sync::Mutex<()>> },
    Pg(Bb8Pool<PgConn>),
}

/// A cloneable handle to the database. Cheap to clone; share it through the app state.
#[derive(Clone)]
pub struct Db {
    #[doc(hidden)]
    pub pool: Pool,
}

/// Errors from the database layer. Domain code maps them into its own error type.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("could not get a database connection: {0}")]
    Pool(String),
    #[error("could not open the database: {0}")]
    Connect(String),
    #[error("migrations failed: {0}")]
    Migrate(String),
}

impl DbError {
    /// True for a unique-constraint violation (on either backend).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Query(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)))
    }
}

impl<E: std::error::Error + 'static> From<bb8::RunError<E>> for DbError {
    fn from(e: bb8::RunError<E>) -> Self {
        DbError::Pool(e.to_string())
    }
}

impl From<DbError> for crate::error::AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Pool(_) | DbError::Connect(_) => crate::error::AppError::unavailable(e),
            other => crate::error::AppError::internal(other),
        }
    }
}

/// Pragmas for every SQLite connection: WAL for concurrent readers, foreign keys on, and a busy
/// timeout so that a second process waits instead of failing.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";
/// PostgreSQL sessions give up instead of waiting forever: a row lock not granted within 10 s is
/// an error (the request fails with a message and logs which), and a session that sits in an open
/// transaction for a minute is ended by the server, so a stuck request cannot hold a page's lock.
const POSTGRES_SESSION: &str = "SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '60s';";

/// The readers' connections also refuse writes: a write through [`db_read!`] is an error, never a race.
const SQLITE_READER_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA query_only = ON;";

fn sqlite_manager(path: &str, pragmas: &'static str) -> AsyncDieselConnectionManager<SqliteConn> {
    let mut config = ManagerConfig::<SqliteConn>::default();
    config.custom_setup = Box::new(move |url| {
        let url = url.to_string();
        Box::pin(async move {
            let mut conn = SqliteConn::establish(&url).await?;
            conn.batch_execute(pragmas).await.map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            Ok(conn)
        })
    });
    AsyncDieselConnectionManager::<SqliteConn>::new_with_config(path.to_string(), config)
}

impl Db {
    /// Opens a pool for the URL. Does not run migrations; see [`run_migrations`].
    pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Db, DbError> {
        let pool = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = std::path::Path::new(path).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent).map_err(|e| DbError::Connect(format!("cannot create {}: {e}", parent.display())))?;
                    }
                }
                // The writer first: it creates the file and switches it to WAL before readers open it.
                let write = build_pool(sqlite_manager(path, SQLITE_PRAGMAS), 1).await?;
                let readers = sqlite_manager(path, SQLITE_READER_PRAGMAS);
                let read = build_pool(readers, max_connections).await?;
                Pool::Sqlite { read, write, turn: std::sync::Arc::new(tokio::sync::Mutex::new(())) }
            }
            DatabaseUrl::Postgres(url) => {
                let mut config = ManagerConfig::<PgConn>::default();
                config.custom_setup = Box::new(|url| {
                    let url = url.to_string();
                    Box::pin(async move {
                        let mut conn = PgConn::establish(&url).await?;
                        conn.batch_execute(POSTGRES_SESSION).await.map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                        Ok(conn)
                    })
                });
                let manager = AsyncDieselConnectionManager::<PgConn>::new_with_config(url.clone(), config);
                Pool::Pg(build_pool(manager, max_connections).await?)
            }
        };
        let db = Db { pool };
        // Fail at start-up, with the reason, rather than on the first request.
        db.ping().await.map_err(|e| DbError::Connect(e.to_string()))?;
        Ok(db)
    }

    pub fn backend_name(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite { .. } => "sqlite",
            Pool::Pg(_) => "postgres",
        }
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        crate::db_read!(self, conn => {
            conn.batch_execute("SELECT 1").await?;
            Ok(())
        })
    }
}

async fn build_pool<C>(manager: AsyncDieselConnectionManager<C>, max: u32) -> Result<Bb8Pool<C>, DbError>
where
    AsyncDieselConnectionManager<C>: bb8::ManageConnection<Connection = C>,
    <AsyncDieselConnectionManager<C> as bb8::ManageConnection>::Error: std::fmt::Display,
{
    Bb8Pool::builder().max_size(max).connection_timeout(Duration::from_secs(10)).build(manager).await.map_err(|e| DbError::Connect(e.to_string()))
}

/// Runs `$body` with `$conn: &mut <concrete connection>` from the readers' pool. The macro is an
/// expression of type `Result<T, E>` (`E: From<DbError>`); `?` inside the body returns from the
/// macro, not from the enclosing function. On SQLite the connection refuses writes.
#[macro_export]
macro_rules! db_read {
    ($db:expr, $conn:ident => $body:expr) => {
        async {
            #[allow(unused_imports)]
            use diesel_async::RunQueryDsl as _;
            match &($db).pool {
                $crate::infra::db::Pool::Sqlite { read, .. } => {
                    let mut pooled = read.get().await.map_err($crate::infra::db::DbError::from)?;
                    let $conn: &mut $crate::infra::db::SqliteConn = &mut *pooled;
                    $body
                }
                $crate::infra::db::Pool::Pg(pool) => {
                    let mut pooled = pool.get().await.map_err($crate::infra::db::DbError::from)?;
                    let $conn: &mut $crate::infra::db::PgConn = &mut *pooled;
                    $body
                }
            }
        }
        .await
    };
}

/// Runs `$body` inside a transaction (committed on `Ok`, rolled back on `Err`): the one door for
/// every change. `$body` is an expression of type `Result<T, E>` that may use `.await` and `?`;
/// `E: From<diesel::result::Error>`. The body runs in an `async move` closure: bind owned values
/// to references before the macro. On SQLite it waits for the single writer connection (see the
/// module docs), so writes queue instead of failing with "database is locked".
#[macro_export]
macro_rules! db_write {
    ($db:expr, $conn:ident => $body:expr) => {
        async {
            use diesel_async::AsyncConnection as _;
            #[allow(unused_imports)]
            use diesel_async::RunQueryDsl as _;
            match &($db).pool {
                $crate::infra::db::Pool::Sqlite { write, turn, .. } => {
                    // Writers take turns in arrival order (tokio's mutex is fair).
                    let _turn = turn.lock().await;
                    let mut pooled = write.get().await.map_err($crate::infra::db::DbError::from)?;
                    let conn: &mut $crate::infra::db::SqliteConn = &mut *pooled;
                    conn.transaction(async move |$conn: &mut $crate::infra::db::SqliteConn| $body).await
                }
                $crate::infra::db::Pool::Pg(pool) => {
                    let mut pooled = pool.get().await.map_err($crate::infra::db::DbError::from)?;
                    let conn: &mut $crate::infra::db::PgConn = &mut *pooled;
                    conn.transaction(async move |$conn: &mut $crate::infra::db::PgConn| $body).await
                }
            }
        }
        .await
    };
}

/// A new primary key: a UUIDv7 (time-ordered, so new rows land at the end of the index).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// What query code imports: Diesel's query builder plus diesel-async's `RunQueryDsl` (not Diesel's
/// synchronous one, whose methods would clash).
pub mod prelude {
    pub use diesel::{
        BoolExpressionMethods, ExpressionMethods, JoinOnDsl, NullableExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper, TextExpressionMethods,
    };
    pub use diesel_async::RunQueryDsl;
}
