//! API tests: one binary, every test with a fresh database, acting as a client.

mod accounts;
mod admin;
mod calendar;
mod client;
mod corrections;
mod database;
mod day_settings;
mod deliveries;
mod docs;
mod export;
mod goals;
mod helpers;
mod ids;
mod import;
mod interruptions;
mod isolation;
mod live;
mod rate_limit;
mod same_second;
mod service;
mod sessions;
mod stats;
mod upgrade;
mod users;
mod web;
mod webhooks;

/// This binary runs the suite on SQLite; `tests/api_postgres` runs it again
/// on PostgreSQL.
const BACKEND: database::Backend = database::Backend::Sqlite;
