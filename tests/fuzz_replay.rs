//! Replays the fuzzers' kept corpus (`tests/fuzz/corpus/<target>/`): every input that once
//! found new coverage runs through the same checks as in the fuzz targets. Fast; runs in CI.
//! Fuzzing itself: `cargo fuzz run -s none <target>` (see `RELIABILITY.md`).

#[path = "fuzz/checks.rs"]
mod checks;

fn replay(target: &str, check: fn(&[u8])) {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        check(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n > 0, "{}: empty corpus", dir.display());
}

#[test]
fn readers() {
    replay("read", checks::read);
}

#[test]
fn normalizer_and_shingler() {
    replay("text", checks::text);
}

#[test]
fn index_rows() {
    replay("index_rows", checks::index_rows);
}
