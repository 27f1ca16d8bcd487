//! The both-backends harness shared by the store test files.
#![allow(dead_code)]

use chengxin_store::{ConnectOptions, Store};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

pub fn pg_url() -> String {
    std::env::var("CHENGXIN_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

static SEQ: AtomicU32 = AtomicU32::new(0);

/// Runs `scenario` on a fresh SQLite store and on a fresh PostgreSQL schema.
pub async fn on_both<F, Fut>(name: &str, scenario: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let sqlite = Store::connect("sqlite::memory:").await.expect("sqlite");
    scenario(sqlite).await;
    if std::env::var("CHENGXIN_SKIP_PG").is_ok_and(|v| v == "1") {
        eprintln!("{name}: PostgreSQL half skipped (CHENGXIN_SKIP_PG=1)");
        return;
    }
    let schema = format!(
        "t_{name}_{}_{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    );
    let mut opts = ConnectOptions::new(pg_url());
    opts.schema = Some(schema.clone());
    opts.max_connections = 4;
    let pg = Store::connect_with(opts).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL at {} is required for the store tests ({e}); start it or set CHENGXIN_SKIP_PG=1",
            pg_url()
        )
    });
    scenario(pg.clone()).await;
    pg.drop_schema(&schema).await.expect("drop schema");
    pg.close().await;
}
