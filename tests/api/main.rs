//! API tests: one binary, every test with a fresh database, acting as a client.

mod docs;
mod helpers;
mod interruptions;
mod isolation;
mod service;
mod sessions;
mod stats;
mod users;
