//! Both backends' migrated schemas have the same tables, columns (with nullability) and indexes.

use crate::common;

use common::{Backend, TestApp};
use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use flashpage::db_read;
use flashpage::infra::db::DbError;
use std::collections::BTreeSet;

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Text)]
    columns: String,
}

const SQLITE_COLUMNS: &str = r#"
    SELECT m.name AS table_name, p.name AS column_name, (p."notnull" = 1 OR p.pk > 0) AS not_null
    FROM sqlite_master m JOIN pragma_table_info(m.name) p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'"#;
const SQLITE_INDEXES: &str = r#"
    SELECT m.name AS table_name, il.name AS index_name, il."unique" = 1 AS is_unique,
           (SELECT group_concat(name, ',') FROM (SELECT ii.name FROM pragma_index_info(il.name) ii ORDER BY ii.seqno)) AS columns
    FROM sqlite_master m JOIN pragma_index_list(m.name) il
    WHERE m.type = 'table' AND il.origin = 'c'"#;
const PG_COLUMNS: &str = r#"
    SELECT table_name::text AS table_name, column_name::text AS column_name, (is_nullable = 'NO') AS not_null
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'"#;
const PG_INDEXES: &str = r#"
    SELECT t.relname::text AS table_name, i.relname::text AS index_name, ix.indisunique AS is_unique,
           string_agg(a.attname::text, ',' ORDER BY array_position(ix.indkey::int2[], a.attnum)) AS columns
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(ix.indkey)
    WHERE n.nspname = current_schema() AND NOT ix.indisprimary
    GROUP BY t.relname, i.relname, ix.indisunique"#;

async fn introspect(app: &TestApp) -> (BTreeSet<String>, Vec<ColumnRow>, Vec<IndexRow>) {
    let (columns_sql, indexes_sql) = match app.state.db.backend_name() {
        "sqlite" => (SQLITE_COLUMNS, SQLITE_INDEXES),
        _ => (PG_COLUMNS, PG_INDEXES),
    };
    let r: Result<(Vec<ColumnRow>, Vec<IndexRow>), DbError> = db_read!(app.state.db, conn => {
        let columns = diesel::sql_query(columns_sql).load::<ColumnRow>(conn).await?;
        let indexes = diesel::sql_query(indexes_sql).load::<IndexRow>(conn).await?;
        Ok((columns, indexes))
    });
    let (mut columns, mut indexes) = r.expect("introspection");
    columns.sort();
    indexes.sort();
    let tables = columns.iter().map(|c| c.table_name.clone()).collect();
    (tables, columns, indexes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let sqlite = TestApp::start(Backend::Sqlite).await.expect("sqlite");
    let Some(pg) = TestApp::start(Backend::Postgres).await else {
        sqlite.finish().await;
        return;
    };
    let (s_tables, s_columns, s_indexes) = introspect(&sqlite).await;
    let (p_tables, p_columns, p_indexes) = introspect(&pg).await;

    // Every entity of the seed data model is there.
    for table in [
        "users",
        "organizations",
        "groups",
        "roles",
        "user_roles",
        "plans",
        "subscriptions",
        "products",
        "files",
        "pages",
        "page_contents",
        "orders",
        "registrations",
        "sessions",
        "security_log",
    ] {
        assert!(s_tables.contains(table), "sqlite lacks {table}");
    }
    // The seed's primary and secondary indexes.
    for index in [
        "users_email_key",
        "pages_short_id_key",
        "orders_buyer_email_idx",
        "registrations_email_idx",
        "products_user_id_idx",
        "pages_user_id_idx",
        "pages_expires_at_idx",
        "registrations_page_id_idx",
    ] {
        assert!(s_indexes.iter().any(|i| i.index_name == index), "sqlite lacks index {index}");
    }
    assert_eq!(s_tables, p_tables, "same tables");
    assert_eq!(s_columns, p_columns, "same columns and nullability");
    assert_eq!(s_indexes, p_indexes, "same indexes");
    sqlite.finish().await;
    pg.finish().await;
}
