//! Bucket keys → deduplicated candidate pairs, with oversized buckets kept linear.
//!
//! Every document puts one key per band into a shared list; sorting the list brings each bucket's
//! members together, and each bucket yields its pairs. A bucket of `m` members has `m(m−1)/2`
//! pairs, which is how LSH jobs die on real archives (boilerplate, ten thousand copies of one
//! wire story, a signature of an almost empty text). A bucket larger than `max_bucket` is
//! therefore not expanded in full: its members are put in one fixed pseudo-random order (a hash
//! of the document number, the same in every band) and each is paired with the `max_bucket − 1`
//! members after it. The order is the same in every band on purpose: when a crowd of similar
//! documents fills a bucket in all `b` bands, the bands then repeat the same pairs instead of
//! adding `max_bucket` new neighbours per document each, so the work stays `O(n · max_bucket)`
//! rather than `O(n · b · max_bucket)`.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::lsh::LshParams;

/// What the candidate stage saw, for the run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CandidateStats {
    /// Non-empty buckets over all bands.
    pub buckets: u64,
    /// Buckets larger than the cap, expanded by sampling.
    pub oversized: u64,
    /// Distinct candidate pairs.
    pub pairs: u64,
}

/// Distinct pairs `(a, b)`, `a < b`, of documents sharing a bucket in any band, sorted.
pub fn candidate_pairs<S: AsRef<[u32]> + Sync>(
    params: &LshParams,
    signatures: &[S],
    max_bucket: usize,
) -> (Vec<(u32, u32)>, CandidateStats) {
    candidate_pairs_by(
        params,
        signatures.len(),
        || (),
        |_, doc, emit| emit(signatures[doc].as_ref()),
        max_bucket,
    )
}

/// [`candidate_pairs`] of `docs` documents whose signatures `signature_of(state, doc, emit)`
/// hands to `emit` (at least [`LshParams::slots`] slots), with `state` made by `init` once per
/// worker thread: the caller can sketch each document as its signature is asked for, so that
/// the signatures of a whole collection (512 bytes a document at 128 slots) are never all in
/// memory.
///
/// Each document keeps only what its band keys need (a band of one row its slot, a wider band
/// its 64-bit key), and the bands are bucketed one at a time, twice: a first pass counts the
/// bucket sizes, which set the cap ([`bucket_cap`]), and the second makes the pairs. One band's
/// entries are all a pass holds beside the kept keys: at 73 bands of one row (the defaults) a
/// million documents keep 292 MB, where one sorted list of every (key, document) entry of
/// every band held 876 MB; the second pass gives each band's back once it has its entries, so
/// they are gone by the time its pairs and oversized buckets have grown. When every band's
/// sorted entries fit in `KEEP_SORTED` bytes (small collections), the first pass keeps them and
/// the second sorts nothing again.
pub fn candidate_pairs_by<T>(
    params: &LshParams,
    docs: usize,
    init: impl Fn() -> T + Sync + Send,
    signature_of: impl Fn(&mut T, usize, &mut dyn FnMut(&[u32])) + Sync + Send,
    max_bucket: usize,
) -> (Vec<(u32, u32)>, CandidateStats) {
    candidate_pairs_keeping(params, docs, init, signature_of, max_bucket, KEEP_SORTED)
}

/// [`candidate_pairs_by`], keeping pass 1's sorted entries for pass 2 when they fit in `keep`
/// bytes.
fn candidate_pairs_keeping<T>(
    params: &LshParams,
    docs: usize,
    init: impl Fn() -> T + Sync + Send,
    signature_of: impl Fn(&mut T, usize, &mut dyn FnMut(&[u32])) + Sync + Send,
    max_bucket: usize,
    keep: usize,
) -> (Vec<(u32, u32)>, CandidateStats) {
    let mut keys = BandKeys::new(params, docs, init, signature_of);
    // Pass 1: the size of every bucket of two or more, over all bands. When every band's
    // sorted entries fit in `keep` bytes they are kept for pass 2, which then sorts nothing.
    let keep = docs.saturating_mul(params.bands) <= keep / size_of::<Posting>();
    // Per band: its buckets, the histogram of their sizes, and the kept entries (if any).
    type Census = (u64, Vec<(usize, usize)>, Vec<Posting>);
    let per_band: Vec<Census> = (0..params.bands)
        .into_par_iter()
        .map_init(Vec::new, |scratch, band| {
            let census = |runs: &mut dyn Iterator<Item = usize>| {
                let mut count = 0;
                let sizes = bucket_sizes(runs.inspect(|_| count += 1).filter(|&m| m > 1));
                (count, sizes)
            };
            if keep {
                // In document order, so a stable sort by key orders them by (key, document).
                let mut e: Vec<Posting> = (0..docs).map(|doc| keys.posting(band, doc)).collect();
                crate::hashsort::sort_by_hash_in(&mut e, |p| p.key, scratch);
                let (count, sizes) =
                    census(&mut e.chunk_by(|x, y| { x.key } == { y.key }).map(<[_]>::len));
                (count, sizes, e)
            } else {
                let mut k: Vec<u64> = (0..docs).map(|doc| keys.key(band, doc)).collect();
                k.sort_unstable();
                let (count, sizes) = census(&mut k.chunk_by(|x, y| x == y).map(<[_]>::len));
                (count, sizes, Vec::new())
            }
        })
        .collect();
    let (mut buckets, mut sizes, mut kept) = (0, Vec::new(), Vec::with_capacity(params.bands));
    for (count, band_sizes, entries) in per_band {
        buckets += count;
        sizes = add_sizes(&sizes, &band_sizes);
        kept.push(entries);
    }
    let max_bucket = bucket_cap(&sizes, docs, max_bucket.max(2), PAIR_BUDGET);

    // Pass 2, band by band. Buckets within the cap: every pair. The same pair comes from every
    // band whose bucket it shares, so raw pairs can outnumber distinct ones by the number of
    // bands (a million templated headlines in groups of 200 made 7 billion raw pairs for 100
    // million distinct ones): pairs are generated a chunk of buckets at a time and the buffer
    // is sorted and deduplicated whenever it outgrows its allowance, which doubles while the
    // distinct pairs fill more than half of it. Memory follows the distinct pairs, not the raw
    // ones. The oversized buckets are kept for later, with their keys, their members packed in
    // one list (the 1M replay has 1.5 million of them, of about 30 members each: with a list
    // of its own for each, the run's peak was 45 MB higher).
    const CHUNK_PAIRS: usize = 1 << 22;
    const SERIAL_PAIRS: usize = 1 << 16;
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut allowance = 2 * CHUNK_PAIRS;
    let mut crowded = Crowded::default();
    // Buckets within the cap that would give few pairs in all (kept entries: a small
    // collection) are expanded band by band in parallel: on the calling thread, pass 2 was
    // serial time in which both workers of a 2-thread run waited (the peers' 10k job: 4.8 ms
    // on 2 threads, 4.0 on one).
    let within_cap: usize =
        sizes.iter().filter(|&&(m, _)| m <= max_bucket).map(|&(m, n)| n * (m * (m - 1) / 2)).sum();
    if keep && within_cap <= CHUNK_PAIRS {
        // Per band: the pairs of its buckets within the cap, and its oversized buckets' entries.
        type Expanded = (Vec<(u32, u32)>, Vec<Posting>);
        let per_band: Vec<Expanded> = kept
            .par_iter_mut()
            .map(|entries| {
                let entries = std::mem::take(entries);
                let (small, large) = buckets_of(&entries, max_bucket);
                let pairs = small.iter().flat_map(|&b| bucket_pairs(&entries, b)).collect();
                let crowds = large.iter().flat_map(|&(s, e)| entries[s..e].iter().copied());
                (pairs, crowds.collect())
            })
            .collect();
        pairs.reserve_exact(per_band.iter().map(|b| b.0.len()).sum());
        for (band_pairs, crowds) in per_band {
            pairs.extend_from_slice(&band_pairs);
            for run in crowds.chunk_by(|x, y| { x.key } == { y.key }) {
                crowded.push(run[0].key, run.iter().map(|x| x.doc));
            }
        }
        // No band is left for the loop below.
        kept.clear();
    }
    let mut entries: Vec<Posting> = Vec::with_capacity(if keep { 0 } else { docs });
    // The bands' values are freed one band at a time among the heap's other blocks, while the
    // pairs grow: they are given back as they add up, so that the two do not add up too (in
    // the 1M replay, pass 2's peak was 0.09 GB higher with them given back only at its end,
    // 0.12 GB with none given back).
    let band_bytes = docs * keys.words * size_of::<u32>();
    let mut released = 0;
    for (band, kept) in kept.iter_mut().enumerate() {
        if keep {
            entries = std::mem::take(kept);
        } else {
            entries.clear();
            entries.par_extend((0..docs).into_par_iter().map(|doc| keys.posting(band, doc)));
            entries.par_sort_unstable_by_key(|p| ({ p.key }, { p.doc }));
        }
        keys.release(band);
        released += band_bytes;
        crate::memory::give_back_after(&mut released);
        let (small, large) = buckets_of(&entries, max_bucket);
        for &(s, e) in &large {
            crowded.push(entries[s].key, entries[s..e].iter().map(|x| x.doc));
        }
        let mut first = 0;
        while first < small.len() {
            let mut last = first;
            let mut raw = 0;
            while last < small.len() && (raw < CHUNK_PAIRS || last == first) {
                let m = small[last].1 - small[last].0;
                raw += m * (m - 1) / 2;
                last += 1;
            }
            // Room for exactly this chunk: growth by doubling would leave a buffer up to twice
            // the allowance, most of it empty once the pairs are deduplicated.
            pairs.reserve_exact(raw);
            let bucket_pairs = |&b: &(usize, usize)| bucket_pairs(&entries, b);
            // A band's few pairs are made on this thread: handing them to the workers cost
            // more than making them (pass 2 took 4 ms on 2 threads against 2 ms on one, on
            // the peers' 10k job).
            if raw < SERIAL_PAIRS {
                pairs.extend(small[first..last].iter().flat_map(bucket_pairs));
            } else {
                pairs.par_extend(small[first..last].par_iter().flat_map_iter(bucket_pairs));
            }
            if pairs.len() > allowance {
                pairs.par_sort_unstable();
                pairs.dedup();
                if pairs.len() > allowance / 2 {
                    allowance *= 2;
                }
            }
            first = last;
        }
    }
    drop((entries, keys));
    crate::memory::give_back_after(&mut released);
    // Oversized buckets: windows in one fixed order, in key order, and each document takes
    // part in at most `2 × max_bucket` window pairs over all oversized buckets. Without that
    // budget a crowd of similar documents split differently in every band would give each
    // document `bands × max_bucket` neighbours.
    let oversized = crowded.keys.len() as u64;
    let budget_cap = 2 * max_bucket as u32;
    let mut budget = vec![0u32; docs];
    let mut members = Vec::new();
    for c in crowded.in_key_order() {
        crowded.members(c, &mut members);
        window(&mut members, max_bucket, &mut budget, budget_cap, &mut pairs);
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs.shrink_to_fit();
    let stats = CandidateStats { buckets, oversized, pairs: pairs.len() as u64 };
    (pairs, stats)
}

/// Buckets as ranges of a band's entries, in key order.
type Buckets = Vec<(usize, usize)>;

/// The buckets of a band's entries, sorted by key: those of two to `max_bucket` members, and
/// the larger ones.
fn buckets_of(entries: &[Posting], max_bucket: usize) -> (Buckets, Buckets) {
    let (mut small, mut large) = (Vec::new(), Vec::new());
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || { entries[i].key } != { entries[start].key } {
            if i - start > max_bucket {
                large.push((start, i));
            } else if i - start > 1 {
                small.push((start, i));
            }
            start = i;
        }
    }
    (small, large)
}

/// Every pair of the members of the bucket `entries[s..e]`.
fn bucket_pairs(entries: &[Posting], (s, e): (usize, usize)) -> impl Iterator<Item = (u32, u32)> {
    let members = &entries[s..e];
    (0..members.len()).flat_map(move |i| {
        (i + 1..members.len()).map(move |j| pack(members[i].doc, members[j].doc))
    })
}

/// The oversized buckets of [`candidate_pairs_by`]: each one's key, and its members (increasing
/// document numbers) packed in one list of bits: the first member, then each gap to the next in
/// as many bits as the bucket's largest gap needs. At 1M the 48.9 million members take about
/// 17 bits each instead of 32.
#[derive(Default)]
struct Crowded {
    keys: Vec<u64>,
    heads: Vec<Head>,
    bits: Vec<u64>,
    /// Bits of `bits` in use.
    used: u64,
    scratch: Vec<u32>,
}

/// Where an oversized bucket's members lie in [`Crowded`]'s bits.
#[derive(Clone, Copy)]
struct Head {
    /// The first gap's bit.
    at: u64,
    first: u32,
    len: u32,
    /// Bits a gap takes.
    width: u8,
}

impl Crowded {
    /// Keeps the bucket of `key` with `members`, increasing.
    fn push(&mut self, key: u64, members: impl Iterator<Item = u32>) {
        self.scratch.clear();
        self.scratch.extend(members);
        let m = &self.scratch;
        let gap = |i: usize| m[i] - m[i - 1] - 1;
        let widest = (1..m.len()).map(gap).max().unwrap_or(0);
        let width = (32 - widest.leading_zeros()) as u8;
        let head = Head { at: self.used, first: m[0], len: m.len() as u32, width };
        let end = self.used + u64::from(width) * (m.len() as u64 - 1);
        self.bits.resize(end.div_ceil(64) as usize + 1, 0);
        for i in 1..m.len() {
            put_bits(&mut self.bits, self.used, width, gap(i));
            self.used += u64::from(width);
        }
        self.keys.push(key);
        self.heads.push(head);
    }

    /// The buckets' numbers in order of their keys (buckets of one key: in the order kept).
    fn in_key_order(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.keys.len() as u32).collect();
        order.sort_by_key(|&c| self.keys[c as usize]);
        order
    }

    /// Bucket `c`'s members, into `out`.
    fn members(&self, c: u32, out: &mut Vec<u32>) {
        let h = self.heads[c as usize];
        out.clear();
        out.push(h.first);
        let (mut at, mut last) = (h.at, h.first);
        for _ in 1..h.len {
            last += get_bits(&self.bits, at, h.width) + 1;
            at += u64::from(h.width);
            out.push(last);
        }
    }
}

/// Writes the low `width` bits of `value` at bit `at` of `bits` (which holds a word past it).
#[inline]
fn put_bits(bits: &mut [u64], at: u64, width: u8, value: u32) {
    let (w, o) = ((at / 64) as usize, (at % 64) as u32);
    let v = u64::from(value);
    bits[w] |= v << o;
    if o + u32::from(width) > 64 {
        bits[w + 1] |= v >> (64 - o);
    }
}

/// The `width` bits at bit `at` of `bits`, as [`put_bits`] wrote them.
#[inline]
fn get_bits(bits: &[u64], at: u64, width: u8) -> u32 {
    let (w, o) = ((at / 64) as usize, (at % 64) as u32);
    let mut v = bits[w] >> o;
    if o + u32::from(width) > 64 {
        v |= bits[w + 1] << (64 - o);
    }
    (v & ((1u64 << width) - 1)) as u32
}

/// The window pairs of an oversized bucket's `members`: in one fixed pseudo-random order (a hash
/// of the document number, the same in every band), each member with the `max_bucket − 1`
/// after it, while both have `budget` left under `budget_cap`.
fn window(
    members: &mut [u32],
    max_bucket: usize,
    budget: &mut [u32],
    budget_cap: u32,
    pairs: &mut Vec<(u32, u32)>,
) {
    members.sort_unstable_by_key(|&d| (xxh3_64_with_seed(&d.to_le_bytes(), 0x0B5E), d));
    for i in 0..members.len() {
        let a = members[i];
        for &b in &members[i + 1..(i + max_bucket).min(members.len())] {
            if budget[a as usize] >= budget_cap {
                break;
            }
            if budget[b as usize] < budget_cap {
                budget[a as usize] += 1;
                budget[b as usize] += 1;
                pairs.push(pack(a, b));
            }
        }
    }
}

/// What each document keeps of its signature for [`candidate_pairs_by`], band by band: a band
/// of one row keeps its slot (4 bytes; its key is a hash of it, [`LshParams::band_key`]), a
/// wider band its 64-bit key. Each band's values are a list of their own, in document order,
/// so that pass 2 can give a band's back once its entries are made ([`BandKeys::release`]).
struct BandKeys {
    /// `u32` words a band's value takes.
    words: usize,
    runs: Vec<Vec<u32>>,
}

impl BandKeys {
    /// The kept values of `docs` documents whose signatures `signature_of` gives (see
    /// [`candidate_pairs_by`]).
    fn new<T>(
        params: &LshParams,
        docs: usize,
        init: impl Fn() -> T + Sync + Send,
        signature_of: impl Fn(&mut T, usize, &mut dyn FnMut(&[u32])) + Sync + Send,
    ) -> Self {
        /// Documents a worker takes at once.
        const BLOCK: usize = 1024;
        let (rows, words) = (params.rows, if params.rows == 1 { 1 } else { 2 });
        // Each run is allocated zeroed on its own, by the workers: `vec![run; bands]` copied
        // one run into every other on the calling thread, faulting their pages in while the
        // workers waited.
        let mut runs: Vec<Vec<u32>> =
            (0..params.bands).into_par_iter().map(|_| vec![0u32; docs * words]).collect();
        if docs > 0 {
            // Each block of documents writes its share of every band's run.
            let mut parts: Vec<_> =
                runs.iter_mut().map(|run| run.chunks_mut(BLOCK * words)).collect();
            let blocks: Vec<Vec<&mut [u32]>> = (0..docs.div_ceil(BLOCK))
                .map(|_| parts.iter_mut().map(|r| r.next().expect("every band")).collect())
                .collect();
            blocks.into_par_iter().enumerate().for_each_init(init, |state, (k, mut block)| {
                for i in 0..block[0].len() / words {
                    signature_of(state, k * BLOCK + i, &mut |sig| {
                        for (band, part) in block.iter_mut().enumerate() {
                            let slots = &sig[band * rows..(band + 1) * rows];
                            if words == 1 {
                                part[i] = slots[0];
                            } else {
                                let key = LshParams::band_key(band, slots);
                                part[2 * i] = key as u32;
                                part[2 * i + 1] = (key >> 32) as u32;
                            }
                        }
                    });
                }
            });
        }
        BandKeys { words, runs }
    }

    /// The bucket key of `doc` in `band`.
    #[inline]
    fn key(&self, band: usize, doc: usize) -> u64 {
        let (run, at) = (&self.runs[band], doc * self.words);
        if self.words == 1 {
            LshParams::band_key(band, &run[at..at + 1])
        } else {
            u64::from(run[at]) | u64::from(run[at + 1]) << 32
        }
    }

    /// The entry of `doc` in `band`'s bucket list.
    #[inline]
    fn posting(&self, band: usize, doc: usize) -> Posting {
        Posting { key: self.key(band, doc), doc: doc as u32 }
    }

    /// Gives back the memory of `band`'s values, which are read no more.
    fn release(&mut self, band: usize) {
        self.runs[band] = Vec::new();
    }
}

/// The sum of two histograms [`bucket_sizes`] made.
pub fn add_sizes(a: &[(usize, usize)], b: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut h: std::collections::BTreeMap<usize, usize> = a.iter().copied().collect();
    for &(m, n) in b {
        *h.entry(m).or_insert(0) += n;
    }
    h.into_iter().collect()
}

/// Bytes of sorted band entries (12 a document and band) that [`candidate_pairs_by`] keeps
/// from its first pass for its second, instead of making and sorting them again: enough for
/// 10,000 documents at any number of bands up to 512, or 70,000 at the default 73 bands.
const KEEP_SORTED: usize = 64 << 20;

/// Candidate pairs one run may generate, at most (about 0.5 GB of pairs; verified edges and the
/// clustering take a few times that).
pub const PAIR_BUDGET: usize = 64 << 20;

/// The bucket cap for this run: `max_bucket`, or less when the buckets within it would give more
/// than [`PAIR_BUDGET`] pairs. Short texts over a small vocabulary in a large collection (a
/// million headlines) fill every single-row band's buckets with a hundred documents or more;
/// expanded in full, that is billions of pairs. Halving the cap until the budget holds turns
/// those buckets into sampled ones (each document paired with `2 × cap` of its bucket mates at
/// most), so the run stays within memory; collections whose buckets are small never reach it.
///
/// `sizes` is the histogram of bucket sizes over two ([`bucket_sizes`]): a distributed run adds
/// its workers' histograms and gets the same cap as one machine.
pub fn bucket_cap(
    sizes: &[(usize, usize)],
    docs: usize,
    max_bucket: usize,
    budget: usize,
) -> usize {
    let pairs_at = |cap: usize| -> usize {
        let full: usize =
            sizes.iter().filter(|&&(m, _)| m <= cap).map(|&(m, n)| n * (m * (m - 1) / 2)).sum();
        full.saturating_add(docs.saturating_mul(cap))
    };
    let mut cap = max_bucket;
    while cap > 2 && pairs_at(cap) > budget {
        cap /= 2;
    }
    cap.max(2)
}

/// Histogram `(size, buckets)` of bucket sizes, sorted by size.
pub fn bucket_sizes(sizes: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let mut h = std::collections::BTreeMap::new();
    for m in sizes {
        *h.entry(m).or_insert(0usize) += 1;
    }
    h.into_iter().collect()
}

/// The pair `(a, b)` with the smaller document first (pairs sort and deduplicate in place, and
/// are returned as they are: no second copy).
#[inline]
fn pack(a: u32, b: u32) -> (u32, u32) {
    if a < b { (a, b) } else { (b, a) }
}

/// One document holding one key: a feature ([`spread`]) in [`Postings`], or a band key in
/// [`candidate_pairs_by`]. 12 bytes instead of the 16 of a `(u64, u32)`, whose padding was a
/// quarter of either list (the largest thing each stage holds: about 100 pivot features a
/// document, and one key per band).
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
struct Posting {
    key: u64,
    doc: u32,
}

/// A bijection of the 64-bit features whose leading bits are uniform (pivot features carry
/// their kind in their top bits), so that [`Postings`] can find a key's neighbourhood from
/// them.
#[inline]
fn spread(f: u64) -> u64 {
    let x = (f ^ (f >> 32)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    x ^ (x >> 32)
}

/// The (feature, document) pairs of a collection that [`rare_key_pairs`] may read, sorted, with
/// a table of where each value of the spread key's leading bits starts. A lookup reads the
/// table and searches about [`Postings::PER_SLOT`] entries, instead of bisecting the whole
/// index at a cache miss a step.
struct Postings {
    postings: Vec<Posting>,
    /// `first[h]`: the first posting whose key's leading bits are `h` or more.
    first: Vec<usize>,
    shift: u32,
}

impl Postings {
    /// Average postings per slot of the table.
    const PER_SLOT: usize = 16;

    /// The postings of the features `posted[doc]` names (indices into `features[doc]`).
    fn new(features: &[&[u64]], posted: &[Vec<u32>]) -> Self {
        // Each document writes its postings at their final place, in one list made at its
        // final size.
        let total = posted.iter().map(|k| k.len()).sum();
        let mut postings = vec![Posting { key: 0, doc: 0 }; total];
        let mut parts = Vec::with_capacity(features.len());
        let mut rest = postings.as_mut_slice();
        for k in posted {
            let (part, tail) = rest.split_at_mut(k.len());
            parts.push(part);
            rest = tail;
        }
        parts.into_par_iter().zip(posted).enumerate().for_each(|(doc, (part, ks))| {
            for (p, &k) in part.iter_mut().zip(ks) {
                *p = Posting { key: spread(features[doc][k as usize]), doc: doc as u32 };
            }
        });
        postings.par_sort_unstable_by_key(|p| ({ p.key }, { p.doc }));
        let bits = (total / Self::PER_SLOT).max(2).next_power_of_two().trailing_zeros();
        let shift = 64 - bits;
        let mut first = Vec::with_capacity((1 << bits) + 1);
        for (i, p) in postings.iter().enumerate() {
            let h = (p.key >> shift) as usize;
            while first.len() <= h {
                first.push(i);
            }
        }
        first.resize((1 << bits) + 1, total);
        Postings { postings, first, shift }
    }

    /// The postings of `feature`, in document order.
    fn list(&self, feature: u64) -> &[Posting] {
        let key = spread(feature);
        let h = (key >> self.shift) as usize;
        let slot = &self.postings[self.first[h]..self.first[h + 1]];
        let lo = slot.partition_point(|e| { e.key } < key);
        let len = slot[lo..].partition_point(|e| { e.key } == key);
        &slot[lo..lo + len]
    }
}

/// The largest group (of the documents with features) and the features some document outside
/// it holds. Pairs are between groups, so a feature that only the largest group's documents
/// hold pairs no one, and a list of its documents need not be made: in a collection mostly in
/// one language (the 1M replay: 409 texts in Latin script among a million Arabic articles),
/// nearly all of that group's features.
fn outside_largest_group(
    features: &[&[u64]],
    group: &[u8],
) -> (u8, crate::weights::FeatureMap<u64, ()>) {
    let mut sizes = [0usize; 256];
    for (f, &g) in features.iter().zip(group) {
        sizes[g as usize] += usize::from(!f.is_empty());
    }
    let largest = (0..=255u8).max_by_key(|&g| (sizes[g as usize], std::cmp::Reverse(g)));
    let largest = largest.unwrap_or(0);
    let outside = features
        .iter()
        .zip(group)
        .filter(|&(_, &g)| g != largest)
        .flat_map(|(f, _)| f.iter().map(|&x| (x, ())))
        .collect();
    (largest, outside)
}

/// Pivot features a document looks others up by: its rarest this many that some other
/// document also holds.
pub const PROBE_KEYS: usize = 8;

/// Candidate pairs from rare shared features, for the pivot stage: distinct pairs `(a, b)`,
/// `a < b`, sorted, of documents in different groups (`group`: the script each is written in)
/// where one document's [`PROBE_KEYS`] rarest shared features include one the other holds.
///
/// This is a bottom-k sketch with rarity as the order, over the features at least two
/// documents hold: a short report inside a long article shares its names and figures with it,
/// which are the rarest shared features of the short one, while MinHash bands tuned for Jaccard
/// would need the two sets to be of similar size. Features held by more than `max_bucket`
/// documents are not used. `weight(i, k)` is the weight of the `k`-th feature of document `i`
/// (higher is rarer).
pub fn rare_key_pairs(
    features: &[&[u64]],
    weight: impl Fn(usize, usize) -> f32 + Sync,
    group: &[u8],
    max_bucket: usize,
) -> Vec<(u32, u32)> {
    // Every document counts all its features: an index finds its candidates the same way (a
    // document's rarest features shared with any other), so nights agree with one run. Only
    // the usable ones (held by 2 to `max_bucket` documents) are posted: the pivot features of a
    // large archive are mostly crowded ones (on the 100k replay, 7.1 of the 7.4 million that
    // the stage looked up), and an index of all of them was the largest thing the stage held
    // (1.2 GB at a million documents).
    let held = crate::weights::DocFreq::from_sets(features);
    let usable = |f: u64| (2..=max_bucket).contains(&(held.df(f) as usize));
    let (largest, outside) = outside_largest_group(features, group);
    // Per document: the features it looks others up by (its `PROBE_KEYS` rarest usable ones,
    // ties by feature, so runs agree; `NONE` past them), and those it is posted under. A list
    // of every usable feature of every document was the stage's peak (0.4 GB in the 1M replay,
    // whose copies share most of their features).
    const NONE: u32 = u32::MAX;
    let (keys, posted): (Vec<[u32; PROBE_KEYS]>, Vec<Vec<u32>>) = features
        .par_iter()
        .zip(group)
        .enumerate()
        .map_init(Vec::new, |ks: &mut Vec<u32>, (i, (f, &g))| {
            ks.clear();
            ks.extend((0..f.len() as u32).filter(|&k| usable(f[k as usize])));
            let posted = ks
                .iter()
                .copied()
                .filter(|&k| g != largest || outside.contains_key(&f[k as usize]))
                .collect();
            ks.sort_by(|&x, &y| {
                let (x, y) = (x as usize, y as usize);
                weight(i, y).total_cmp(&weight(i, x)).then(f[x].cmp(&f[y]))
            });
            let mut keys = [NONE; PROBE_KEYS];
            for (key, &k) in keys.iter_mut().zip(ks.iter()) {
                *key = k;
            }
            (keys, posted)
        })
        .unzip();
    drop((held, outside));
    let index = Postings::new(features, &posted);
    drop(posted);
    let mut pairs: Vec<(u32, u32)> = features
        .par_iter()
        .zip(&keys)
        .enumerate()
        .flat_map_iter(|(i, (f, keys))| {
            let lists = keys.iter().take_while(|&&k| k != NONE).map(|&k| index.list(f[k as usize]));
            let mut out = Vec::new();
            for list in lists {
                for &Posting { doc: j, .. } in list {
                    if group[j as usize] != group[i] {
                        let a = i as u32;
                        out.push((a.min(j), a.max(j)));
                    }
                }
            }
            out
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_share_a_band() {
        let p = LshParams { bands: 2, rows: 2 };
        let sigs = vec![vec![1, 2, 3, 4], vec![1, 2, 7, 8], vec![9, 9, 3, 4], vec![5, 5, 5, 5]];
        let (pairs, stats) = candidate_pairs(&p, &sigs, 100);
        assert_eq!(pairs, vec![(0, 1), (0, 2)]);
        assert_eq!(stats.pairs, 2);
        assert_eq!(stats.oversized, 0);
    }

    #[test]
    fn a_crowd_in_every_band_adds_no_pairs_per_band() {
        let p = LshParams { bands: 20, rows: 1 };
        let sigs: Vec<Vec<u32>> = (0..2_000).map(|_| vec![7; 20]).collect();
        let (pairs, stats) = candidate_pairs(&p, &sigs, 50);
        assert_eq!(stats.oversized, 20);
        assert!(pairs.len() <= 2_000 * 49, "{}", pairs.len());
    }

    #[test]
    fn groups_under_the_cap_in_every_band_give_each_pair_once() {
        // 100 groups of 150 identical signatures, each group in its own bucket in all 40 bands.
        let p = LshParams { bands: 40, rows: 1 };
        let sigs: Vec<Vec<u32>> = (0..15_000).map(|i| vec![i / 150; 40]).collect();
        let (pairs, stats) = candidate_pairs(&p, &sigs, 200);
        assert_eq!(stats.oversized, 0);
        assert_eq!(pairs.len(), 100 * 150 * 149 / 2);
        assert!(pairs.windows(2).all(|w| w[0] < w[1]));
        assert!(pairs.iter().all(|&(a, b)| a / 150 == b / 150));
    }

    #[test]
    fn the_cap_halves_until_the_pair_budget_holds() {
        // 1,000 buckets of 100 documents each (4.95M pairs in full) among 10,000 documents.
        let bounds = bucket_sizes(std::iter::repeat_n(100, 1000));
        assert_eq!(bounds, [(100, 1000)]);
        assert_eq!(bucket_cap(&bounds, 10_000, 200, usize::MAX), 200);
        assert_eq!(bucket_cap(&bounds, 10_000, 200, 7_000_000), 200);
        assert_eq!(bucket_cap(&bounds, 10_000, 200, 6_000_000), 100);
        // Under a 1M budget the buckets become sampled ones: cap 50, 10,000 × 50 pairs at most.
        assert_eq!(bucket_cap(&bounds, 10_000, 200, 1_000_000), 50);
        assert_eq!(bucket_cap(&bounds, 10_000, 200, 0), 2);
    }

    #[test]
    fn oversized_bucket_is_linear_not_quadratic() {
        let p = LshParams { bands: 1, rows: 1 };
        let sigs: Vec<Vec<u32>> = (0..10_000).map(|_| vec![7]).collect();
        let (pairs, stats) = candidate_pairs(&p, &sigs, 50);
        assert_eq!(stats.oversized, 1);
        assert!(pairs.len() <= 10_000 * 49, "{}", pairs.len());
        assert!(pairs.len() >= 9_000 * 49);
        // Every member still has neighbours.
        let mut seen = vec![false; 10_000];
        for (a, b) in &pairs {
            seen[*a as usize] = true;
            seen[*b as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn rare_keys_pair_across_groups_only() {
        // Document 0 (group 1) shares rare feature 7 with 1 (group 2) and 2 (group 1), and the
        // common feature 9 with everyone.
        let f: Vec<Vec<u64>> = vec![vec![7, 9], vec![7, 8, 9], vec![7, 9], vec![5, 9]];
        let refs: Vec<&[u64]> = f.iter().map(|v| v.as_slice()).collect();
        let weight = |i: usize, k: usize| if f[i][k] == 9 { 0.1 } else { 1.0 };
        let pairs = rare_key_pairs(&refs, weight, &[1, 2, 1, 1], 200);
        assert_eq!(pairs, [(0, 1), (1, 2), (1, 3)]);
        // Feature 9 is held by four documents: with a cap of three, only feature 7 pairs.
        assert_eq!(rare_key_pairs(&refs, weight, &[1, 2, 1, 1], 3), [(0, 1), (1, 2)]);
    }

    /// [`rare_key_pairs`] as its doc comment says it, with a map of every feature's holders.
    fn rare_key_pairs_naive(
        features: &[Vec<u64>],
        weight: impl Fn(usize, usize) -> f32,
        group: &[u8],
        max_bucket: usize,
    ) -> Vec<(u32, u32)> {
        let mut holders: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        for (i, f) in features.iter().enumerate() {
            for &key in f {
                holders.entry(key).or_default().push(i as u32);
            }
        }
        let mut pairs = Vec::new();
        for (i, f) in features.iter().enumerate() {
            let mut keys: Vec<usize> = (0..f.len())
                .filter(|&k| (2..=max_bucket).contains(&holders[&f[k]].len()))
                .collect();
            keys.sort_by(|&x, &y| weight(i, y).total_cmp(&weight(i, x)).then(f[x].cmp(&f[y])));
            for &k in keys.iter().take(PROBE_KEYS) {
                for &j in &holders[&f[k]] {
                    if group[j as usize] != group[i] {
                        pairs.push(pack(i as u32, j));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    use proptest::prelude::*;

    proptest! {
        /// The index and the lookups that stop early find what a map of every feature finds:
        /// features from a small vocabulary (many shared, some crowded), some differing only
        /// in their top bits (where pivot features keep their kind), weights with ties.
        #[test]
        fn rare_key_pairs_are_those_of_a_full_map(
            docs in proptest::collection::vec(
                proptest::collection::btree_set(
                    prop_oneof![
                        0u64..60,
                        (0u64..8).prop_map(|k| k << 60 | 3),
                        (0u64..8, 0u64..6).prop_map(|(c, k)| c << 61 | k << 40),
                    ],
                    0..25,
                ),
                0..40,
            ),
            groups in proptest::collection::vec(0u8..3, 40),
            max_bucket in 2usize..12,
        ) {
            let f: Vec<Vec<u64>> = docs.into_iter().map(|s| s.into_iter().collect()).collect();
            let refs: Vec<&[u64]> = f.iter().map(|v| v.as_slice()).collect();
            let weight = |i: usize, k: usize| (f[i][k] % 7) as f32;
            let group = &groups[..f.len()];
            prop_assert_eq!(
                rare_key_pairs(&refs, weight, group, max_bucket),
                rare_key_pairs_naive(&f, weight, group, max_bucket)
            );
        }

        /// Oversized buckets come back from their packed bits as they were kept, whatever the
        /// gaps (none, one document apart, across the whole range).
        #[test]
        fn crowded_buckets_keep_their_members(
            buckets in proptest::collection::vec(
                (any::<u64>(), proptest::collection::btree_set(
                    prop_oneof![0u32..40, any::<u32>()], 1..60)),
                0..30,
            ),
        ) {
            let mut crowded = Crowded::default();
            for (key, members) in &buckets {
                crowded.push(*key, members.iter().copied());
            }
            let mut out = Vec::new();
            for (c, (key, members)) in buckets.iter().enumerate() {
                crowded.members(c as u32, &mut out);
                prop_assert_eq!(&out, &members.iter().copied().collect::<Vec<u32>>());
                prop_assert_eq!(crowded.keys[c], *key);
            }
            let order = crowded.in_key_order();
            prop_assert!(order.windows(2).all(|w| crowded.keys[w[0] as usize] <= crowded.keys[w[1] as usize]));
        }

        /// Pass 2 finds the same pairs and buckets whether it sorts each band's entries again
        /// (band by band) or takes those pass 1 kept (all bands at once, in parallel),
        /// oversized buckets included.
        #[test]
        fn kept_entries_give_the_pairs_of_sorting_again(
            sigs in proptest::collection::vec(proptest::collection::vec(0u32..4, 12), 0..80),
            rows in prop_oneof![Just(1usize), Just(2)],
            max_bucket in 2usize..8,
        ) {
            let p = LshParams { bands: 12 / rows, rows };
            let run = |keep| {
                candidate_pairs_keeping(&p, sigs.len(), || (), |_, d, emit| emit(&sigs[d]),
                    max_bucket, keep)
            };
            let (kept, again) = (run(usize::MAX), run(0));
            prop_assert_eq!(&kept.0, &again.0);
            prop_assert_eq!(kept.1, again.1);
        }

        /// With every bucket within the cap, the pairs are exactly those that agree on all
        /// rows of some band, for bands of one row (whose slot is kept) and of several (whose
        /// key is), and the stats count each band's buckets.
        #[test]
        fn band_pairs_are_those_agreeing_on_a_band(
            sigs in proptest::collection::vec(proptest::collection::vec(0u32..3, 12), 0..60),
            rows in prop_oneof![Just(1usize), Just(3)],
        ) {
            let p = LshParams { bands: 12 / rows, rows };
            let (pairs, stats) = candidate_pairs(&p, &sigs, 1000);
            let agree = |a: &[u32], b: &[u32], band: usize| {
                a[band * rows..(band + 1) * rows] == b[band * rows..(band + 1) * rows]
            };
            let mut naive = Vec::new();
            for a in 0..sigs.len() {
                for b in a + 1..sigs.len() {
                    if (0..p.bands).any(|band| agree(&sigs[a], &sigs[b], band)) {
                        naive.push((a as u32, b as u32));
                    }
                }
            }
            prop_assert_eq!(&pairs, &naive);
            prop_assert_eq!(stats.pairs, naive.len() as u64);
            let buckets: usize = (0..p.bands)
                .map(|band| {
                    let mut seen: Vec<&[u32]> =
                        sigs.iter().map(|s| &s[band * rows..(band + 1) * rows]).collect();
                    seen.sort_unstable();
                    seen.dedup();
                    seen.len()
                })
                .sum();
            prop_assert_eq!(stats.buckets, buckets as u64);
            prop_assert_eq!(stats.oversized, 0);
        }
    }
}
