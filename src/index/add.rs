//! Placing a batch against the stored stories: the nightly job.
//!
//! The stages are those of the in-memory run, fed from disk:
//!
//! 1. ids already in the index are skipped (a re-run after a failure is a no-op for them);
//! 2. identical feature sets within the batch collapse into one node, as in `cluster`;
//! 3. document frequencies (and the per-script document counts) take in the batch, so the batch
//!    is weighed against everything seen, itself included;
//! 4. weighted MinHash signatures → band keys;
//! 5. candidates: stored documents sharing a band key (at most `max_bucket` per key), stored
//!    documents with an identical feature set, and pairs within the batch (the in-memory
//!    candidate stage);
//! 6. every story a candidate belongs to is scored as a whole: the batch document against each
//!    of the story's members (up to `max_bucket` of them, the earliest first), the mean being the
//!    average-link similarity between the document and the story;
//! 7. average link over batch nodes and touched stories, where stories are anchored: a batch
//!    document joins the story it is closest to on average, or forms a new story with other batch
//!    documents; two stored stories never merge (their names are already published);
//! 8. everything is written in one transaction: either the whole batch is in, or none of it.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::store::{DocRow, StoryRow, id_key, pair_key};
use super::{Index, Side, index_error, lmdb};
use crate::candidates::{candidate_pairs, rare_key_pairs};
use crate::embed::DocVectors;
use crate::error::Result;
use crate::io::{Record, id_text};
use crate::pipeline::semantic_score;
use crate::pipeline::{Collapsed, collapse};
use crate::pipeline::{FeatureSets, dominant_script, group_of};
use crate::shingle::{SCRIPT_CLASSES, Shingle, script_class};
use crate::verify::WeightedSet;
use crate::verify::{NEAR_COPY, Times, combine, in_window, times_of, window_edges, with_copies};
use crate::weights::{FeatureMap, Weighting};

/// Where one record of a batch went.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The story's number in the index.
    pub story: u64,
    /// The story's name (the id of its first document).
    pub cluster: String,
    /// Whether this batch started the story.
    pub new_story: bool,
    /// Whether the document is its story's representative (its first document).
    pub representative: bool,
    /// Verified similarity to the representative (`None` for a skipped document).
    pub score: Option<f32>,
    /// Documents in the story after the batch.
    pub size: u64,
    /// The id was already in the index: nothing was added.
    pub skipped: bool,
    /// The record starts a story no document stored before its batch is in, and is its first
    /// (what `index add --new` writes). A skipped record is fresh when the unfinished add that
    /// [`Index::begin_run`] resumed found it so.
    pub fresh: bool,
}

/// A stored document that a batch moved to another story.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Move {
    /// The document.
    pub id: serde_json::Value,
    /// The story it was in (by name).
    pub from: String,
    /// The story it is in now.
    pub to: String,
}

/// What a batch did.
#[derive(Debug, Clone, Default)]
pub struct AddReport {
    /// Per record of the batch, in order.
    pub assignments: Vec<Assignment>,
    /// Documents added.
    pub added: usize,
    /// Of those, documents that joined a story already in the index.
    pub joined: usize,
    /// Stories started by the batch.
    pub new_stories: usize,
    /// Documents skipped because their id was already in the index.
    pub skipped: usize,
    /// Of those, the records (places in the batch) whose text is not the stored one: their
    /// features differ from the stored document's. The stored text is kept.
    pub changed: Vec<usize>,
    /// Stored documents that moved to another story when their neighbourhood was clustered
    /// again with the batch.
    pub moves: Vec<Move>,
    /// Stored stories that ended empty (all their documents moved) and are gone.
    pub merged: usize,
}

/// Stored candidates of a batch document verified at most (those sharing the most bands).
const ADD_VERIFY: usize = 256;
/// Stored candidates verified even when they share only one band with the document.
const ADD_MIN_VERIFY: usize = 8;

/// Stories larger than this are not clustered again with a batch: they take part as one node,
/// scored by the mean over their first `max_bucket` members.
pub const RECLUSTER_CAP: u64 = 1000;
/// Stored documents clustered again with one batch, at most (or as many as the batch has, if
/// more).
pub const NEIGHBOURHOOD_BUDGET: u64 = 50_000;
/// A stored story is clustered again with the batch when a batch document reaches this share
/// of the threshold with one of its members: average link can pull documents across
/// through several such pairs. On OG2021 in ten nights agreement with a one-shot run rose from
/// 1 to ½ to ¼; at ¼ it is 0.998 (`EVALUATION.md`).
const TOUCH: f64 = 0.25;

/// A stored document loaded for scoring: its story, weighted sets, script, embeddings and time.
struct Loaded {
    doc: u64,
    story: u64,
    times: Times,
    set: WeightedSet,
    script: u8,
    pivot: Option<WeightedSet>,
    vecs: Option<DocVectors>,
}

impl Loaded {
    fn side(&self) -> Side<'_> {
        Side {
            set: &self.set,
            script: self.script,
            pivot: self.pivot.as_ref(),
            vecs: self.vecs.as_ref(),
        }
    }
}

/// A large stored story touched by the batch, with the members it is scored on.
struct Touched {
    story: u64,
    row: StoryRow,
    members: Vec<Loaded>,
}

impl Index {
    /// Adds `records` (with their `features`, cut with `shingle`) in one transaction. The
    /// caller decides batch boundaries; records must have ids distinct from each other. The
    /// index must be open for writing ([`Index::open_writer`]).
    pub fn add(
        &self,
        records: &[Record],
        features: Vec<Box<[u64]>>,
        shingle: Shingle,
    ) -> Result<AddReport> {
        self.add_with_pivots(records, features, None, shingle)
    }

    /// A batch's shingle family (the stored one, or the batch's own while the index is empty)
    /// and its texts' feature sets, for [`Index::add_with_pivots`]: with a lexicon, pivot
    /// features too, from the same normalization pass.
    pub fn batch_features<T: AsRef<str> + Sync>(
        &self,
        texts: &[T],
    ) -> Result<(Shingle, FeatureSets, Option<FeatureSets>)> {
        let shingle = match self.shingle()? {
            Some(s) => s,
            None => self.pipeline.resolve_shingle(texts),
        };
        Ok(match self.pivot {
            Some(_) => {
                let (f, p) = self.pipeline.features_with_pivots(texts, shingle);
                (shingle, f, Some(p))
            }
            None => (shingle, self.pipeline.features(texts, shingle), None),
        })
    }

    /// [`Index::add`] with the records' pivot features already made (per record, by
    /// [`crate::Pipeline::features_with_pivots`], in the pass that made `features`); without
    /// them, an index created with a lexicon normalizes the batch's texts again to make them.
    pub fn add_with_pivots(
        &self,
        records: &[Record],
        features: Vec<Box<[u64]>>,
        pivots: Option<Vec<Box<[u64]>>>,
        shingle: Shingle,
    ) -> Result<AddReport> {
        self.ensure_writer()?;
        if self.pivot.is_some() && !self.pivots_on() {
            return Err(index_error(
                &self.dir,
                "was created with --lexicon: attach the lexicon (with_lexicon) to add to it",
            ));
        }
        let cfg = self.config().clone();
        let dir = self.dir.clone();
        let e = lmdb(&dir);
        let db = self.dbs;
        let mut w = self.env.write_txn().map_err(&e)?;
        match self.stored_shingle(&w)? {
            Some(s) if s != shingle => {
                return Err(index_error(
                    &dir,
                    &format!("holds {s} shingles; this batch was cut as {shingle}"),
                ));
            }
            Some(_) => {}
            None => db.meta.put(&mut w, "shingle", shingle.to_string().as_bytes()).map_err(&e)?,
        }
        let mut counters = self.counters(&w)?;
        let mut report = AddReport::default();
        let mut out: Vec<Option<Assignment>> = vec![None; records.len()];

        // 1. Known ids.
        let mut fresh: Vec<usize> = Vec::new();
        for (i, r) in records.iter().enumerate() {
            match db.ids.get(&w, &id_key(&id_text(&r.id))).map_err(&e)? {
                Some(d) => {
                    let row = self.doc(&w, d)?.ok_or_else(|| self.damaged("document", d))?;
                    let story = self
                        .story(&w, row.story)?
                        .ok_or_else(|| self.damaged("story", row.story))?;
                    out[i] = Some(Assignment {
                        story: row.story,
                        cluster: story.name,
                        new_story: false,
                        representative: story.first == d,
                        score: None,
                        size: 0,
                        skipped: true,
                        fresh: self.run && self.is_run_fresh(&w, d)?,
                    });
                    report.skipped += 1;
                    if crate::pipeline::set_hash(&features[i]) != row.set_hash {
                        report.changed.push(i);
                    }
                }
                None => fresh.push(i),
            }
        }

        // 2. Identical sets collapse, as in `cluster`.
        let mut features: Vec<Option<Box<[u64]>>> = features.into_iter().map(Some).collect();
        let fresh_features: Vec<Box<[u64]>> =
            fresh.iter().map(|&i| features[i].take().expect("each record once")).collect();
        let Collapsed { members, unique: node_feats, hashes: node_hash, .. } =
            collapse(fresh_features);
        let node_docs: Vec<Vec<usize>> =
            members.iter().map(|m| m.iter().map(|&k| fresh[k as usize]).collect()).collect();
        let n_nodes = node_feats.len();
        // With an encoder, each node's embeddings (its first document's text).
        let node_vecs: Option<Vec<DocVectors>> = self.pipeline.encoder().map(|enc| {
            let texts: Vec<&str> = node_docs.iter().map(|d| records[d[0]].text.as_str()).collect();
            enc.embed_vectors(&texts)
        });
        // With a lexicon, each node's pivot features, and every node's script.
        let node_pivots: Option<Vec<Box<[u64]>>> = match pivots {
            _ if !self.pivots_on() => None,
            Some(mut per_record) => {
                Some(node_docs.iter().map(|d| std::mem::take(&mut per_record[d[0]])).collect())
            }
            None => {
                let texts: Vec<&str> =
                    node_docs.iter().map(|d| records[d[0]].text.as_str()).collect();
                Some(self.pipeline.pivot_features(&texts))
            }
        };
        // Each node's times, for the time window.
        let window = cfg.window();
        let seconds = |i: usize| crate::io::time::seconds(records[i].time.as_deref()?);
        let mut times: Vec<Times> =
            node_docs.iter().map(|d| times_of(d.iter().filter_map(|&i| seconds(i)))).collect();
        let mut scripts: Vec<u8> = node_feats
            .iter()
            .zip(&node_docs)
            .map(|(f, d)| group_of(dominant_script(f), records[d[0]].lang.as_deref()))
            .collect();

        // 3. Document frequencies take in the batch. Like `cluster`, they count distinct
        // feature sets: a set already stored, or repeated in the batch, counts once.
        let stored_copy: Vec<Option<u64>> =
            node_hash.iter().map(|&h| self.first_with_set(&w, h)).collect::<Result<_>>()?;
        let mut cache =
            std::mem::take(&mut *self.df_cache.lock().unwrap_or_else(|p| p.into_inner()));
        if cfg.weighting() == Weighting::Idf {
            let mut batch_df: FeatureMap<u64, u32> = FeatureMap::default();
            for (f, stored) in node_feats.iter().zip(&stored_copy) {
                let mut classes = [false; SCRIPT_CLASSES];
                for &x in f.iter() {
                    *batch_df.entry(x).or_insert(0) += stored.is_none() as u32;
                    classes[script_class(x)] = true;
                }
                for (c, present) in classes.iter().enumerate() {
                    counters.class_docs[c] += (*present && stored.is_none()) as u64;
                }
            }
            let mut sorted: Vec<(u64, u32)> = batch_df.into_iter().collect();
            sorted.sort_unstable();
            for (f, c) in sorted {
                let mut df = db.df.get(&w, &f).map_err(&e)?.unwrap_or(0);
                if c > 0 {
                    df = df.saturating_add(c);
                    db.df.put(&mut w, &f, &df).map_err(&e)?;
                }
                cache.insert(f, df);
            }
        }
        counters.docs += fresh.len() as u64;
        let mut pcache: FeatureMap<u64, u32> = FeatureMap::default();
        if let (Some(piv), Some(pdf)) = (&node_pivots, db.pivot_df) {
            let mut batch_df: FeatureMap<u64, u32> = FeatureMap::default();
            for (f, stored) in piv.iter().zip(&stored_copy) {
                for &x in f.iter() {
                    *batch_df.entry(x).or_insert(0) += stored.is_none() as u32;
                }
                counters.pivot_docs += (stored.is_none() && !f.is_empty()) as u64;
            }
            let mut sorted: Vec<(u64, u32)> = batch_df.into_iter().collect();
            sorted.sort_unstable();
            for (f, c) in sorted {
                let mut df = pdf.get(&w, &f).map_err(&e)?.unwrap_or(0);
                if c > 0 {
                    df = df.saturating_add(c);
                    pdf.put(&mut w, &f, &df).map_err(&e)?;
                }
                pcache.insert(f, df);
            }
        }

        // 4. Weights, signatures, band keys.
        let sets: Vec<WeightedSet> = node_feats
            .par_iter()
            .map(|f| super::weighted(cfg.weighting(), &counters, &cache, f.clone()))
            .collect();
        let sigs = self.pipeline.signatures_of(&sets);
        let mut psets: Option<Vec<WeightedSet>> = match &node_pivots {
            Some(piv) => Some(
                piv.iter()
                    .map(|f| self.weigh_pivot(&w, &counters, &mut pcache, f.to_vec()))
                    .collect::<Result<_>>()?,
            ),
            None => None,
        };
        let lsh = cfg.lsh();
        let keys: Vec<Vec<u64>> = sigs
            .iter()
            .enumerate()
            .map(|(n, s)| {
                let mut k = Vec::with_capacity(lsh.bands);
                lsh.keys(s, |_, key| k.push(key));
                if let Some(v) = &node_vecs {
                    k.extend(self.pipeline.semantic_keys(&v[n]));
                }
                k
            })
            .collect();

        // 5. Stored candidates, verified: a story is touched by a batch document only if one of
        // its members reaches the threshold with it (below that, average link could neither
        // put the document in the story nor take a member out of it). Candidates are ranked by
        // the bands they share and the weakest are not verified (see `ranked_candidates`).
        let mut cand: Vec<Vec<u64>> = Vec::with_capacity(n_nodes);
        for n in 0..n_nodes {
            let ranked = self.ranked_candidates(&w, &keys[n])?;
            let mut docs: Vec<u64> = ranked
                .iter()
                .enumerate()
                .take_while(|&(i, &(shared, _))| {
                    i < ADD_VERIFY && (shared >= 2 || i < ADD_MIN_VERIFY)
                })
                .map(|(_, &(_, d))| d)
                .collect();
            docs.extend(stored_copy[n]);
            if let Some(p) = &psets {
                // Stored documents sharing the node's rarest pivot features.
                let mut more = Vec::new();
                self.pivot_candidates(&w, &p[n], &pcache, 2, &mut more)?;
                more.sort_unstable();
                more.dedup();
                more.retain(|d| !docs.contains(d));
                docs.extend(more);
            }
            cand.push(docs);
        }
        let mut wanted: Vec<u64> = cand.iter().flatten().copied().collect();
        wanted.sort_unstable();
        wanted.dedup();
        self.warm_counts(&w, &mut cache, &wanted)?;
        let mut loaded: BTreeMap<u64, Loaded> = BTreeMap::new();
        for &d in cand.iter().flatten() {
            if let std::collections::btree_map::Entry::Vacant(v) = loaded.entry(d) {
                v.insert(self.load(&w, &counters, &mut cache, &mut pcache, d)?);
            }
        }
        let batch_side = |n: usize| Side {
            set: &sets[n],
            script: scripts[n],
            pivot: psets.as_ref().map(|p| &p[n]),
            vecs: node_vecs.as_ref().map(|v| &v[n]),
        };
        let t = cfg.threshold() * TOUCH;
        let links: Vec<Vec<(u64, f64)>> = (0..n_nodes)
            .into_par_iter()
            .map(|n| {
                cand[n]
                    .iter()
                    .filter_map(|&d| {
                        let stored = &loaded[&d];
                        // Not under the time window: a story out of the batch's time can
                        // still change with it, as average link merges in another order
                        // once the window parts some pairs (OG2021's English headlines in
                        // ten nights agreed with one run at 0.907 when the window decided
                        // which stories were reached, at 1.000 this way).
                        let s = if stored_copy[n] == Some(d) {
                            1.0
                        } else {
                            self.score_sides(batch_side(n), stored.side()) as f64
                        };
                        (s >= t).then_some((stored.story, s))
                    })
                    .collect()
            })
            .collect();
        drop(loaded);
        let node_stories: Vec<BTreeSet<u64>> =
            links.iter().map(|l| l.iter().map(|&(s, _)| s).collect()).collect();
        // The stories most strongly linked to the batch are clustered again first.
        let mut strength: BTreeMap<u64, f64> = BTreeMap::new();
        for &(story, s) in links.iter().flatten() {
            let best = strength.entry(story).or_insert(0.0);
            *best = best.max(s);
        }
        let mut by_strength: Vec<(f64, u64)> = strength.into_iter().map(|(k, v)| (v, k)).collect();
        by_strength.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));

        // 6. The neighbourhood comes back into play: the members of every touched story are
        // clustered again together with the batch, as a whole-archive run would cluster them.
        // Stories over RECLUSTER_CAP, and those beyond NEIGHBOURHOOD_BUDGET documents (the most
        // weakly linked), take part as one anchored node each: they can gain documents but not
        // lose any.
        let mut budget = NEIGHBOURHOOD_BUDGET.max(n_nodes as u64);
        let mut sets = sets;
        let mut sigs = sigs;
        let mut sizes: Vec<u32> = node_docs.iter().map(|d| d.len() as u32).collect();
        // Per old node: its documents with their stories.
        let mut old_nodes: Vec<Vec<(u64, u64)>> = Vec::new();
        let mut old_by_hash: BTreeMap<u64, usize> = BTreeMap::new();
        let mut big: Vec<Touched> = Vec::new();
        let mut story_rows: BTreeMap<u64, StoryRow> = BTreeMap::new();
        let mut doc_set: BTreeMap<u64, usize> = BTreeMap::new();
        let mut old_sets = Vec::new();
        let mut old_vecs: Vec<DocVectors> = Vec::new();
        let mut old_pivots: Vec<WeightedSet> = Vec::new();
        let mut old_scripts: Vec<u8> = Vec::new();
        let mut old_times: Vec<Times> = Vec::new();
        // Each touched story's members (its first max_bucket when it takes part whole), their
        // stored frequencies looked up together first.
        let mut touched: Vec<(u64, StoryRow, bool, Vec<u64>)> = Vec::new();
        for &(_, story) in &by_strength {
            let row = self.story(&w, story)?.ok_or_else(|| self.damaged("story", story))?;
            let whole = row.size > RECLUSTER_CAP || row.size > budget;
            if !whole {
                budget -= row.size;
            }
            let cap = if whole { cfg.max_bucket() } else { RECLUSTER_CAP as usize };
            let members = self.members(&w, story, cap)?;
            touched.push((story, row, whole, members));
        }
        let mut wanted: Vec<u64> = touched.iter().flat_map(|t| t.3.iter().copied()).collect();
        wanted.sort_unstable();
        self.warm_counts(&w, &mut cache, &wanted)?;
        for (story, row, whole, members) in touched {
            story_rows.insert(story, row.clone());
            if whole {
                let members = members
                    .into_iter()
                    .map(|d| self.load(&w, &counters, &mut cache, &mut pcache, d))
                    .collect::<Result<_>>()?;
                big.push(Touched { story, row, members });
                continue;
            }
            for d in members {
                let doc = self.doc(&w, d)?.ok_or_else(|| self.damaged("document", d))?;
                match old_by_hash.get(&doc.set_hash) {
                    Some(&o) => {
                        old_nodes[o].push((d, story));
                        let t = &mut old_times[o];
                        *t = times_of(t.iter().copied().chain(stored_time(&doc)));
                    }
                    None => {
                        old_by_hash.insert(doc.set_hash, old_nodes.len());
                        old_nodes.push(vec![(d, story)]);
                        old_times.push(times_of(stored_time(&doc)));
                        let l = self.load(&w, &counters, &mut cache, &mut pcache, d)?;
                        old_sets.push(l.set);
                        old_scripts.push(l.script);
                        if let Some(v) = l.vecs {
                            old_vecs.push(v);
                        }
                        if let Some(p) = l.pivot {
                            old_pivots.push(p);
                        }
                    }
                }
                doc_set.insert(d, n_nodes + old_by_hash[&doc.set_hash]);
            }
        }
        let n_old = old_nodes.len();
        // Batch and neighbourhood embeddings side by side, as the node sets are.
        // (moved, not copied: a batch's vectors can run to hundreds of MB; batch node `n` keeps
        // index `n`).
        let all_vecs: Option<Vec<DocVectors>> =
            node_vecs.map(|v| v.into_iter().chain(old_vecs).collect());
        let av = |n: usize| all_vecs.as_ref().map(|v| &v[n]);
        sigs.extend(self.pipeline.signatures_of(&old_sets));
        sets.extend(old_sets);
        scripts.extend(old_scripts);
        times.extend(old_times);
        if let Some(p) = psets.as_mut() {
            p.extend(old_pivots);
        }
        let side = |n: usize| Side {
            set: &sets[n],
            script: scripts[n],
            pivot: psets.as_ref().map(|p| &p[n]),
            vecs: av(n),
        };
        sizes.extend(old_nodes.iter().map(|o| o.len() as u32));
        let first_big = n_nodes + n_old;
        let big_slot: BTreeMap<u64, usize> =
            big.iter().enumerate().map(|(i, t)| (t.story, first_big + i)).collect();

        // 7. Verified edges: pairs among batch and neighbourhood nodes found by LSH (the
        // in-memory candidate stage), and batch node × large story (the mean over its members).
        let (mut pairs, _) = candidate_pairs(&lsh, &sigs, cfg.max_bucket());
        if let Some(p) = &psets {
            // As in `cluster`: pairs across scripts that share rare pivot features.
            let feats: Vec<&[u64]> = p.iter().map(|s| s.features()).collect();
            let more = rare_key_pairs(&feats, |i, k| p[i].weight(k), &scripts, cfg.max_bucket());
            pairs.extend(more);
            pairs.sort_unstable();
            pairs.dedup();
        }
        let mut edges: Vec<(u32, u32, f32)> = pairs
            .par_iter()
            .filter_map(|&(a, b)| {
                let s = self.score_sides(side(a as usize), side(b as usize));
                (s > 0.0).then_some((a, b, s))
            })
            .collect();
        if let Some(v) = &all_vecs {
            // As in `cluster`: pairs only the semantic bands propose count their semantic score.
            let semantic = self.pipeline.semantic_signatures(v.par_iter());
            let (more, _) =
                candidate_pairs(&crate::pipeline::SEMANTIC_LSH, &semantic, cfg.max_bucket());
            edges.par_extend(
                more.par_iter().filter(|x| pairs.binary_search(x).is_err()).filter_map(
                    |&(a, b)| {
                        let s = combine(
                            0.0,
                            None,
                            Some(semantic_score(&v[a as usize], &v[b as usize])),
                        );
                        (s > 0.0).then_some((a, b, s))
                    },
                ),
            );
        }
        // The window, with each node's near-copies lending it their times (`window_edges`);
        // against a large story's members, its near-copies among them lend theirs too.
        let lent = window_edges(&mut edges, &times, window);
        let big_edges: Vec<(u32, u32, f32)> = (0..n_nodes)
            .into_par_iter()
            .flat_map_iter(|n| {
                let (big, big_slot, me) = (&big, &big_slot, side(n));
                let mine = lent.get(&(n as u32)).unwrap_or(&times[n]);
                node_stories[n].iter().filter_map(move |s| {
                    let slot = *big_slot.get(s)?;
                    let t = &big[slot - first_big];
                    let raw: Vec<f32> =
                        t.members.iter().map(|m| self.score_sides(me, m.side())).collect();
                    let copies = t.members.iter().zip(&raw).filter(|m| *m.1 >= NEAR_COPY);
                    let mine = match window {
                        Some(_) => with_copies(mine, copies.map(|(m, _)| &m.times[..])),
                        None => Times::default(),
                    };
                    let total: f64 = t
                        .members
                        .iter()
                        .zip(raw)
                        .map(|(m, s)| f64::from(in_window(s, &mine, &m.times, window)))
                        .sum();
                    let mean = (total / t.members.len().max(1) as f64) as f32;
                    (mean > 0.0).then_some((n as u32, slot as u32, mean))
                })
            })
            .collect();
        edges.extend(big_edges);
        edges.sort_unstable_by_key(|x| (x.0, x.1));
        sizes.extend(big.iter().map(|t| t.row.size.min(u32::MAX as u64) as u32));
        let mut anchored = vec![false; first_big];
        anchored.extend(std::iter::repeat_n(true, big.len()));
        let labels =
            crate::cluster::average_link_anchored(&sizes, &anchored, &edges, cfg.threshold());

        // 8. Clusters → stories. A large story keeps its cluster; otherwise each stored story
        // goes to the cluster holding most of its documents (the largest share first), and the
        // clusters left over are new stories.
        let mut claims: BTreeMap<(u32, u64), u64> = BTreeMap::new();
        for (o, docs) in old_nodes.iter().enumerate() {
            for &(_, story) in docs {
                *claims.entry((labels[n_nodes + o], story)).or_insert(0) += 1;
            }
        }
        let mut claims: Vec<(u64, u64, u32)> =
            claims.into_iter().map(|((label, story), count)| (count, story, label)).collect();
        claims.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut label_story: BTreeMap<u32, u64> = BTreeMap::new();
        let mut kept: BTreeSet<u64> = BTreeSet::new();
        for t in &big {
            label_story.insert(labels[big_slot[&t.story]], t.story);
            kept.insert(t.story);
        }
        for (_, story, label) in claims {
            if !label_story.contains_key(&label) && kept.insert(story) {
                label_story.insert(label, story);
            }
        }

        // 9. Write. New stories are numbered in order of their first document: batch documents
        // in input order, then stored documents split off their story.
        let mut node_of_record: BTreeMap<usize, usize> = BTreeMap::new();
        for (n, docs) in node_docs.iter().enumerate() {
            for &i in docs {
                node_of_record.insert(i, n);
            }
        }
        let mut new_stories: BTreeSet<u64> = BTreeSet::new();
        let mut story_of_label = |label: u32,
                                  name: &dyn Fn() -> String,
                                  counters: &mut super::Counters,
                                  story_rows: &mut BTreeMap<u64, StoryRow>,
                                  new_stories: &mut BTreeSet<u64>,
                                  first: u64|
         -> u64 {
            if let Some(&s) = label_story.get(&label) {
                return s;
            }
            let s = counters.next_story;
            counters.next_story += 1;
            counters.stories += 1;
            label_story.insert(label, s);
            new_stories.insert(s);
            story_rows.insert(s, StoryRow { size: 0, first, name: name() });
            s
        };
        let mut new_doc: Vec<(usize, u64, u64)> = Vec::with_capacity(fresh.len());
        for &i in &fresh {
            let n = node_of_record[&i];
            let doc = counters.next_doc;
            counters.next_doc += 1;
            let name = || id_text(&records[i].id);
            let story = story_of_label(
                labels[n],
                &name,
                &mut counters,
                &mut story_rows,
                &mut new_stories,
                doc,
            );
            story_rows.get_mut(&story).expect("story row").size += 1;
            doc_set.insert(doc, n);
            new_doc.push((i, doc, story));
            let r = &records[i];
            let doc_row = DocRow {
                story,
                set_hash: node_hash[n],
                time: r.time.as_deref().map(str::to_owned),
                id_json: serde_json::to_string(&r.id).expect("JSON value"),
                features: node_feats[n].to_vec(),
                keys: keys[n].clone(),
            };
            db.docs.put(&mut w, &doc, &doc_row.encode()).map_err(&e)?;
            if let (Some(v), Some(vdb)) = (&all_vecs, db.vectors) {
                vdb.put(&mut w, &doc, &super::store::encode_vectors(&v[n])).map_err(&e)?;
            }
            if let (Some(p), Some(pdb), Some(post)) = (&node_pivots, db.pivots, db.pivot_postings) {
                let row = super::store::encode_pivots(r.lang.as_deref(), &p[n]);
                pdb.put(&mut w, &doc, &row).map_err(&e)?;
                for &f in p[n].iter() {
                    post.put(&mut w, &pair_key(f, doc), &()).map_err(&e)?;
                }
            }
            db.ids.put(&mut w, &id_key(&id_text(&r.id)), &doc).map_err(&e)?;
            for &k in &keys[n] {
                db.bands.put(&mut w, &pair_key(k, doc), &()).map_err(&e)?;
            }
            db.members.put(&mut w, &pair_key(story, doc), &()).map_err(&e)?;
            db.exact.put(&mut w, &pair_key(node_hash[n], doc), &()).map_err(&e)?;
            report.added += 1;
            report.joined += (!new_stories.contains(&story)) as usize;
        }
        // Stored documents whose cluster now belongs to another story move there.
        let mut moved: Vec<(serde_json::Value, u64, u64)> = Vec::new();
        let mut moves: Vec<(u64, u64, u64)> = Vec::new();
        for (o, docs) in old_nodes.iter().enumerate() {
            for &(d, from) in docs {
                moves.push((d, from, labels[n_nodes + o] as u64));
            }
        }
        moves.sort_unstable();
        for (d, from, label) in moves {
            let mut row = self.doc(&w, d)?.ok_or_else(|| self.damaged("document", d))?;
            let name = || {
                let id: serde_json::Value = serde_json::from_str(&row.id_json).unwrap_or_default();
                id_text(&id)
            };
            let to = story_of_label(
                label as u32,
                &name,
                &mut counters,
                &mut story_rows,
                &mut new_stories,
                d,
            );
            if to == from {
                continue;
            }
            row.story = to;
            db.docs.put(&mut w, &d, &row.encode()).map_err(&e)?;
            db.members.delete(&mut w, &pair_key(from, d)).map_err(&e)?;
            db.members.put(&mut w, &pair_key(to, d), &()).map_err(&e)?;
            story_rows.get_mut(&from).expect("story row").size -= 1;
            story_rows.get_mut(&to).expect("story row").size += 1;
            moved.push((serde_json::from_str(&row.id_json).unwrap_or_default(), from, to));
        }
        // New stories are named by their first document's id; names are never reused (a
        // publisher may hold them), so a taken name gets a `~N` suffix.
        for &s in &new_stories {
            let row = story_rows.get_mut(&s).expect("story row");
            let base = std::mem::take(&mut row.name);
            let mut name = base.clone();
            for k in 1.. {
                if db.names.get(&w, &id_key(&name)).map_err(&e)?.is_none() {
                    break;
                }
                name = format!("{base}~{k}");
            }
            db.names.put(&mut w, &id_key(&name), &s).map_err(&e)?;
            row.name = name;
        }
        report.moves = moved
            .into_iter()
            .map(|(id, from, to)| Move {
                id,
                from: story_rows[&from].name.clone(),
                to: story_rows[&to].name.clone(),
            })
            .collect();
        for (&s, row) in story_rows.iter_mut() {
            if row.size == 0 {
                db.stories.delete(&mut w, &s).map_err(&e)?;
                counters.stories -= 1;
                report.merged += 1;
                continue;
            }
            row.first = self.members(&w, s, 1)?[0];
            db.stories.put(&mut w, &s, &row.encode()).map_err(&e)?;
        }
        report.new_stories = new_stories.iter().filter(|s| story_rows[s].size > 0).count();
        counters.batches += 1;
        self.put_counters(&mut w, &counters)?;

        // 10. Each batch document against its story's representative.
        let mut fresh_docs = Vec::new();
        for (i, doc, story) in new_doc {
            let row = &story_rows[&story];
            let n = doc_set[&doc];
            let score = if row.first == doc {
                1.0
            } else {
                match doc_set.get(&row.first) {
                    Some(&r) => self.score_sides(side(n), side(r)),
                    None => {
                        let first = big
                            .iter()
                            .find(|t| t.story == story)
                            .and_then(|t| t.members.iter().find(|m| m.doc == row.first));
                        first.map(|m| self.score_sides(side(n), m.side())).unwrap_or(0.0)
                    }
                }
            };
            let (new_story, representative) = (new_stories.contains(&story), row.first == doc);
            let fresh = new_story && representative;
            if fresh {
                fresh_docs.push(doc);
            }
            out[i] = Some(Assignment {
                story,
                cluster: row.name.clone(),
                new_story,
                representative,
                score: Some(score),
                size: 0,
                skipped: false,
                fresh,
            });
        }
        if self.run {
            self.keep_run_fresh(&mut w, &fresh_docs)?;
        }
        // Sizes after the batch, for every record (skipped ones included).
        let mut assignments = Vec::with_capacity(out.len());
        for a in out {
            let mut a = a.expect("every record placed");
            a.size = match story_rows.get(&a.story) {
                Some(r) => r.size,
                None => self.story(&w, a.story)?.map(|r| r.size).unwrap_or(0),
            };
            assignments.push(a);
        }
        w.commit().map_err(&e)?;
        if cache.len() <= super::DF_CACHE_CAP {
            *self.df_cache.lock().unwrap_or_else(|p| p.into_inner()) = cache;
        }
        report.assignments = assignments;
        Ok(report)
    }
}

impl Index {
    /// A stored document with its weighted sets, script and embeddings.
    fn load(
        &self,
        r: &heed::RoTxn,
        counters: &super::Counters,
        cache: &mut FeatureMap<u64, u32>,
        pcache: &mut FeatureMap<u64, u32>,
        doc: u64,
    ) -> Result<Loaded> {
        let row = self.doc(r, doc)?.ok_or_else(|| self.damaged("document", doc))?;
        let script = dominant_script(&row.features);
        let pivot = self.stored_pivot(r, counters, pcache, doc)?;
        Ok(Loaded {
            doc,
            story: row.story,
            times: times_of(stored_time(&row)),
            set: self.weigh(r, counters, cache, row.features)?,
            script: group_of(script, pivot.as_ref().and_then(|p| p.0.as_deref())),
            pivot: pivot.map(|p| p.1),
            vecs: self.vectors(r, doc)?,
        })
    }
}

/// A stored document's time in seconds since 1970, when it was stored with one that reads.
pub(super) fn stored_time(row: &DocRow) -> Option<i64> {
    crate::io::time::seconds(row.time.as_deref()?)
}
