//! Feature sets → compact signatures whose agreement estimates similarity.
//!
//! Today one kind: weighted MinHash over hashed shingles ([`minhash`]). Later signal kinds
//! (SimHash bits of sentence embeddings) live beside it and feed the same banding stage.

mod ln_table;
pub mod minhash;

pub use minhash::{MinHasher, Signature, SketchScratch, estimate};
