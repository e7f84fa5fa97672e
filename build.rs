//! Compiles the PostgreSQL run of the API suite (`tests/api_postgres`) in
//! when `HYPERFOCUS_TEST_POSTGRES_URL` names a server, so that a plain
//! `cargo test` runs the suite on both backends wherever PostgreSQL is
//! available, and reports it as ignored elsewhere.

fn main() {
    println!("cargo:rerun-if-env-changed=HYPERFOCUS_TEST_POSTGRES_URL");
    println!("cargo:rustc-check-cfg=cfg(hyperfocus_postgres_tests)");
    if std::env::var_os("HYPERFOCUS_TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo:rustc-cfg=hyperfocus_postgres_tests");
    }
}
