//! Change notices between app instances that share one PostgreSQL: a writer announces what it
//! changed (`pg_notify`), every instance listens (`LISTEN`) and drops what it cached of it. With
//! SQLite there is one instance, and both ends do nothing.

use super::{DatabaseUrl, Db, DbError, PgConn, Pool};
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, RunQueryDsl};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

impl Db {
    /// Tells the other instances listening on `channel` about `payload`.
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), DbError> {
        let Pool::Pg(pool) = &self.pool else { return Ok(()) };
        let mut conn = pool.get().await.map_err(DbError::from)?;
        diesel::sql_query("SELECT pg_notify($1, $2)").bind::<Text, _>(channel).bind::<Text, _>(payload).execute(&mut *conn).await?;
        Ok(())
    }
}

/// The payloads sent on `channel` from now on, over a connection of its own; `None` for SQLite.
/// The stream ends when the connection does (the caller listens again, and assumes it missed
/// something meanwhile).
pub async fn listen(url: &DatabaseUrl, channel: &'static str) -> Result<Option<BoxStream<'static, String>>, DbError> {
    let DatabaseUrl::Postgres(url) = url else { return Ok(None) };
    let mut conn = PgConn::establish(url).await.map_err(|e| DbError::Connect(e.to_string()))?;
    // The channel is one of ours (a constant), never user input: it can be part of the statement.
    diesel::sql_query(format!("LISTEN {channel}")).execute(&mut conn).await?;
    let stream = futures_util::stream::unfold(conn, |mut conn| async move {
        let next = std::pin::pin!(conn.notifications_stream()).next().await;
        match next {
            Some(Ok(n)) => Some((n.payload, conn)),
            _ => None,
        }
    });
    Ok(Some(stream.boxed()))
}
