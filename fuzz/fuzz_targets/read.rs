//! Fuzz target: see `read` in `tests/fuzz/checks.rs` for what it checks.

#![no_main]

#[path = "../../tests/fuzz/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::read(data));
