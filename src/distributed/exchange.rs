//! The collective steps of the distributed job, each one small timely dataflow: records in, an
//! exchange pact that routes each to the worker owning its key, records out at that worker.
//!
//! The job runs as a sequence of local stages (plain Rust on the records a worker holds) joined
//! by these exchanges, so that every stage of the single-machine pipeline can be reused as it is
//! and the data that crosses the network is exactly what a stage needs elsewhere.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use timely::ExchangeData;
use timely::dataflow::InputHandle;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Input;
use timely::dataflow::operators::generic::operator::Operator;
use timely::worker::Worker;

/// What one stage of a worker cost: seconds, and records and bytes it sent to other workers.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StageCost {
    /// The stage.
    pub name: String,
    /// Seconds the worker spent in it (local work and exchanges).
    pub seconds: f64,
    /// Records sent to other workers.
    pub records: u64,
    /// Their size serialized (what crosses the network between processes).
    pub bytes: u64,
}

thread_local! {
    /// This worker's stage costs when measured ([`measure`]), the current stage last.
    static COSTS: RefCell<Option<(Vec<StageCost>, Instant)>> = const { RefCell::new(None) };
}

/// Starts measuring this worker's stages (see [`stage`] and [`costs`]).
pub fn measure() {
    COSTS.with(|c| *c.borrow_mut() = Some((Vec::new(), Instant::now())));
}

/// Ends the current stage and starts `name`; nothing unless measuring.
pub fn stage(name: &str) {
    COSTS.with(|c| {
        if let Some((costs, started)) = c.borrow_mut().as_mut() {
            if let Some(last) = costs.last_mut() {
                last.seconds = started.elapsed().as_secs_f64();
            }
            *started = Instant::now();
            costs.push(StageCost { name: name.to_owned(), ..Default::default() });
        }
    });
}

/// The measured stages, the current one ended (empty unless measuring).
pub fn costs() -> Vec<StageCost> {
    stage("");
    COSTS.with(|c| {
        c.borrow_mut()
            .take()
            .map(|(mut v, _)| {
                v.retain(|s| !s.name.is_empty());
                v
            })
            .unwrap_or_default()
    })
}

fn count_sent<T: serde::Serialize>(items: &[T], route: &impl Fn(&T) -> u64, me: u64, peers: u64) {
    COSTS.with(|c| {
        if let Some((costs, _)) = c.borrow_mut().as_mut()
            && let Some(last) = costs.last_mut()
        {
            for x in items.iter().filter(|x| route(x) % peers != me) {
                last.records += 1;
                last.bytes += bincode::serialized_size(x).unwrap_or(0);
            }
        }
    });
}

/// Sends each of `items` to worker `route(item) mod peers` and returns what this worker
/// received, in an order that depends on arrival (callers sort what they need sorted).
///
/// Every worker must call it, in the same sequence of collective steps.
pub fn exchange<T>(w: &mut Worker, items: Vec<T>, route: impl Fn(&T) -> u64 + 'static) -> Vec<T>
where
    T: ExchangeData + Clone,
{
    count_sent(&items, &route, w.index() as u64, w.peers() as u64);
    let got: Rc<RefCell<Vec<T>>> = Rc::default();
    let sink = Rc::clone(&got);
    let mut input: InputHandle<u32, _> = InputHandle::new();
    let id = w.next_dataflow_index();
    w.dataflow::<u32, _, _>(|scope| {
        scope.input_from(&mut input).sink(
            Exchange::new(move |x: &T| route(x)),
            "Collect",
            move |(handle, _frontier)| {
                handle.for_each(|_, data: &mut Vec<T>| sink.borrow_mut().append(data));
            },
        );
    });
    for x in items {
        input.send(x);
    }
    input.close();
    while w.installed_dataflows().contains(&id) {
        w.step();
    }
    got.take()
}

/// Every worker's `item`, in worker order, at every worker.
pub fn all_gather<T>(w: &mut Worker, item: T) -> Vec<T>
where
    T: ExchangeData + Clone,
{
    let (me, peers) = (w.index() as u64, w.peers() as u64);
    let copies = (0..peers).map(|to| (to, me, item.clone())).collect();
    let mut got = exchange(w, copies, |x: &(u64, u64, T)| x.0);
    got.sort_by_key(|x| x.1);
    got.into_iter().map(|x| x.2).collect()
}

/// Sends `items` to worker 0, which gets them all (the others get nothing back).
pub fn gather_at_first<T>(w: &mut Worker, items: Vec<T>) -> Vec<T>
where
    T: ExchangeData + Clone,
{
    exchange(w, items, |_| 0)
}

/// The same error at every worker when any worker has one: the one with the smallest key (the
/// first in input order for record errors), so that every process stops with one message
/// instead of waiting for a peer that gave up.
pub fn agree(w: &mut Worker, error: Option<(u64, String)>) -> Result<(), String> {
    let first = all_gather(w, error).into_iter().flatten().min_by_key(|e| e.0);
    match first {
        Some((_, message)) => Err(message),
        None => Ok(()),
    }
}

/// The worker that owns `key` (a hashed key, spread evenly).
pub fn owner(key: u64, peers: usize) -> u64 {
    xxhash_rust::xxh3::xxh3_64(&key.to_le_bytes()) % peers as u64
}
