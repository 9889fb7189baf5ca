//! The checked settings of a run, built once from flags (or code) before any work starts.

use crate::cluster::Linkage;
use crate::error::{Error, Result};
use crate::lsh::LshParams;
use crate::shingle::ShingleSpec;
use crate::verify::Similarity;
use crate::weights::Weighting;

/// Settings of the pipeline. Build with [`Config::builder`]; a built config is valid.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub(crate) shingle: ShingleSpec,
    pub(crate) num_perm: usize,
    pub(crate) threshold: f64,
    pub(crate) lsh_threshold: f64,
    pub(crate) lsh: LshParams,
    pub(crate) weighting: Weighting,
    pub(crate) similarity: Similarity,
    pub(crate) stem: bool,
    pub(crate) max_bucket: usize,
    pub(crate) seed: u64,
    pub(crate) linkage: Linkage,
    pub(crate) window: Option<Window>,
    pub(crate) story_idf: bool,
}

/// Default clustering threshold on the verified score (cosine; average link).
pub const DEFAULT_THRESHOLD: f64 = 0.12;
/// Default signature length.
pub const DEFAULT_NUM_PERM: usize = 128;
/// Default bucket size above which a bucket is sampled rather than expanded.
pub const DEFAULT_MAX_BUCKET: usize = 200;
/// Default time window: two days (see [`Window`]).
pub const DEFAULT_WINDOW: Window = Window(2 * 86_400);

/// How far apart in time two documents can be and still be linked as reports of one story,
/// unless they are near-copies ([`crate::verify::NEAR_COPY`]); it applies where the documents
/// have times (`--time-field`, a gold file's `time`). In seconds.
///
/// Two days: on the OG2021 headlines (`EVALUATION.md`), 95% of the pairs of one story are
/// under 55 hours apart, while most of the wrong pairs average link made were days apart
/// (sibling events: the first athlete to test positive, then the second).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window(pub u64);

impl Window {
    /// The window in seconds.
    pub fn seconds(self) -> u64 {
        self.0
    }
}

/// Units a window is written in, largest first: `2d`, `36h`, `90m`, `45s`.
const WINDOW_UNITS: [(char, u64); 5] =
    [('w', 7 * 86_400), ('d', 86_400), ('h', 3600), ('m', 60), ('s', 1)];

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (unit, size) = WINDOW_UNITS
            .iter()
            .copied()
            .find(|&(_, size)| self.0 > 0 && self.0.is_multiple_of(size))
            .unwrap_or(('s', 1));
        write!(f, "{}{unit}", self.0 / size)
    }
}

impl std::str::FromStr for Window {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let t = s.trim();
        let bad = || format!("{s:?}: expected a number and a unit (s, m, h, d or w): 2d, 36h, 90m");
        let unit = t.chars().last().ok_or_else(bad)?;
        let size =
            WINDOW_UNITS.iter().find(|u| u.0 == unit.to_ascii_lowercase()).ok_or_else(bad)?.1;
        let n: u64 = t[..t.len() - unit.len_utf8()].trim().parse().map_err(|_| bad())?;
        match n.checked_mul(size) {
            Some(0) => Err(format!(
                "{s:?}: a window of no time would part every pair (to turn it off: off)"
            )),
            Some(secs) => Ok(Window(secs)),
            None => Err(bad()),
        }
    }
}

/// A `--window` value: a [`Window`], or `off`.
pub fn parse_window(s: &str) -> std::result::Result<Option<Window>, String> {
    match s.trim() {
        "off" | "none" => Ok(None),
        w => w.parse().map(Some),
    }
}

impl Config {
    /// A builder with the defaults.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Shingle family (possibly `auto`).
    pub fn shingle(&self) -> ShingleSpec {
        self.shingle
    }
    /// Slots per signature.
    pub fn num_perm(&self) -> usize {
        self.num_perm
    }
    /// Clustering threshold on the verified score.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }
    /// Similarity at which LSH should find a pair with probability about one half or more.
    pub fn lsh_threshold(&self) -> f64 {
        self.lsh_threshold
    }
    /// Bands × rows.
    pub fn lsh(&self) -> LshParams {
        self.lsh
    }
    /// Feature weighting.
    pub fn weighting(&self) -> Weighting {
        self.weighting
    }
    /// Verified score used for clustering.
    pub fn similarity(&self) -> Similarity {
        self.similarity
    }
    /// Whether Arabic light stemming is on.
    pub fn stem(&self) -> bool {
        self.stem
    }
    /// Bucket cap.
    pub fn max_bucket(&self) -> usize {
        self.max_bucket
    }
    /// Hash seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// How verified edges become stories.
    pub fn linkage(&self) -> Linkage {
        self.linkage
    }
    /// The time window, or `None` when time does not part documents.
    pub fn window(&self) -> Option<Window> {
        self.window
    }
    /// Whether document frequencies are counted over stories (see
    /// [`ConfigBuilder::story_idf`]).
    pub fn story_idf(&self) -> bool {
        self.story_idf
    }
    /// These settings with frequencies counted over stories, or over documents (see
    /// [`ConfigBuilder::story_idf`]); an error without IDF weighting.
    pub fn with_story_idf(mut self, on: bool) -> Result<Config> {
        check_story_idf(on, self.weighting)?;
        self.story_idf = on;
        Ok(self)
    }
}

impl Config {
    /// Every setting as the command-line flag that sets it and its value, in a fixed order: how
    /// the persistent index stores its settings and names a mismatch. (Not `--story-idf`,
    /// which only a run over a whole collection reads: the index refuses it.)
    pub fn flags(&self) -> Vec<(&'static str, String)> {
        vec![
            ("--threshold", self.threshold.to_string()),
            ("--similarity", self.similarity.to_string()),
            ("--shingle", self.shingle.to_string()),
            ("--num-perm", self.num_perm.to_string()),
            ("--lsh-threshold", self.lsh_threshold.to_string()),
            ("--bands", format!("{}x{}", self.lsh.bands, self.lsh.rows)),
            ("--no-idf", (self.weighting == Weighting::Uniform).to_string()),
            ("--no-stem", (!self.stem).to_string()),
            ("--max-bucket", self.max_bucket.to_string()),
            ("--seed", self.seed.to_string()),
            ("--linkage", self.linkage.to_string()),
            ("--window", self.window.map_or("off".into(), |w| w.to_string())),
        ]
    }

    /// The settings that [`Config::flags`] wrote; a flag missing from `flags` keeps its default.
    pub fn from_flags<'a>(flags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Config> {
        let mut b = Config::builder();
        for (flag, v) in flags {
            let bad = |e: &dyn std::fmt::Display| Error::Config(format!("{flag} {v}: {e}"));
            let num = |v: &str| v.parse::<f64>().map_err(|e| bad(&e));
            let int = |v: &str| v.parse::<u64>().map_err(|e| bad(&e));
            let yes = |v: &str| v.parse::<bool>().map_err(|e| bad(&e));
            b = match flag {
                "--threshold" => b.threshold(num(v)?),
                "--similarity" => b.similarity(v.parse().map_err(|e: String| bad(&e))?),
                "--shingle" => b.shingle(v.parse().map_err(|e: String| bad(&e))?),
                "--num-perm" => b.num_perm(int(v)? as usize),
                "--lsh-threshold" => b.lsh_threshold(Some(num(v)?)),
                "--bands" => {
                    let (x, y) = v.split_once('x').ok_or_else(|| bad(&"expected BxR"))?;
                    b.bands(Some((int(x)? as usize, int(y)? as usize)))
                }
                "--no-idf" => {
                    b.weighting(if yes(v)? { Weighting::Uniform } else { Weighting::Idf })
                }
                "--no-stem" => b.stem(!yes(v)?),
                "--max-bucket" => b.max_bucket(int(v)? as usize),
                "--seed" => b.seed(int(v)?),
                "--linkage" => b.linkage(v.parse().map_err(|e: String| bad(&e))?),
                "--window" => b.window(parse_window(v).map_err(|e| bad(&e))?),
                _ => return Err(Error::Config(format!("unknown setting {flag}"))),
            };
        }
        b.build()
    }
}

impl Default for Config {
    fn default() -> Self {
        ConfigBuilder::default().build().expect("the defaults are valid")
    }
}

/// Frequencies over stories are IDF over stories: refused with uniform weights.
fn check_story_idf(on: bool, weighting: Weighting) -> Result<()> {
    if on && weighting != Weighting::Idf {
        return Err(Error::Config(
            "--story-idf counts document frequencies over stories: it needs IDF weighting \
             (leave out --no-idf)"
                .into(),
        ));
    }
    Ok(())
}

/// Builds a [`Config`]; every setting has a default.
#[derive(Debug, Clone)]
pub struct ConfigBuilder {
    shingle: ShingleSpec,
    num_perm: usize,
    threshold: f64,
    lsh_threshold: Option<f64>,
    bands: Option<(usize, usize)>,
    weighting: Weighting,
    similarity: Similarity,
    stem: bool,
    max_bucket: usize,
    seed: u64,
    linkage: Linkage,
    window: Option<Window>,
    story_idf: bool,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        ConfigBuilder {
            shingle: ShingleSpec::Auto,
            num_perm: DEFAULT_NUM_PERM,
            threshold: DEFAULT_THRESHOLD,
            lsh_threshold: None,
            bands: None,
            weighting: Weighting::Idf,
            similarity: Similarity::Cosine,
            stem: true,
            max_bucket: DEFAULT_MAX_BUCKET,
            seed: 0x5EED_0F4E_D0D0_u64,
            linkage: Linkage::Average,
            window: Some(DEFAULT_WINDOW),
            story_idf: false,
        }
    }
}

impl ConfigBuilder {
    /// Shingle family.
    pub fn shingle(mut self, s: ShingleSpec) -> Self {
        self.shingle = s;
        self
    }
    /// Slots per signature (more: finer estimates, slower).
    pub fn num_perm(mut self, k: usize) -> Self {
        self.num_perm = k;
        self
    }
    /// Clustering threshold on the verified score, in (0, 1].
    pub fn threshold(mut self, t: f64) -> Self {
        self.threshold = t;
        self
    }
    /// Similarity (of the signatures) LSH aims to find; the default is derived from the
    /// clustering threshold `t` and the similarity, so that pairs at the threshold are found:
    /// `0.8·t` for Jaccard, `0.8·t/(2−t)` for cosine (signatures then use squared weights, whose
    /// Jaccard is at least `cos/(2−cos)` for sets of equal norm), `0.3·t` for containment (a
    /// short text inside a long one has a small Jaccard whatever its containment).
    pub fn lsh_threshold(mut self, t: Option<f64>) -> Self {
        self.lsh_threshold = t;
        self
    }
    /// Explicit bands × rows instead of the optimum for the LSH threshold.
    pub fn bands(mut self, b: Option<(usize, usize)>) -> Self {
        self.bands = b;
        self
    }
    /// Feature weighting.
    pub fn weighting(mut self, w: Weighting) -> Self {
        self.weighting = w;
        self
    }
    /// Verified score used for clustering.
    pub fn similarity(mut self, s: Similarity) -> Self {
        self.similarity = s;
        self
    }
    /// Arabic light stemming on or off.
    pub fn stem(mut self, on: bool) -> Self {
        self.stem = on;
        self
    }
    /// Bucket cap (at least 2).
    pub fn max_bucket(mut self, m: usize) -> Self {
        self.max_bucket = m;
        self
    }
    /// Hash seed (signatures from different seeds do not compare).
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }

    /// How verified edges become stories.
    pub fn linkage(mut self, l: Linkage) -> Self {
        self.linkage = l;
        self
    }

    /// Time window (`None`: off).
    pub fn window(mut self, w: Option<Window>) -> Self {
        self.window = w;
        self
    }

    /// Document frequencies counted over stories instead of documents: the collection is
    /// clustered once with document frequencies, then each feature's frequency is the number of
    /// those stories holding it, and the verified pairs are scored again with those weights and
    /// clustered again. The words a story's reports repeat then count once, as the story's,
    /// rather than as common words (see [`crate::weights::DocFreq::over_stories`]). Needs IDF weighting.
    pub fn story_idf(mut self, on: bool) -> Self {
        self.story_idf = on;
        self
    }

    /// Checks the settings and derives the LSH bands.
    pub fn build(self) -> Result<Config> {
        let bad = |msg: String| Err(Error::Config(msg));
        if !(1..=4096).contains(&self.num_perm) {
            return bad(format!("--num-perm {}: must be 1 to 4096", self.num_perm));
        }
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return bad(format!("--threshold {}: must be in (0, 1]", self.threshold));
        }
        let t = self.threshold;
        let lsh_threshold = self.lsh_threshold.unwrap_or(match self.similarity {
            Similarity::Jaccard => 0.8 * t,
            Similarity::Cosine => 0.8 * t / (2.0 - t),
            Similarity::Containment => 0.3 * t,
        });
        if !(lsh_threshold > 0.0 && lsh_threshold <= 1.0) {
            return bad(format!("--lsh-threshold {lsh_threshold}: must be in (0, 1]"));
        }
        check_story_idf(self.story_idf, self.weighting)?;
        if self.max_bucket < 2 {
            return bad(format!("--max-bucket {}: must be at least 2", self.max_bucket));
        }
        let lsh = match self.bands {
            Some((b, r)) => {
                if b == 0 || r == 0 {
                    return bad(format!("--bands {b}x{r}: needs at least one band of one row"));
                }
                if b * r > self.num_perm {
                    return bad(format!(
                        "--bands {b}x{r}: needs bands × rows ≤ --num-perm ({})",
                        self.num_perm
                    ));
                }
                LshParams { bands: b, rows: r }
            }
            // Candidates are verified, so a missed pair costs more than a false one.
            None => LshParams::optimal(lsh_threshold, self.num_perm, 0.1, 0.9),
        };
        Ok(Config {
            shingle: self.shingle,
            num_perm: self.num_perm,
            threshold: self.threshold,
            lsh_threshold,
            lsh,
            weighting: self.weighting,
            similarity: self.similarity,
            stem: self.stem,
            max_bucket: self.max_bucket,
            seed: self.seed,
            linkage: self.linkage,
            window: self.window,
            story_idf: self.story_idf,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_nonsense_with_the_flag_named() {
        let e = Config::builder().threshold(1.5).build().unwrap_err().to_string();
        assert!(e.contains("--threshold"), "{e}");
        let e = Config::builder().num_perm(8).bands(Some((5, 2))).build().unwrap_err().to_string();
        assert!(e.contains("--bands"), "{e}");
    }

    #[test]
    fn flags_round_trip() {
        let c = Config::builder().threshold(0.3).num_perm(64).stem(false).build().unwrap();
        let flags = c.flags();
        let back = Config::from_flags(flags.iter().map(|(f, v)| (*f, v.as_str()))).unwrap();
        assert_eq!(back, c);
        let e = Config::from_flags([("--threshold", "x")]).unwrap_err().to_string();
        assert!(e.contains("--threshold x"), "{e}");
    }

    #[test]
    fn windows_read_and_written_in_units() {
        for (text, secs, shown) in [
            ("2d", 172_800, "2d"),
            ("48h", 172_800, "2d"),
            ("36H", 129_600, "36h"),
            ("90m", 5400, "90m"),
            ("1w", 604_800, "1w"),
            ("7s", 7, "7s"),
        ] {
            let w: Window = text.parse().unwrap();
            assert_eq!((w.seconds(), w.to_string().as_str()), (secs, shown), "{text}");
        }
        assert_eq!(parse_window("off"), Ok(None));
        for bad in ["", "2", "d", "2y", "-1d", "0h"] {
            assert!(bad.parse::<Window>().is_err(), "{bad:?} read");
        }
        let c = Config::builder().window(None).build().unwrap();
        let flags = c.flags();
        let back = Config::from_flags(flags.iter().map(|(f, v)| (*f, v.as_str()))).unwrap();
        assert_eq!(back.window(), None);
        assert_eq!(Config::default().window(), Some(DEFAULT_WINDOW));
    }

    #[test]
    fn defaults_are_valid() {
        let c = Config::default();
        assert!(c.lsh().slots() <= c.num_perm());
    }
}
