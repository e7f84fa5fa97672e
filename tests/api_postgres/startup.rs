//! What only PostgreSQL has: processes migrating one database at once, and a
//! server that goes away and comes back.

use std::time::Duration;

use hyperfocus::{config::DatabaseConfig, services::state::AppState};
use tokio::{net::TcpListener, task::JoinSet};

use crate::{database::TestDatabase, helpers::TestApp};

/// Relays connections from `listener` to PostgreSQL until dropped.
fn relay(listener: TcpListener) -> JoinSet<()> {
    let mut tasks = JoinSet::new();
    tasks.spawn(async move {
        let mut connections = JoinSet::new();
        while let Ok((mut client, _)) = listener.accept().await {
            connections.spawn(async move {
                if let Ok(mut server) = tokio::net::TcpStream::connect("127.0.0.1:5432").await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    tasks
}

/// The test puts a TCP relay between the application and the server and
/// cuts it: `/readyz` fails while PostgreSQL cannot be reached and recovers
/// when it can again.
#[tokio::test]
async fn readiness_fails_while_the_database_is_unreachable_and_recovers() {
    let db = TestDatabase::create(crate::BACKEND).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut relayed = relay(listener);
    let url = db.url().replacen("127.0.0.1:5432", &address.to_string(), 1);
    assert_ne!(url, db.url(), "the test database URL names 127.0.0.1:5432");
    let config = DatabaseConfig {
        database_url: url,
        sqlite_readers: 1,
        pool_size: 2,
    };
    let store = hyperfocus::open_store(&config).await.unwrap();
    let app = TestApp::around(AppState::new(store), db);
    assert_eq!(app.call("GET", "/readyz", None, None).await.status, 200);

    relayed.shutdown().await; // every relayed connection is cut
    let down = app.call("GET", "/readyz", None, None).await;
    down.problem(503);
    assert_eq!(app.call("GET", "/healthz", None, None).await.status, 200);

    let mut relayed = relay(TcpListener::bind(address).await.unwrap());
    let mut status = 0;
    for _ in 0..50 {
        status = app.call("GET", "/readyz", None, None).await.status.as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "readiness did not recover");
    relayed.shutdown().await;
}

#[tokio::test]
async fn processes_starting_together_migrate_once() {
    let db = TestDatabase::create(crate::BACKEND).await;
    let config = DatabaseConfig {
        database_url: db.url().to_owned(),
        sqlite_readers: 1,
        pool_size: 2,
    };
    let (first, second, third) = tokio::join!(
        hyperfocus::open_store(&config),
        hyperfocus::open_store(&config),
        hyperfocus::open_store(&config)
    );
    for store in [first, second, third] {
        store.expect("every process starts");
    }
    // Each migration once: as many rows as files in migrations/postgres.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count();
    assert_eq!(
        db.scalar("SELECT count(*) FROM hyperfocus_migrations")
            .await,
        Ok(i64::try_from(files).unwrap())
    );
}
