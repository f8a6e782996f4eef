//! The watch over running queries.
//!
//! A query is evaluated on its connection's thread, which cannot look at a
//! clock or at the socket meanwhile. One tokio timer, on a thread of its
//! own, looks at every running query each [`TICK`]:
//!
//! - past its deadline, the query's cancellation token fires;
//! - when its client has gone away (the connection is closed on the client
//!   side), the token fires too;
//! - a query whose answer others wait for (its [`Flight`]) goes on while
//!   they do: its deadline is the latest of theirs, and its client going
//!   away does not stop it;
//! - [`STUCK`] after the deadline, a streamed answer still registered is
//!   one whose client stopped reading (its evaluation stops at the token,
//!   but only when the connection asks for the next chunk): its connection
//!   is shut down, which ends the answer and gives its slot back.
//!
//! Registering a query takes a lock and wakes nobody.

use super::{Flight, Peer};
use oxigraph::sparql::CancellationToken;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

/// How often the running queries are looked at.
pub(super) const TICK: Duration = Duration::from_millis(20);
/// How long after its deadline a query's connection is shut down.
pub(super) const STUCK: Duration = Duration::from_secs(1);

/// The running queries, and the thread that watches them.
pub(super) struct Watch {
    running: Arc<Mutex<Running>>,
}

#[derive(Default)]
struct Running {
    next: u64,
    queries: HashMap<u64, Entry>,
}

struct Entry {
    deadline: Instant,
    token: CancellationToken,
    peer: Option<Arc<dyn Peer>>,
    /// Others waiting for this answer.
    flight: Option<Arc<Flight>>,
    /// The response has started: the evaluation goes on as the client reads.
    streaming: bool,
    shut: bool,
}

/// A query under watch; dropped when its evaluation is over.
pub(super) struct Watched {
    id: u64,
    running: Arc<Mutex<Running>>,
}

impl Watch {
    /// Starts the watching thread, which ends with the last handle on the
    /// watch.
    pub(super) fn start() -> std::io::Result<Self> {
        let running = Arc::new(Mutex::new(Running::default()));
        let watched = Arc::downgrade(&running);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()?;
        std::thread::Builder::new()
            .name("bibia-veille".into())
            .spawn(move || runtime.block_on(watch(watched)))?;
        Ok(Self { running })
    }

    /// Watches a query until the returned handle is dropped.
    pub(super) fn watch(
        &self,
        deadline: Instant,
        token: CancellationToken,
        peer: Option<Arc<dyn Peer>>,
        flight: Option<Arc<Flight>>,
    ) -> Watched {
        let mut running = lock(&self.running);
        let id = running.next;
        running.next += 1;
        running.queries.insert(
            id,
            Entry {
                deadline,
                token,
                peer,
                flight,
                streaming: false,
                shut: false,
            },
        );
        Watched {
            id,
            running: self.running.clone(),
        }
    }
}

impl Watched {
    /// Tells the watch that the answer now streams.
    pub(super) fn streaming(&self) {
        if let Some(entry) = lock(&self.running).queries.get_mut(&self.id) {
            entry.streaming = true;
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        lock(&self.running).queries.remove(&self.id);
    }
}

fn lock(running: &Mutex<Running>) -> std::sync::MutexGuard<'_, Running> {
    running.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn watch(running: Weak<Mutex<Running>>) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(running) = running.upgrade() else {
            return;
        };
        let now = Instant::now();
        for entry in lock(&running).queries.values_mut() {
            let deadline = entry
                .flight
                .as_ref()
                .map_or(entry.deadline, |f| f.deadline().max(entry.deadline));
            let awaited = entry.flight.as_ref().is_some_and(|f| f.awaited());
            let gone = entry.peer.as_ref().is_some_and(|p| p.is_gone());
            if now >= deadline || (gone && !awaited) {
                entry.token.cancel();
            }
            if entry.streaming && !entry.shut && now >= deadline + STUCK {
                entry.shut = true;
                if let Some(peer) = &entry.peer {
                    peer.cut();
                }
            }
        }
    }
}
