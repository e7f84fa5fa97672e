//! `cargo fuzz run import`: see `../harness.rs` for what it checks.
#![no_main]

#[allow(dead_code)] // each target uses one of the checks
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::import(data));
