//! What only PostgreSQL has: processes migrating one database at once, a
//! server that goes away and comes back, and the key every process on a
//! database must share.

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

/// `hyperfocus serve` on `db` in a directory of its own, with `args`.
fn serve_command(
    db: &TestDatabase,
    dir: &std::path::Path,
    args: &[&str],
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hyperfocus"));
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--log", "error"])
        .args(["--database-url", db.url()])
        .args(args)
        .current_dir(dir)
        .env_remove("HYPERFOCUS_SECRET_KEY")
        .env_remove("HYPERFOCUS_SECRET_KEY_FILE")
        .env_remove("HYPERFOCUS_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Processes on one database must share the key webhook secrets are sealed
/// under: without one, a process refuses to start, says why and how to make
/// one, and makes no key file of its own.
#[tokio::test]
async fn a_process_without_a_shared_key_refuses_to_start_and_says_how_to_make_one() {
    let db = TestDatabase::create(crate::BACKEND).await;
    let dir = tempfile::tempdir().unwrap();
    let refused = tokio::time::timeout(
        Duration::from_secs(30),
        serve_command(&db, dir.path(), &[]).output(),
    )
    .await
    .expect("it stops at once")
    .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("a PostgreSQL server needs the key webhook secrets are sealed under")
            && said.contains("openssl rand -base64 32")
            && said.contains("--secret-key (HYPERFOCUS_SECRET_KEY)")
            && said.contains("--secret-key-file (HYPERFOCUS_SECRET_KEY_FILE)"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no key made"
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'hyperfocus_migrations'")
            .await,
        Ok(0),
        "it stopped before touching the database"
    );

    // Given a key file, it starts.
    let key = dir.path().join("secret-key.txt");
    std::fs::write(&key, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n").unwrap();
    let mut started = serve_command(
        &db,
        dir.path(),
        &["--secret-key-file", key.to_str().unwrap()],
    )
    .spawn()
    .unwrap();
    let mut migrated = Ok(0);
    for _ in 0..100 {
        migrated = db
            .scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'hyperfocus_migrations'")
            .await;
        if migrated == Ok(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        migrated,
        Ok(1),
        "the process with a key opened the database"
    );
    assert!(started.try_wait().unwrap().is_none(), "and keeps serving");
    started.kill().await.unwrap();
}
