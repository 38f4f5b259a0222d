//! Embedded migrations, one folder per dialect, applied at start-up and by `flashpage migrate`.

use super::{Db, DbError, Pool};
use diesel_async::AsyncMigrationHarness;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies pending migrations; returns how many ran. Safe to call on every start.
pub async fn run_migrations(db: &Db) -> Result<usize, DbError> {
    // The harness is synchronous (it uses `block_in_place`), so run it on a blocking thread.
    match &db.pool {
        Pool::Sqlite { write, .. } => {
            // The writer pool's one connection, so nothing else writes while the schema changes.
            let _writer = write.get().await?;
            let conn = write.dedicated_connection().await.map_err(|e| DbError::Connect(e.to_string()))?;
            run_blocking(conn, SQLITE_MIGRATIONS).await
        }
        Pool::Pg(pool) => {
            let conn = pool.dedicated_connection().await.map_err(|e| DbError::Connect(e.to_string()))?;
            run_blocking(conn, POSTGRES_MIGRATIONS).await
        }
    }
}

async fn run_blocking<C>(conn: C, migrations: EmbeddedMigrations) -> Result<usize, DbError>
where
    C: diesel_async::AsyncConnection + Send + 'static,
    AsyncMigrationHarness<C>: MigrationHarness<<C as diesel_async::AsyncConnectionCore>::Backend>,
{
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        harness.run_pending_migrations(migrations).map(|ran| ran.len()).map_err(|e| DbError::Migrate(e.to_string()))
    })
    .await
    .map_err(|e| DbError::Migrate(e.to_string()))?
}
