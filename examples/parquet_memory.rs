//! Peak memory of reading Parquet (the streamed reader of `xdedup`): make a large file by
//! replaying the SaudiNewsNet articles, then read it record by record, keeping nothing.
//!
//! ```sh
//! cargo run --release --example parquet_memory -- make /tmp/replay.parquet 1000000
//! /usr/bin/time -f '%e s, %M KB' target/release/examples/parquet_memory scan /tmp/replay.parquet
//! ```
//!
//! `make` writes N articles (the 31k of ../shared/corpora/saudinewsnet.jsonl.gz in turn, each
//! copy with its number appended so no two texts are equal), one row group of 8,192 rows at a
//! time. `scan` reads them through `xdedup::io::read_inputs` as `cluster` does, counting records
//! and text bytes.

use std::io::BufRead;

use xdedup::io::parquet::{Kind, Writer};
use xdedup::io::{Input, Item, ReadOptions, read_inputs};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("make") => {
            let (path, n): (&str, usize) = (&args[2], args[3].parse().expect("N"));
            let corpus =
                concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora/saudinewsnet.jsonl.gz");
            let file =
                std::fs::File::open(corpus).expect("../shared/corpora/saudinewsnet.jsonl.gz");
            let lines: Vec<serde_json::Value> =
                std::io::BufReader::new(flate2::read::GzDecoder::new(file))
                    .lines()
                    .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
                    .collect();
            let mut w =
                Writer::new(&[("id", Kind::Text), ("title", Kind::Text), ("text", Kind::Text)])
                    .unwrap();
            for i in 0..n {
                let r = &lines[i % lines.len()];
                let text = format!("{} {}", r["text"].as_str().unwrap_or(""), i / lines.len());
                w.push(
                    serde_json::json!({"id": format!("r{i}"), "title": r["title"], "text": text}),
                )
                .unwrap();
            }
            std::fs::write(path, w.finish().unwrap()).unwrap();
            println!("{path}: {n} rows, {} bytes", std::fs::metadata(path).unwrap().len());
        }
        Some("scan") => {
            let opts = ReadOptions { title_field: Some("title".into()), ..Default::default() };
            let (mut records, mut rejected, mut bytes) = (0u64, 0u64, 0u64);
            read_inputs(&[Input::parse(&args[2])], &opts, |item| {
                match item {
                    Item::Record(r) => {
                        records += 1;
                        bytes += r.text.len() as u64;
                    }
                    Item::Rejected(_) => rejected += 1,
                    Item::Header(_) => {}
                }
                true
            });
            println!("{records} records ({bytes} bytes of text), {rejected} rejected");
        }
        _ => eprintln!("usage: parquet_memory make FILE N | scan FILE"),
    }
}
