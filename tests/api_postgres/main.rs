//! The whole API suite again, on PostgreSQL: every test gets a fresh
//! database on the server named by `HYPERFOCUS_TEST_POSTGRES_URL`, and fails
//! loudly if that server cannot be reached. Without the variable the suite
//! is not compiled in (see build.rs) and one ignored test says so.

#[cfg(not(hyperfocus_postgres_tests))]
#[test]
#[ignore = "set HYPERFOCUS_TEST_POSTGRES_URL to run the API suite on PostgreSQL"]
fn postgresql_suite() {}

#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/accounts.rs"]
mod accounts;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/admin.rs"]
mod admin;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/calendar.rs"]
mod calendar;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/client/mod.rs"]
mod client;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/corrections.rs"]
mod corrections;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/database.rs"]
mod database;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/day_settings.rs"]
mod day_settings;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/deliveries.rs"]
mod deliveries;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/docs.rs"]
mod docs;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/export.rs"]
mod export;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/goals.rs"]
mod goals;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/helpers.rs"]
mod helpers;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/ids.rs"]
mod ids;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/import.rs"]
mod import;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/interruptions.rs"]
mod interruptions;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/isolation.rs"]
mod isolation;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/live.rs"]
mod live;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/rate_limit.rs"]
mod rate_limit;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/same_second.rs"]
mod same_second;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/service.rs"]
mod service;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/sessions.rs"]
mod sessions;
#[cfg(hyperfocus_postgres_tests)]
mod startup;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/stats.rs"]
mod stats;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/upgrade.rs"]
mod upgrade;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/users.rs"]
mod users;

#[cfg(hyperfocus_postgres_tests)]
const BACKEND: database::Backend = database::Backend::Postgres;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/web.rs"]
mod web;
#[cfg(hyperfocus_postgres_tests)]
#[path = "../api/webhooks.rs"]
mod webhooks;
