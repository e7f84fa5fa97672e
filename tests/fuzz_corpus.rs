//! Replays every input in `fuzz/corpus/` through the checks of its fuzz
//! target, so that what libFuzzer found interesting stays a regression test
//! on the stable toolchain, on every `cargo test`.

use std::{fs, panic, path::Path};

#[path = "../fuzz/harness.rs"]
mod harness;

/// Runs `check` on each input of `target`'s corpus; fails naming every
/// input that panicked.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("corpus entry").path())
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 50,
        "{}: only {} inputs",
        dir.display(),
        inputs.len()
    );
    let failed: Vec<_> = inputs
        .iter()
        .filter(|path| {
            let data = fs::read(path).expect("corpus input");
            panic::catch_unwind(|| check(&data)).is_err()
        })
        .collect();
    assert!(failed.is_empty(), "inputs that fail: {failed:?}");
}

#[test]
fn client_input_corpus() {
    replay("client_input", harness::client_input);
}

#[test]
fn engine_corpus() {
    replay("engine", harness::engine);
}

#[test]
fn import_corpus() {
    replay("import", harness::import);
}
