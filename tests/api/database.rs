//! The database under a `TestApp`: a fresh SQLite file, or a fresh
//! PostgreSQL database on the server named by `HYPERFOCUS_TEST_POSTGRES_URL`.
//! Tests read it directly only to check what the API cannot show.

use std::sync::{
    OnceLock,
    atomic::{AtomicUsize, Ordering},
};

use tempfile::TempDir;

/// Which backend a test binary runs the suite against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code, reason = "each test binary names one backend")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL: &str = "HYPERFOCUS_TEST_POSTGRES_URL";

/// A fresh, empty database.
pub enum TestDatabase {
    Sqlite { dir: TempDir, url: String },
    Postgres { url: String },
}

impl TestDatabase {
    /// A new database for `backend`. On PostgreSQL, a server that cannot be
    /// reached fails the test loudly.
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("hyperfocus.db").display());
                Self::Sqlite { dir, url }
            }
            Backend::Postgres => Self::Postgres {
                url: fresh_postgres_database().await,
            },
        }
    }

    /// The URL the application connects with.
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url } => url,
        }
    }

    /// The SQLite file, on that backend.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match self {
            Self::Sqlite { dir, .. } => Some(dir.path().join("hyperfocus.db")),
            Self::Postgres { .. } => None,
        }
    }

    /// Runs one statement returning one integer (or `Err` with the
    /// database's message).
    pub async fn scalar(&self, sql: &str) -> Result<i64, String> {
        match self {
            Self::Sqlite { .. } => {
                let conn = rusqlite::Connection::open(self.sqlite_path().expect("sqlite"))
                    .map_err(|e| e.to_string())?;
                conn.query_row(sql, [], |row| row.get(0))
                    .map_err(|e| e.to_string())
            }
            Self::Postgres { url } => {
                let client = connect(url).await;
                let row = client.query_one(sql, &[]).await.map_err(|e| {
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |d| d.message().to_owned())
                })?;
                Ok(row.get(0))
            }
        }
    }

    /// Runs `sql`, any number of statements.
    pub async fn execute_batch(&self, sql: &str) {
        match self {
            Self::Sqlite { .. } => {
                let conn =
                    rusqlite::Connection::open(self.sqlite_path().expect("sqlite")).expect("open");
                conn.execute_batch(sql).expect("statements run");
            }
            Self::Postgres { url } => {
                connect(url)
                    .await
                    .batch_execute(sql)
                    .await
                    .expect("statements run");
            }
        }
    }

    /// The hash kept for token `token_id`, and every text column of its
    /// user and of the token, run together.
    pub async fn token_row(&self, token_id: i64) -> (Vec<u8>, String) {
        let sql = "SELECT t.secret_hash,
                          u.name || u.email || u.timezone || COALESCE(u.password_hash, '') || t.name
                   FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ";
        match self {
            Self::Sqlite { .. } => {
                let conn =
                    rusqlite::Connection::open(self.sqlite_path().expect("sqlite")).expect("open");
                conn.query_row(&format!("{sql}{token_id}"), [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .expect("token row")
            }
            Self::Postgres { url } => {
                let row = connect(url)
                    .await
                    .query_one(&format!("{sql}{token_id}"), &[])
                    .await
                    .expect("token row");
                (row.get(0), row.get(1))
            }
        }
    }
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL} is set but PostgreSQL cannot be reached: {e}"));
    tokio::spawn(connection);
    client
}

/// Creates `hf_test_<pid>_<n>` and returns its URL. The first call in a
/// process drops the test databases earlier runs left behind.
async fn fresh_postgres_database() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    static SWEPT: OnceLock<()> = OnceLock::new();
    let admin_url = std::env::var(POSTGRES_URL)
        .expect("the PostgreSQL suite needs HYPERFOCUS_TEST_POSTGRES_URL");
    let admin = connect(&admin_url).await;
    let pid = std::process::id();
    if SWEPT.set(()).is_ok() {
        let stale = admin
            .query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'hf_test_%' AND datname NOT LIKE $1",
                &[&format!("hf_test_{pid}_%")],
            )
            .await
            .expect("list test databases");
        for row in stale {
            let name: String = row.get(0);
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
    let name = format!("hf_test_{pid}_{}", NEXT.fetch_add(1, Ordering::SeqCst));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    let base = admin_url.split('?').next().unwrap_or(&admin_url);
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    format!("{server}/{name}")
}
