//! `cluster --report`: the HTML review report, checked as text and in headless Chromium.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use util::{shared, stderr, xdedup};

fn seed_report(dir: &Path) -> String {
    let seed = shared("seed/seed-stories.jsonl");
    let out = xdedup(
        dir,
        &[
            "cluster",
            seed.to_str().unwrap(),
            "-q",
            "-o",
            "stories.jsonl",
            "--report",
            "report.html",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::read_to_string(dir.join("report.html")).unwrap()
}

#[test]
fn the_report_is_self_contained_and_lists_stories_largest_first() {
    let dir = tempfile::tempdir().unwrap();
    let html = seed_report(dir.path());
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Nothing to fetch: no scripts, no external styles, images or fonts.
    for needle in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(needle), "the report must not contain {needle}");
    }
    // The seed's stories of two or more, largest first: the apology (5), Medvedev (3).
    let apology = html.find("<h2>related-01").expect("apology story");
    let medvedev = html.find("<h2>medvedev-title").expect("medvedev story");
    assert!(apology < medvedev);
    assert_eq!(html.matches("<section class=\"story\"").count(), 3);
    assert!(html.contains("15 records read: 15 documents in "), "summary");
    assert!(html.contains("3 stories of two or more hold "), "summary");
    // Scores to the representative, shared words marked, the threshold on the histogram.
    assert!(html.contains("<mark>"));
    assert!(html.contains("class=\"threshold\""));
    assert!(html.contains("threshold 0.12"));
    // Every member of those stories is there with its text.
    for id in
        ["related-03", "related-04", "related-05", "related-06", "medvedev-body", "related-02"]
    {
        assert!(html.contains(&format!("<td class=\"id\">{id}")), "{id}");
    }
}

/// A report named as a file of records (`stories.csv`) is refused before the run, on either
/// engine, and nothing is written; a compressed page is written as its name says.
#[test]
fn a_report_named_as_records_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let seed = shared("seed/seed-stories.jsonl");
    let seed = seed.to_str().unwrap();
    for name in ["stories.csv", "stories.parquet", "report.jsonl.gz"] {
        for engine in [&[][..], &["--engine", "timely", "-w", "2"]] {
            let args = [&["cluster", seed, "-q", "-o", "out.jsonl", "--report", name][..], engine];
            let out = xdedup(dir.path(), &args.concat(), None);
            assert_eq!(out.status.code(), Some(2), "{name} {engine:?}");
            let want = format!("--report {name}: the report is one HTML page");
            assert!(stderr(&out).contains(&want), "{}", stderr(&out));
            assert!(!dir.path().join(name).exists() && !dir.path().join("out.jsonl").exists());
        }
    }
    let args = ["cluster", seed, "-q", "--report", "report.html.gz"];
    let out = xdedup(dir.path(), &args, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = xdedup::io::Input::Path(dir.path().join("report.html.gz")).read_text(None).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
}

/// Chromium: `CHROMIUM`, or Debian's `/usr/bin/chromium` (`scripts/test.sh` installs it).
fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "{} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM; scripts/test.sh does it",
        path.display()
    );
    path
}

#[test]
fn the_report_renders_in_headless_chromium_without_console_errors() {
    let dir = tempfile::tempdir().unwrap();
    seed_report(dir.path());
    let page = format!("file://{}", dir.path().join("report.html").display());
    let shot = dir.path().join("report.png");
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let out = Command::new(chromium())
        .args(common)
        .arg("--window-size=1200,1500")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .expect("chromium runs");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    let console: Vec<&str> =
        log.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "screenshot of {} bytes", png.len());
    // The rendered DOM holds the stories.
    let dom = Command::new(chromium())
        .args(common)
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("related-03") && dom.contains("medvedev-title"),
        "{}",
        &dom[..dom.len().min(500)]
    );
    if let Some(keep) = std::env::var_os("XDEDUP_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
