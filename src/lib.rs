//! # xdedup — near-duplicate and same-story detection for news, in any script
//!
//! xdedup collapses repeated reports into stories: five differently worded headlines about one
//! apology become one story, a wire story reprinted by ten papers becomes one story, and an
//! unrelated story that happens to share most of its words stays apart.
//!
//! ## The pipeline
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! io::read ─▶ text (normalize) ─▶ shingle ─▶ weights (IDF) ─▶ sketch (weighted MinHash)
//!   ─▶ lsh (bands) ─▶ candidates ─▶ verify (exact weighted score) ─▶ cluster (average link)
//!   ─▶ io::write
//! ```
//!
//! - [`text`] normalizes every script (NFKD, accents, case, digits of all scripts, Arabic letter
//!   variants and light stemming, bidi and zero-width controls);
//! - [`shingle`] cuts character n-grams (short texts) or word n-grams (long texts);
//! - [`weights`] weighs each shingle by its rarity in the collection (IDF);
//! - [`sketch`] makes weighted MinHash signatures whose slot agreement estimates weighted Jaccard;
//! - [`lsh`] cuts signatures into bands; [`candidates`] pairs documents sharing a band bucket,
//!   keeping oversized buckets linear;
//! - [`verify`] scores every candidate exactly (cosine, weighted Jaccard or containment);
//! - [`cluster`] merges verified pairs into stories by average link, which does not chain;
//! - with a sentence encoder ([`embed`], `--model`), documents also get embeddings: SimHash
//!   signatures of them add candidates, and their line alignment joins the verified score.
//!
//! [`pipeline::Pipeline`] wires the stages for the in-memory job; [`eval`] scores results
//! against labelled data.
//!
//! ## Parameters: precision against recall
//!
//! - `threshold` (default 0.12): the average verified similarity (cosine of IDF-weighted
//!   shingle sets) two groups need to merge. Higher: purer, smaller stories; lower: more reports
//!   per story and more false merges. Measured sweeps are in `EVALUATION.md`. The default
//!   groups headlines into stories; for texts that are mostly distinct (sentences, titles of
//!   different articles) 0.5 is the deduplicating setting: at 0.12, short texts that share one
//!   informative word merge.
//! - `similarity`: cosine (default), weighted Jaccard, or containment (a short report inside a
//!   long article).
//! - `num_perm` (default 128) and the bands × rows derived from `lsh_threshold` (default
//!   `0.8·t/(2−t)` for cosine): only how candidates are *found*. For a pair of signature
//!   similarity `s`, the chance to become a candidate is `1 − (1 − s^r)^b`; more bands find more
//!   pairs and cost more verification, never precision, since every candidate is verified.
//! - `max_bucket`: buckets larger than this are sampled, not expanded (bounded work on
//!   adversarial input).
//!
//! ## Quirks
//!
//! - Weights are learnt from the collection at hand, so a tiny collection (a handful of texts)
//!   has little to learn from: every word is either rare or common.
//! - `auto` shingles are decided once per collection from its first 1,000 texts.
//! - Story ids are the id of the story's first document in input order.
//!
//! ## Example
//!
//! ```
//! use xdedup::{Config, Pipeline};
//!
//! let texts = [
//!     "South Korea's president apologises to the North",
//!     "South Korean president apologizes to North Korea",
//!     "Olympic flame arrives in Tokyo",
//! ];
//! let result = Pipeline::new(Config::default()).run(&texts);
//! assert_eq!(result.story[0], result.story[1]);
//! assert_ne!(result.story[0], result.story[2]);
//! ```

pub mod batch;
pub mod candidates;
pub mod cluster;
pub mod config;
#[cfg(feature = "timely")]
pub mod distributed;
pub mod embed;
pub mod error;
pub mod eval;
pub mod hashsort;
pub mod index;
pub mod io;
pub mod lsh;
pub mod memory;
pub mod pipeline;
pub mod pivot;
pub mod shingle;
pub mod sketch;
pub mod text;
pub mod verify;
pub mod weights;

pub use config::{Config, ConfigBuilder};
pub use error::{Error, Origin, Result};
pub use pipeline::{Clustering, Pipeline};
