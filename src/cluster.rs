//! Verified edges → stories, by average-link agglomeration over the sparse candidate graph.
//!
//! Why not union-find: one edge between two stories is enough for it to merge them, and on news
//! (one event, many overlapping stories) a chain of such edges joins unrelated stories into giant
//! clusters. Average link merges two groups only when the *mean* similarity over all their member
//! pairs reaches the threshold, so a single bridge between two large groups is outvoted by all
//! the pairs that are not similar. Pairs that never became candidates count as similarity 0, the
//! honest value for pairs LSH judged unrelated.
//!
//! Nodes may stand for several identical documents (exact duplicates collapsed before LSH): a
//! node of size `m` counts as `m` members at similarity 1 with each other.
//!
//! The merge order is the order of decreasing average similarity, ties broken by node number, so
//! the result does not depend on thread count or hash map order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::weights::FeatureMap;

/// A candidate merge in the heap.
#[derive(Debug, PartialEq)]
struct Merge {
    avg: f64,
    a: u32,
    b: u32,
    va: u32,
    vb: u32,
}

impl Eq for Merge {}

impl Ord for Merge {
    fn cmp(&self, o: &Self) -> Ordering {
        self.avg.total_cmp(&o.avg).then_with(|| (o.a, o.b).cmp(&(self.a, self.b)))
    }
}

impl PartialOrd for Merge {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Average-link clustering of `sizes.len()` nodes over `edges` `(a, b, similarity)`, at most one
/// edge for each pair of nodes; groups merge while their average similarity is at least
/// `threshold`.
///
/// Returns each node's cluster as the smallest node number in it.
pub fn average_link(sizes: &[u32], edges: &[(u32, u32, f32)], threshold: f64) -> Vec<u32> {
    average_link_anchored(sizes, &[], edges, threshold)
}

/// [`average_link`] where the nodes marked in `anchored` (stories already published, in the
/// persistent index) never end up in one cluster with each other: new nodes may join an anchored
/// one, or form clusters of their own. An empty `anchored` marks none.
///
/// An edge's similarity is the *average* over the pairs of documents the two nodes stand for, as
/// everywhere here; for a node standing for a whole story that is the mean over its members.
///
/// Two groups can merge only when some pair between them reaches the threshold (an average is
/// at most its largest term), so the connected components of those pairs are clustered on their
/// own, in parallel, each over the edges inside it: a component's result depends on nothing
/// outside it, whatever the number of threads. (Which of two merged nodes lives on, and so how
/// exact ties between averages are broken, counts only the neighbours inside the component.)
pub fn average_link_anchored(
    sizes: &[u32],
    anchored: &[bool],
    edges: &[(u32, u32, f32)],
    threshold: f64,
) -> Vec<u32> {
    let n = sizes.len();
    // The margin covers the rounding of the f32 sums an average is computed from.
    let component = single_link(n, edges, threshold * (1.0 - 1e-4));
    // Components of two nodes or more, in order of their smallest node, with their nodes in
    // order; `place[x]`: the component and the index of node `x` in it.
    let mut count = vec![0u32; n];
    for &c in &component {
        count[c as usize] += 1;
    }
    let mut comps: Vec<Vec<u32>> = Vec::new();
    let mut slot = vec![u32::MAX; n];
    let mut place = vec![(u32::MAX, 0u32); n];
    for x in 0..n {
        let c = component[x] as usize;
        if count[c] < 2 {
            continue;
        }
        if slot[c] == u32::MAX {
            slot[c] = comps.len() as u32;
            comps.push(Vec::with_capacity(count[c] as usize));
        }
        let k = slot[c] as usize;
        place[x] = (k as u32, comps[k].len() as u32);
        comps[k].push(x as u32);
    }
    drop((count, slot));
    // The edges inside each component, found in `edges` (in its order) when the component is
    // clustered: each component's own list is made then. (A copy of
    // those edges, lists grown by doubling, was 16 of the 20 million edges of the 1M replay
    // at 12 bytes each, beside the edges themselves.)
    let comp_of = |&(a, b, _): &(u32, u32, f32)| {
        let (ca, cb) = (place[a as usize].0, place[b as usize].0);
        (ca == cb && ca != u32::MAX).then_some(ca as usize)
    };
    let inside = Inside::new(n, comps.len(), edges, comp_of);
    let anchored_at = |x: u32| anchored.get(x as usize).copied().unwrap_or(false);
    let labels: Vec<Vec<u32>> = comps
        .par_iter()
        .enumerate()
        .map_init(Scratch::default, |scratch, (k, nodes)| {
            // The edges inside component `k`, in the order of `edges` (one of two ways, with
            // no allocation: most components are two nodes, decided without any).
            let (listed, by_first) = match &inside {
                Inside::Listed(places) => {
                    (Some(places[k].iter().map(|&e| &edges[e as usize])), None)
                }
                Inside::ByFirst(starts) => (
                    None,
                    Some(
                        nodes
                            .iter()
                            .flat_map(|&a| &edges[starts[a as usize]..starts[a as usize + 1]])
                            .filter(|e| comp_of(e) == Some(k)),
                    ),
                ),
            };
            let inside_edges = listed.into_iter().flatten().chain(by_first.into_iter().flatten());
            let local =
                |&(a, b, s): &(u32, u32, f32)| (place[a as usize].1, place[b as usize].1, s);
            if let &[x, y] = &nodes[..] {
                let sizes = [sizes[x as usize], sizes[y as usize]];
                let anchored = [anchored_at(x), anchored_at(y)];
                let merged = pair_merges(sizes, anchored, inside_edges.map(local), threshold);
                return vec![0, if merged { 0 } else { 1 }];
            }
            let Scratch { edges, sizes: local_sizes, anchored, merging } = scratch;
            edges.clear();
            edges.extend(inside_edges.map(local));
            local_sizes.clear();
            local_sizes.extend(nodes.iter().map(|&x| sizes[x as usize]));
            anchored.clear();
            anchored.extend(nodes.iter().map(|&x| anchored_at(x)));
            let labels = merging.agglomerate(local_sizes, anchored, edges, threshold);
            if edges.len() > KEPT_EDGES {
                // A large component's lists are not kept: two workers each holding theirs
                // could add up to more than the largest two clustered at once.
                *scratch = Scratch::default();
            }
            labels
        })
        .collect();
    let mut out: Vec<u32> = (0..n as u32).collect();
    for (nodes, labels) in comps.iter().zip(labels) {
        for (&x, l) in nodes.iter().zip(labels) {
            out[x as usize] = nodes[l as usize];
        }
    }
    out
}

/// Numbers `0..` grouped by a key, all groups in one list, each group in the numbers' order: a
/// node's documents ([`crate::pipeline::Collapsed`]), a component's edges
/// ([`average_link_anchored`]).
#[derive(Debug, Clone, Default)]
pub struct Groups {
    /// Group `g` is `items[starts[g]..starts[g + 1]]`.
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Groups {
    /// `groups` groups, number `i` in group `keys[i]` (in none for `None`); a counting sort.
    pub fn new(groups: usize, keys: impl Iterator<Item = Option<usize>> + Clone) -> Self {
        let mut starts = vec![0u32; groups + 1];
        for g in keys.clone().flatten() {
            starts[g + 1] += 1;
        }
        for g in 1..starts.len() {
            starts[g] += starts[g - 1];
        }
        let mut next = starts.clone();
        let mut items = vec![0u32; starts[groups] as usize];
        for (i, g) in keys.enumerate().filter_map(|(i, g)| Some((i, g?))) {
            items[next[g] as usize] = u32::try_from(i).expect("fewer than 2^32 numbers");
            next[g] += 1;
        }
        Groups { starts, items }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// True when there are no groups.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each group, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u32]> + '_ {
        (0..self.len()).map(|g| &self[g])
    }
}

impl std::ops::Index<usize> for Groups {
    type Output = [u32];

    fn index(&self, g: usize) -> &[u32] {
        &self.items[self.starts[g] as usize..self.starts[g + 1] as usize]
    }
}

/// Where [`average_link_anchored`] finds the edges inside each component, in the order of its
/// list of edges.
enum Inside {
    /// Edges in order of their first node (the pipeline's, sorted): a component's are those of
    /// its nodes, taken in node order. Where each node's edges start takes 8 bytes a node.
    ByFirst(Vec<usize>),
    /// Edges in any other order: each component's places in the list, 4 bytes an edge inside
    /// a component (in the 1M replay, 64 MB for its 16 million, at average link's peak).
    Listed(Groups),
}

impl Inside {
    /// For `edges` between `nodes` nodes in `components` components, `component` giving the
    /// one an edge is inside (if any).
    fn new(
        nodes: usize,
        components: usize,
        edges: &[(u32, u32, f32)],
        component: impl Fn(&(u32, u32, f32)) -> Option<usize>,
    ) -> Self {
        if !edges.is_sorted_by_key(|e| e.0) {
            return Inside::Listed(Groups::new(components, edges.iter().map(&component)));
        }
        let mut starts = vec![0usize; nodes + 1];
        for e in edges {
            starts[e.0 as usize + 1] += 1;
        }
        for a in 1..starts.len() {
            starts[a] += starts[a - 1];
        }
        Inside::ByFirst(starts)
    }
}

/// [`agglomerate`] over a component of two nodes (`0` and `1`, of `sizes` documents) with
/// `edges` between them: whether they merge, found with the same sums in the same order. Most
/// components are two nodes; `agglomerate`'s lists and maps, a dozen allocations each, took
/// average link on the peers' job on the whole corpus (2,578 components) as long on two
/// threads as on one.
fn pair_merges(
    sizes: [u32; 2],
    anchored: [bool; 2],
    edges: impl Iterator<Item = (u32, u32, f32)>,
    threshold: f64,
) -> bool {
    let size = |n: u32| sizes[n as usize] as f64;
    let mut sum: Option<f32> = None;
    for (_, _, w) in weighted(edges, size) {
        sum = Some(summed(sum.unwrap_or(0.0), w));
    }
    let both_anchored = anchored[0] && anchored[1];
    !both_anchored && sum.is_some_and(|w| w as f64 / (size(0) * size(1)) >= threshold)
}

/// Edges of the largest component whose lists a worker keeps for the next one ([`Scratch`]).
const KEPT_EDGES: usize = 1 << 12;

/// The lists of one component's clustering, kept by a worker from one component to the next:
/// most components are a few nodes, and their dozen allocations each took longer than their
/// merges (average link on the peers' job on the whole corpus, 1,122 components of three nodes
/// or more: 5.8 µs a component, and no faster on two threads than on one).
#[derive(Default)]
struct Scratch {
    /// The component's edges, between its nodes numbered from 0.
    edges: Vec<(u32, u32, f32)>,
    /// The documents of each of its nodes.
    sizes: Vec<u32>,
    /// Whether each of its nodes is anchored.
    anchored: Vec<bool>,
    merging: Merging,
}

/// What [`Merging::agglomerate`] works in.
#[derive(Default)]
struct Merging {
    anchor: Vec<bool>,
    size: Vec<f64>,
    /// Sum over member pairs of similarity × multiplicities, per neighbouring cluster. The
    /// sums are kept in f32, like the similarities they add up: an entry of 8 bytes instead of
    /// 16 halves the largest structure of a run with many edges (a million archive documents
    /// in groups of 32 copies: 1.1 GB of maps in f64). Each sum is formed in f64 and rounded
    /// once when stored, a relative error of 6e-8 per merge, below the f32 similarities' own.
    /// Maps past the component's nodes are left empty.
    adj: Vec<FeatureMap<u32, f32>>,
    version: Vec<u32>,
    alive: Vec<bool>,
    parent: Vec<u32>,
    heap: BinaryHeap<Merge>,
    /// The smallest node of each root's cluster.
    smallest: Vec<u32>,
}

/// [`Merging::agglomerate`] in lists of its own.
#[cfg(test)]
fn agglomerate(
    sizes: &[u32],
    anchored: &[bool],
    edges: &[(u32, u32, f32)],
    threshold: f64,
) -> Vec<u32> {
    Merging::default().agglomerate(sizes, anchored, edges, threshold)
}

impl Merging {
    /// [`average_link_anchored`] over one component: the merges themselves.
    fn agglomerate(
        &mut self,
        sizes: &[u32],
        anchored: &[bool],
        edges: &[(u32, u32, f32)],
        threshold: f64,
    ) -> Vec<u32> {
        let n = sizes.len();
        let Merging { anchor, size, adj, version, alive, parent, heap, smallest } = self;
        anchor.clear();
        anchor.extend((0..n).map(|i| anchored.get(i).copied().unwrap_or(false)));
        size.clear();
        size.extend(sizes.iter().map(|&s| s as f64));
        if adj.len() < n {
            adj.resize_with(n, FeatureMap::default);
        }
        for (a, b, w) in weighted(edges.iter().copied(), |x| size[x as usize]) {
            add(&mut adj[a as usize], b, w);
            add(&mut adj[b as usize], a, w);
        }
        version.clear();
        version.resize(n, 0);
        alive.clear();
        alive.resize(n, true);
        parent.clear();
        parent.extend(0..n as u32);
        heap.clear();
        for a in 0..n {
            for (&b, &w) in &adj[a] {
                if (a as u32) < b {
                    let avg = w as f64 / (size[a] * size[b as usize]);
                    if avg >= threshold {
                        heap.push(Merge { avg, a: a as u32, b, va: 0, vb: 0 });
                    }
                }
            }
        }
        let push = |heap: &mut BinaryHeap<Merge>, version: &[u32], p: u32, q: u32, avg: f64| {
            let (p, q) = if p < q { (p, q) } else { (q, p) };
            heap.push(Merge { avg, a: p, b: q, va: version[p as usize], vb: version[q as usize] });
        };
        while let Some(m) = heap.pop() {
            let (a, b) = (m.a as usize, m.b as usize);
            if !alive[a] || !alive[b] || (anchor[a] && anchor[b]) {
                continue;
            }
            if version[a] != m.va || version[b] != m.vb {
                // One side grew since this entry was pushed. Growth without new edges to the other
                // side only lowers the average, so the entry is an upper bound: re-evaluate it now
                // (pairs that gained edges were pushed afresh when they did).
                if let Some(&w) = adj[a].get(&(b as u32)) {
                    let avg = w as f64 / (size[a] * size[b]);
                    if avg >= threshold {
                        push(heap, version, a as u32, b as u32, avg);
                    }
                }
                continue;
            }
            // Keep the node with more neighbours; move the other's edges over.
            let (keep, gone) = if adj[a].len() >= adj[b].len() { (a, b) } else { (b, a) };
            let mut moved = std::mem::take(&mut adj[gone]);
            adj[keep].remove(&(gone as u32));
            size[keep] += size[gone];
            anchor[keep] |= anchor[gone];
            alive[gone] = false;
            parent[gone] = keep as u32;
            version[keep] += 1;
            // Only the neighbours of the absorbed side gained weight towards `keep`: push those. The
            // others' entries with `keep` are now stale upper bounds, re-evaluated when popped.
            for (x, w) in moved.drain() {
                if x as usize == keep {
                    continue;
                }
                adj[x as usize].remove(&(gone as u32));
                add(&mut adj[x as usize], keep as u32, w as f64);
                let total = add(&mut adj[keep], x, w as f64);
                let avg = total / (size[keep] * size[x as usize]);
                if avg >= threshold {
                    push(heap, version, keep as u32, x, avg);
                }
            }
            // Empty, with its room kept for the next component.
            adj[gone] = moved;
        }
        for map in &mut adj[..n] {
            map.clear();
        }
        // Resolve each node to its root, then name clusters by their smallest node.
        let root = |mut x: usize| {
            while parent[x] as usize != x {
                x = parent[x] as usize;
            }
            x
        };
        smallest.clear();
        smallest.resize(n, u32::MAX);
        let mut labels: Vec<u32> = (0..n).map(|x| root(x) as u32).collect();
        for (i, r) in labels.iter_mut().enumerate() {
            let first = &mut smallest[*r as usize];
            if *first == u32::MAX {
                *first = i as u32;
            }
            *r = *first;
        }
        labels
    }
}

/// The edges that count towards an average, each weighed by the pairs of documents its two
/// nodes (of `size` documents) stand for: not loops, not similarities of zero or below (a NaN
/// one counts, and makes its average no merge).
fn weighted(
    edges: impl Iterator<Item = (u32, u32, f32)>,
    size: impl Fn(u32) -> f64,
) -> impl Iterator<Item = (u32, u32, f64)> {
    edges
        .filter(|&(a, b, s)| a != b && (s > 0.0 || s.is_nan()))
        .map(move |(a, b, s)| (a, b, s as f64 * size(a) * size(b)))
}

/// `sum + w`, formed in f64 and stored in f32 (see [`agglomerate`]'s sums).
fn summed(sum: f32, w: f64) -> f32 {
    (sum as f64 + w) as f32
}

/// Adds `w` to `map[k]` ([`summed`]) and returns the new sum.
fn add(map: &mut FeatureMap<u32, f32>, k: u32, w: f64) -> f64 {
    let slot = map.entry(k).or_insert(0.0);
    *slot = summed(*slot, w);
    *slot as f64
}

/// How verified edges become stories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linkage {
    /// Average link (the default): groups merge while their mean pair similarity reaches the
    /// threshold.
    Average,
    /// Single link: connected components of the edges at or above the threshold (union-find,
    /// what most MinHash dedup scripts do). Kept for comparison; it chains.
    Single,
}

impl std::fmt::Display for Linkage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Linkage::Average => "average",
            Linkage::Single => "single",
        })
    }
}

impl std::str::FromStr for Linkage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "average" => Ok(Linkage::Average),
            "single" => Ok(Linkage::Single),
            _ => Err(format!("linkage '{s}': expected average or single")),
        }
    }
}

/// Clusters with the chosen linkage; labels as in [`average_link`].
pub fn cluster(
    linkage: Linkage,
    sizes: &[u32],
    edges: &[(u32, u32, f32)],
    threshold: f64,
) -> Vec<u32> {
    match linkage {
        Linkage::Average => average_link(sizes, edges, threshold),
        Linkage::Single => single_link(sizes.len(), edges, threshold),
    }
}

/// Connected components of the edges with similarity at least `threshold`; each node labelled
/// with the smallest node of its component.
pub fn single_link(n: usize, edges: &[(u32, u32, f32)], threshold: f64) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for &(a, b, s) in edges {
        if s as f64 >= threshold {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            // The smaller root wins, so every label is its component's smallest node.
            if ra != rb {
                let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
                parent[hi as usize] = lo;
            }
        }
    }
    (0..n as u32).map(|x| find(&mut parent, x)).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn groups_keep_each_number_in_its_group_in_order_and_skip_the_keyless() {
        let keys = [Some(2), None, Some(0), Some(2), None, Some(2)];
        let g = super::Groups::new(4, keys.iter().copied());
        assert_eq!(g.len(), 4);
        let groups: Vec<&[u32]> = g.iter().collect();
        assert_eq!(groups, [&[2][..], &[], &[0, 3, 5], &[]]);
    }

    use super::*;

    #[test]
    fn a_single_bridge_does_not_merge_two_groups() {
        // Two triangles of strong edges joined by one strong bridge.
        let e = vec![
            (0, 1, 0.9),
            (1, 2, 0.9),
            (0, 2, 0.9),
            (3, 4, 0.9),
            (4, 5, 0.9),
            (3, 5, 0.9),
            (2, 3, 0.9),
        ];
        let labels = average_link(&[1; 6], &e, 0.5);
        assert_eq!(labels, vec![0, 0, 0, 3, 3, 3]);
        // Union-find at the same threshold joins them all.
        assert_eq!(single_link(6, &e, 0.5), vec![0; 6]);
    }

    #[test]
    fn below_threshold_stays_apart_and_sizes_count() {
        assert_eq!(average_link(&[1, 1], &[(0, 1, 0.3)], 0.5), vec![0, 1]);
        // A node standing for 3 identical documents pulls its neighbour's average up.
        let e = vec![(0, 1, 0.6), (1, 2, 0.6)];
        assert_eq!(average_link(&[3, 1, 1], &e, 0.5), vec![0, 0, 2]);
    }

    #[test]
    fn anchored_nodes_never_meet() {
        // Node 1 would bridge stories 0 and 2; it joins the closer one and they stay apart.
        let e = vec![(0, 1, 0.9), (1, 2, 0.8), (0, 2, 0.7)];
        assert_eq!(average_link(&[1, 1, 1], &e, 0.5), vec![0, 0, 0]);
        let anchored = [true, false, true];
        assert_eq!(average_link_anchored(&[1, 1, 1], &anchored, &e, 0.5), vec![0, 0, 2]);
    }

    proptest::proptest! {
        /// Clustering each component on its own gives what one run over the whole graph gives
        /// (the weights are distinct, so no exact tie between averages decides a merge).
        #[test]
        fn components_clustered_apart_agree_with_one_run(
            sizes in proptest::collection::vec(1u32..4, 2..40),
            raw in proptest::collection::vec((0u32..40, 0u32..40, 1u32..1 << 20), 0..120),
            anchored in proptest::collection::vec(proptest::bool::weighted(0.2), 40),
            threshold in 0.2f64..0.8,
        ) {
            let n = sizes.len() as u32;
            let (mut pairs, mut weights) = (HashSet::new(), HashSet::new());
            let edges: Vec<(u32, u32, f32)> = raw
                .into_iter()
                .map(|(a, b, w)| (a % n, b % n, w))
                .filter(|&(a, b, w)| a != b && pairs.insert((a.min(b), a.max(b))) && weights.insert(w))
                .map(|(a, b, w)| (a, b, w as f32 / (1 << 20) as f32))
                .collect();
            let anchored = &anchored[..sizes.len()];
            proptest::prop_assert_eq!(
                average_link_anchored(&sizes, anchored, &edges, threshold),
                agglomerate(&sizes, anchored, &edges, threshold)
            );
            // Edges in order of their first node take the other way to each component's.
            let mut sorted = edges.clone();
            sorted.sort_by_key(|e| (e.0, e.1));
            proptest::prop_assert_eq!(
                average_link_anchored(&sizes, anchored, &sorted, threshold),
                agglomerate(&sizes, anchored, &sorted, threshold)
            );
        }

        /// One worker's lists, kept from one component to the next, give each component what
        /// fresh lists give it, whatever the components before it were.
        #[test]
        fn kept_lists_cluster_as_fresh_ones(
            graphs in proptest::collection::vec(
                (
                    proptest::collection::vec((1u32..4, proptest::bool::weighted(0.2)), 2..12),
                    proptest::collection::vec((0u32..12, 0u32..12, 0.0f32..1.0), 0..40),
                ),
                1..6,
            ),
            threshold in 0.1f64..0.8,
        ) {
            let mut kept = Merging::default();
            for (nodes, raw) in graphs {
                let n = nodes.len() as u32;
                let sizes: Vec<u32> = nodes.iter().map(|x| x.0).collect();
                let anchored: Vec<bool> = nodes.iter().map(|x| x.1).collect();
                let mut pairs = HashSet::new();
                let edges: Vec<(u32, u32, f32)> = raw
                    .into_iter()
                    .map(|(a, b, w)| (a % n, b % n, w))
                    .filter(|&(a, b, _)| a != b && pairs.insert((a.min(b), a.max(b))))
                    .collect();
                proptest::prop_assert_eq!(
                    kept.agglomerate(&sizes, &anchored, &edges, threshold),
                    agglomerate(&sizes, &anchored, &edges, threshold)
                );
            }
        }

        /// A component of two nodes (decided without `agglomerate`'s lists and maps) merges
        /// exactly when `agglomerate` merges it: repeated edges either way round, loops, and
        /// similarities of zero or below, at any sizes and anchors.
        #[test]
        fn two_nodes_merge_as_agglomerate_merges_them(
            sizes in proptest::collection::vec(1u32..1000, 2),
            edges in proptest::collection::vec((0u32..2, 0u32..2, -0.2f32..1.0), 0..6),
            anchored in proptest::collection::vec(proptest::bool::ANY, 2),
            threshold in 0.05f64..0.95,
        ) {
            let merged = pair_merges(
                [sizes[0], sizes[1]],
                [anchored[0], anchored[1]],
                edges.iter().copied(),
                threshold,
            );
            let labels = agglomerate(&sizes, &anchored, &edges, threshold);
            proptest::prop_assert_eq!(merged, labels == [0, 0]);
        }
    }
}
