//! The whole API suite again, on PostgreSQL: every test gets a fresh
//! database on the server named by `HYPERFOCUS_TEST_POSTGRES_URL`, and fails
//! loudly if that server cannot be reached.
//!
//! `cargo test --features postgres-tests`; `.ci/run` runs it whenever a
//! server answers on 127.0.0.1:5432.

#[path = "../api/database.rs"]
mod database;
#[path = "../api/docs.rs"]
mod docs;
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/interruptions.rs"]
mod interruptions;
#[path = "../api/isolation.rs"]
mod isolation;
mod readiness;
#[path = "../api/service.rs"]
mod service;
#[path = "../api/sessions.rs"]
mod sessions;
#[path = "../api/stats.rs"]
mod stats;
#[path = "../api/users.rs"]
mod users;

const BACKEND: database::Backend = database::Backend::Postgres;
