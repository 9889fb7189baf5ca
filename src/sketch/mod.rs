//! Feature sets → compact signatures whose agreement estimates similarity.
//!
//! Two kinds, both feeding the same banding stage: weighted MinHash over hashed shingles
//! ([`minhash`]) and random-hyperplane bits of sentence embeddings ([`simhash`], with `--model`).

pub mod minhash;
pub mod simhash;

pub use minhash::{MinHasher, Signature, SketchScratch, estimate};
