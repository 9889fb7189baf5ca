//! Python bindings of xdedup (`import xdedup`): the same library the command line runs, with
//! the GIL released while it works.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use xdedup::embed::Encoder;
use xdedup::index::{Index as Store, Removal};
use xdedup::io::{Record, id_text};
use xdedup::shingle::ShingleSpec;
use xdedup::verify::Similarity;
use xdedup::{Config, Origin, Pipeline};

fn err(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Settings shared by every entry point, as keyword arguments with the CLI's defaults.
#[allow(clippy::too_many_arguments)]
fn pipeline(
    threshold: Option<f64>,
    similarity: Option<&str>,
    shingle: Option<&str>,
    num_perm: Option<usize>,
    idf: bool,
    model: Option<PathBuf>,
    lexicon: Option<PathBuf>,
) -> PyResult<Pipeline> {
    let d = Config::default();
    let sim: Similarity = match similarity {
        Some(s) => s.parse().map_err(err)?,
        None => d.similarity(),
    };
    let shingle: ShingleSpec = match shingle {
        Some(s) => s.parse().map_err(err)?,
        None => d.shingle(),
    };
    let cfg = Config::builder()
        .threshold(threshold.unwrap_or(d.threshold()))
        .similarity(sim)
        .shingle(shingle)
        .num_perm(num_perm.unwrap_or(d.num_perm()))
        .weighting(if idf {
            xdedup::weights::Weighting::Idf
        } else {
            xdedup::weights::Weighting::Uniform
        })
        .build()
        .map_err(err)?;
    let mut p = Pipeline::new(cfg);
    if let Some(l) = lexicon_of(lexicon)? {
        p = p.with_lexicon(l);
    }
    Ok(match model {
        Some(m) => p.with_encoder(Arc::new(Encoder::load(&m).map_err(err)?)),
        None => p,
    })
}

/// `p` with the time window `window` (`"2d"`, `"36h"`, `"off"`), when one is given.
fn with_window(p: Pipeline, window: Option<&str>) -> PyResult<Pipeline> {
    let Some(w) = window else { return Ok(p) };
    let mut flags = p.config().flags();
    for f in flags.iter_mut().filter(|f| f.0 == "--window") {
        f.1 = w.to_owned();
    }
    let cfg = Config::from_flags(flags.iter().map(|(f, v)| (*f, v.as_str()))).map_err(err)?;
    Ok(p.with_config(cfg))
}

/// Each document's time in seconds since 1970, where it has one that reads.
fn seconds(times: &[Option<String>]) -> Vec<Option<i64>> {
    times.iter().map(|t| xdedup::io::time::seconds(t.as_deref()?)).collect()
}

/// The lexicon at `path`, loaded.
fn lexicon_of(path: Option<PathBuf>) -> PyResult<Option<Arc<xdedup::pivot::Lexicon>>> {
    path.map(|l| xdedup::pivot::Lexicon::load(&l).map(Arc::new)).transpose().map_err(err)
}

/// Documents read in one pass (a generator can be read only once).
struct Documents {
    texts: Vec<String>,
    ids: Vec<serde_json::Value>,
    /// A dict's `time`, when it is a str.
    times: Vec<Option<String>>,
}

/// Texts, ids and times from an iterable of strings or of dicts with a `text` key (and `id`,
/// `time`).
fn documents(items: &Bound<'_, PyAny>) -> PyResult<Documents> {
    let mut texts = Vec::new();
    let mut ids = Vec::new();
    let mut times = Vec::new();
    for (i, item) in items.try_iter()?.enumerate() {
        let item = item?;
        if let Ok(s) = item.extract::<String>() {
            texts.push(s);
            ids.push(serde_json::Value::from(i));
            times.push(None);
        } else if let Ok(d) = item.cast::<PyDict>() {
            let text = d
                .get_item("text")?
                .ok_or_else(|| {
                    PyValueError::new_err(format!("item {i}: a dict needs a 'text' key"))
                })?
                .extract::<String>()
                .map_err(|_| PyTypeError::new_err(format!("item {i}: 'text' must be a str")))?;
            let id = match d.get_item("id")? {
                None => serde_json::Value::from(i),
                Some(v) => id_from_py(&v)?,
            };
            texts.push(text);
            ids.push(id);
            times.push(d.get_item("time")?.and_then(|t| t.extract::<String>().ok()));
        } else {
            return Err(PyTypeError::new_err(format!(
                "item {i}: expected a str or a dict with 'text'"
            )));
        }
    }
    Ok(Documents { texts, ids, times })
}

/// A document id given from Python: an int as a number, anything else as its `str`.
fn id_from_py(v: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    Ok(match v.extract::<i64>() {
        Ok(n) => serde_json::Value::from(n),
        Err(_) => serde_json::Value::from(v.str()?.to_string()),
    })
}

fn id_to_py(py: Python<'_>, id: &serde_json::Value) -> PyResult<Py<PyAny>> {
    Ok(match id {
        serde_json::Value::Number(n) if n.is_i64() => {
            n.as_i64().unwrap().into_pyobject(py)?.into_any().unbind()
        }
        v => id_text(v).into_pyobject(py)?.into_any().unbind(),
    })
}

/// Similarity of two texts, as `xdedup similar` computes it.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (a, b, *, threshold=0.4, similarity=None, shingle=None, model=None, lexicon=None))]
fn similarity(
    py: Python<'_>,
    a: String,
    b: String,
    threshold: f64,
    similarity: Option<&str>,
    shingle: Option<&str>,
    model: Option<PathBuf>,
    lexicon: Option<PathBuf>,
) -> PyResult<Py<PyDict>> {
    let p = pipeline(Some(threshold), similarity, shingle, None, true, model, lexicon)?;
    let c = py.detach(|| p.compare(&a, &b));
    // As the command line: a score of 0 would hide an empty or punctuation-only text.
    if let Some(i) = c.featureless() {
        let which = ["a", "b"][i];
        return Err(PyValueError::new_err(format!("{which}: {}", xdedup::batch::NO_FEATURES)));
    }
    let d = PyDict::new(py);
    d.set_item("score", c.score)?;
    d.set_item("similar", c.score >= threshold)?;
    d.set_item("cosine", c.scores.cosine)?;
    d.set_item("jaccard", c.scores.jaccard)?;
    d.set_item("containment", c.scores.containment)?;
    d.set_item("estimate", c.estimate)?;
    d.set_item("shared", c.shared)?;
    if let Some(s) = c.semantic {
        d.set_item("semantic", s.score)?;
        d.set_item("lexical", s.lexical)?;
    }
    if let Some(p) = c.pivot {
        d.set_item("pivot", p.score)?;
        let shared: Vec<(String, String)> = p
            .shared
            .into_iter()
            .map(|(kind, pivot, ..)| (format!("{kind:?}").to_lowercase(), pivot))
            .collect();
        d.set_item("pivot_shared", shared)?;
    }
    Ok(d.unbind())
}

/// Clusters collections into stories (`xdedup cluster` as a class).
#[pyclass]
struct Deduper {
    pipeline: Pipeline,
}

#[pymethods]
impl Deduper {
    #[new]
    #[pyo3(signature = (*, threshold=None, similarity=None, shingle=None, num_perm=None, idf=true, model=None, lexicon=None, window=None, story_idf=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        threshold: Option<f64>,
        similarity: Option<&str>,
        shingle: Option<&str>,
        num_perm: Option<usize>,
        idf: bool,
        model: Option<PathBuf>,
        lexicon: Option<PathBuf>,
        window: Option<&str>,
        story_idf: bool,
    ) -> PyResult<Self> {
        let p = pipeline(threshold, similarity, shingle, num_perm, idf, model, lexicon)?;
        let p = with_window(p, window)?;
        let cfg = p.config().clone().with_story_idf(story_idf).map_err(err)?;
        Ok(Deduper { pipeline: p.with_config(cfg) })
    }

    /// Story of each document: the id of the story's first document (for plain strings, its
    /// position), in input order.
    fn fit(&self, py: Python<'_>, documents: &Bound<'_, PyAny>) -> PyResult<Py<PyList>> {
        let Documents { texts, ids, times } = self::documents(documents)?;
        let times = seconds(&times);
        let result = py.detach(|| self.pipeline.run_with(&texts, None, Some(&times)));
        let mut first: Vec<Option<usize>> = vec![None; result.stats.stories];
        for (d, &s) in result.story.iter().enumerate() {
            first[s as usize].get_or_insert(d);
        }
        let out = PyList::empty(py);
        for &s in &result.story {
            out.append(id_to_py(py, &ids[first[s as usize].unwrap()])?)?;
        }
        Ok(out.unbind())
    }

    /// Every verified pair scoring at least `min_score` (default: the threshold), as
    /// `(id_a, id_b, score)`; identical texts (after normalization) score 1.0. A copy is paired
    /// with its group's first document, and a pair between two groups names their first
    /// documents; with `every_copy=True`, every pair among and between copies is listed.
    #[pyo3(signature = (documents, min_score=None, every_copy=false))]
    fn pairs(
        &self,
        py: Python<'_>,
        documents: &Bound<'_, PyAny>,
        min_score: Option<f64>,
        every_copy: bool,
    ) -> PyResult<Py<PyList>> {
        let Documents { texts, ids, times } = self::documents(documents)?;
        let times = seconds(&times);
        let min = min_score.unwrap_or(self.pipeline.config().threshold());
        if !(0.0..=1.0).contains(&min) {
            return Err(err(format!("min_score {min}: must be in [0, 1], as scores are")));
        }
        let result = py.detach(|| self.pipeline.run_with(&texts, None, Some(&times)));
        let out = PyList::empty(py);
        for (a, b, score) in result.pairs(min, every_copy) {
            out.append((
                id_to_py(py, &ids[a as usize])?,
                id_to_py(py, &ids[b as usize])?,
                score as f64,
            ))?;
        }
        Ok(out.unbind())
    }
}

/// The persistent story index (`xdedup index`).
#[pyclass(unsendable)]
struct Index {
    /// `None` only after a `compact` that failed between closing the index and opening it
    /// again.
    store: Option<Store>,
}

impl Index {
    fn store(&self) -> PyResult<&Store> {
        self.store.as_ref().ok_or_else(closed)
    }
}

fn closed() -> PyErr {
    PyRuntimeError::new_err("the index was closed by a failed compact(): open it again")
}

#[pymethods]
impl Index {
    /// Creates an index in `path` (a new or empty directory).
    #[staticmethod]
    #[pyo3(signature = (path, *, threshold=None, similarity=None, shingle=None, num_perm=None, model=None, lexicon=None, window=None))]
    #[allow(clippy::too_many_arguments)]
    fn create(
        path: PathBuf,
        threshold: Option<f64>,
        similarity: Option<&str>,
        shingle: Option<&str>,
        num_perm: Option<usize>,
        model: Option<PathBuf>,
        lexicon: Option<PathBuf>,
        window: Option<&str>,
    ) -> PyResult<Self> {
        let lex = lexicon_of(lexicon)?;
        let p = pipeline(threshold, similarity, shingle, num_perm, true, model, None)?;
        let p = with_window(p, window)?;
        let enc = p.encoder().is_some().then(|| p.clone());
        let store =
            Store::create_with(&path, p.config(), enc.and_then(encoder_of), lex).map_err(err)?;
        Ok(Index { store: Some(store) })
    }

    /// Opens the index in `path` for adding and querying (`model`, `lexicon`: for an index created
    /// with them).
    #[staticmethod]
    #[pyo3(signature = (path, *, model=None, lexicon=None))]
    fn open(path: PathBuf, model: Option<PathBuf>, lexicon: Option<PathBuf>) -> PyResult<Self> {
        let enc = model.map(|m| Encoder::load(&m).map(Arc::new)).transpose().map_err(err)?;
        let lex = lexicon_of(lexicon)?;
        let store = Store::open_writer(&path)
            .and_then(|s| s.with_encoder(enc))
            .and_then(|s| s.with_lexicon(lex))
            .map_err(err)?;
        Ok(Index { store: Some(store) })
    }

    /// Adds documents (strings, or dicts with `text` and optionally `id` and `time`) in one
    /// transaction; returns one dict per document: `id`, `cluster`, `new_story`, `fresh` (it
    /// starts a story no document stored before is in, and is its first: what `xdedup index
    /// add --new` writes), `status`
    /// (`added`, `skipped` for a known id, `rejected` for a text without letters or digits),
    /// and `changed` (a skipped id whose text is not the stored one, which is kept).
    fn add(&self, py: Python<'_>, documents: &Bound<'_, PyAny>) -> PyResult<Py<PyList>> {
        let Documents { texts, ids, times } = self::documents(documents)?;
        let origin = |line: usize| Origin { file: "python".into(), line: line as u64 + 1 };
        let store = self.store()?;
        // A document's id, its assignment (none when rejected), whether its text changed.
        type Row = (serde_json::Value, Option<xdedup::index::Assignment>, bool);
        let rows = py.detach(|| -> xdedup::Result<Vec<Row>> {
            let (shingle, features, pivots) = store.batch_features(&texts)?;
            let mut records = Vec::new();
            let mut kept = Vec::new();
            let mut keep_features = Vec::new();
            let mut keep_pivots = pivots.as_ref().map(|_| Vec::new());
            let mut pivots = pivots.map(|p| p.into_iter());
            for (i, f) in features.into_iter().enumerate() {
                let p = pivots.as_mut().and_then(|p| p.next());
                if f.is_empty() {
                    continue;
                }
                kept.push(i);
                keep_features.push(f);
                if let (Some(k), Some(p)) = (keep_pivots.as_mut(), p) {
                    k.push(p);
                }
                records.push(Record {
                    id: ids[i].clone(),
                    text: texts[i].clone(),
                    time: times[i].as_deref().map(Into::into),
                    lang: None,
                    origin: origin(i),
                    truncated: false,
                    lacks: [false; 3],
                    null_text: false,
                    raw: None,
                    features: None,
                });
            }
            let report = if records.is_empty() {
                Default::default()
            } else {
                store.add_with_pivots(&records, keep_features, keep_pivots, shingle)?
            };
            let mut out: Vec<Row> = ids.iter().map(|id| (id.clone(), None, false)).collect();
            for &c in &report.changed {
                out[kept[c]].2 = true;
            }
            for (k, a) in kept.into_iter().zip(report.assignments) {
                out[k].1 = Some(a);
            }
            Ok(out)
        });
        let rows = rows.map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let out = PyList::empty(py);
        for (id, a, changed) in rows {
            let d = PyDict::new(py);
            d.set_item("id", id_to_py(py, &id)?)?;
            match a {
                Some(a) => {
                    d.set_item("cluster", a.cluster)?;
                    d.set_item("new_story", a.new_story)?;
                    d.set_item("fresh", a.fresh)?;
                    d.set_item("status", if a.skipped { "skipped" } else { "added" })?;
                    d.set_item("changed", changed)?;
                }
                None => {
                    d.set_item("cluster", py.None())?;
                    d.set_item("status", "rejected")?;
                }
            }
            out.append(d)?;
        }
        Ok(out.unbind())
    }

    /// The `top` stories most similar to `text`: dicts with `cluster`, `size`, `score`,
    /// `similar`, best first. With `time`, under the index's time window.
    #[pyo3(signature = (text, top=5, time=None))]
    fn query(
        &self,
        py: Python<'_>,
        text: String,
        top: usize,
        time: Option<String>,
    ) -> PyResult<Py<PyList>> {
        let store = self.store()?;
        let at = match &time {
            None => None,
            Some(t) => Some(xdedup::io::time::seconds(t).ok_or_else(|| {
                PyValueError::new_err(format!("time {t:?}: not a date or time xdedup reads"))
            })?),
        };
        let hits = py.detach(|| store.query_at(&text, top, at)).map_err(|e| match e {
            xdedup::Error::Featureless => PyValueError::new_err(format!("text: {e}")),
            e => PyRuntimeError::new_err(e.to_string()),
        })?;
        let out = PyList::empty(py);
        for h in hits {
            let d = PyDict::new(py);
            d.set_item("cluster", h.cluster)?;
            d.set_item("size", h.size)?;
            d.set_item("score", h.score)?;
            d.set_item("similar", h.similar)?;
            out.append(d)?;
        }
        Ok(out.unbind())
    }

    /// Takes documents out: those with these ids (one id, or an iterable of them), or those
    /// whose time is before `older_than` (times compared as moments: dates, ISO 8601 and RFC 2822
    /// times, seconds since 1970). Returns `{"removed": n, "unknown": [...], "unread_times": k,
    /// "untimed": u}`: the ids given that the index does not hold, and how many documents stayed
    /// because their time is in no form that is read, or because they were added without one.
    #[pyo3(signature = (ids=None, *, older_than=None))]
    fn remove(
        &self,
        py: Python<'_>,
        ids: Option<&Bound<'_, PyAny>>,
        older_than: Option<String>,
    ) -> PyResult<Py<PyDict>> {
        let which = match (ids, older_than) {
            (Some(ids), None) => {
                let one =
                    ids.is_instance_of::<pyo3::types::PyString>() || ids.extract::<i64>().is_ok();
                let texts = if one {
                    vec![id_text(&id_from_py(ids)?)]
                } else {
                    ids.try_iter()?
                        .map(|v| Ok(id_text(&id_from_py(&v?)?)))
                        .collect::<PyResult<Vec<String>>>()?
                };
                Removal::Ids(texts)
            }
            (None, Some(t)) => Removal::OlderThan(t),
            _ => return Err(PyValueError::new_err("give either ids or older_than")),
        };
        let store = self.store()?;
        let removed = py.detach(|| store.remove(&which)).map_err(|e| match e {
            xdedup::Error::Config(_) => err(e),
            e => PyRuntimeError::new_err(e.to_string()),
        })?;
        let d = PyDict::new(py);
        d.set_item("removed", removed.documents)?;
        d.set_item("unknown", removed.unknown)?;
        d.set_item("unread_times", removed.unread_times)?;
        d.set_item("untimed", removed.untimed)?;
        Ok(d.unbind())
    }

    /// Every stored document with its story, in the order they were added: dicts with `id`
    /// and `cluster` (as `xdedup index export` prints them).
    fn export(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let mut rows = Vec::new();
        self.store()?
            .documents(|id, cluster| {
                rows.push((id, cluster.to_owned()));
                Ok(())
            })
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let out = PyList::empty(py);
        for (id, cluster) in rows {
            let d = PyDict::new(py);
            d.set_item("id", id_to_py(py, &id)?)?;
            d.set_item("cluster", cluster)?;
            out.append(d)?;
        }
        Ok(out.unbind())
    }

    /// Rewrites the index without the space removals left (as `xdedup index compact`); the
    /// index stays open. Returns `{"before": bytes, "after": bytes}`, the file's sizes.
    fn compact(&mut self, py: Python<'_>) -> PyResult<Py<PyDict>> {
        let store = self.store.take().ok_or_else(closed)?;
        let (store, before, after) = py
            .detach(|| store.compact_reopened())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        self.store = Some(store);
        let d = PyDict::new(py);
        d.set_item("before", before)?;
        d.set_item("after", after)?;
        Ok(d.unbind())
    }

    /// Starts a night's adds that may be cut short (`inputs`: what names the night, as the
    /// command line names it by its input files): until `end_run`, each `add` keeps which of
    /// its documents were fresh, so that the same night begun again after a failure marks the
    /// documents it skips as fresh where the first attempt found them so. Returns `{"state":
    /// "new"}`, `{"state": "resumed", "fresh": N}`, or `{"state": "abandoned", "inputs": [...]}`
    /// (an unfinished night of other inputs, left as it is).
    fn begin_run(&mut self, py: Python<'_>, inputs: Vec<String>) -> PyResult<Py<PyDict>> {
        use xdedup::index::RunStart;
        let store = self.store.as_mut().ok_or_else(closed)?;
        let start = store.begin_run(&inputs).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let d = PyDict::new(py);
        match start {
            RunStart::New => d.set_item("state", "new")?,
            RunStart::Resumed { fresh } => {
                d.set_item("state", "resumed")?;
                d.set_item("fresh", fresh)?;
            }
            RunStart::Abandoned { inputs } => {
                d.set_item("state", "abandoned")?;
                d.set_item("inputs", inputs)?;
            }
        }
        Ok(d.unbind())
    }

    /// Ends the night `begin_run` started: it finished, and is not resumed.
    fn end_run(&mut self) -> PyResult<()> {
        let store = self.store.as_mut().ok_or_else(closed)?;
        store.end_run().map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// As `xdedup index stats --json`.
    fn stats(&self, py: Python<'_>) -> PyResult<Py<PyDict>> {
        let s = self.store()?.stats().map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let d = PyDict::new(py);
        d.set_item("documents", s.documents)?;
        d.set_item("stories", s.stories)?;
        d.set_item("batches", s.batches)?;
        d.set_item("format", s.format)?;
        d.set_item("size_on_disk", s.size_on_disk)?;
        d.set_item("shingle", s.shingle)?;
        let settings = PyDict::new(py);
        for (flag, value) in s.settings {
            settings.set_item(flag, value)?;
        }
        d.set_item("settings", settings)?;
        d.set_item("model", s.model)?;
        d.set_item("lexicon", s.lexicon)?;
        d.set_item("unfinished_add", s.unfinished_add)?;
        Ok(d.unbind())
    }
}

fn encoder_of(p: Pipeline) -> Option<Arc<Encoder>> {
    p.encoder_arc()
}

#[pymodule]
fn _xdedup(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(similarity, m)?)?;
    m.add_class::<Deduper>()?;
    m.add_class::<Index>()?;
    Ok(())
}
