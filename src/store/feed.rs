//! The change feed read replicas follow (`serve --replica-of`): what changed
//! in the public projection since a replica's position.
//!
//! Each run that reaches the projection gets a sequence number (the count
//! of runs, as the projection's marker) and the graphs it replaced. The
//! last [`KEPT`] runs are kept in memory: a replica a few writes behind
//! gets those graphs' current public content; one further behind, one that
//! follows another process (its position names another epoch), or one
//! behind a run that replaced everything (a reindex, a bulk load of many
//! records) gets the whole projection. Both answers are read from the
//! projection after the position is taken, so they may hold more than the
//! position says, never less: applying a later answer again converges.
//!
//! Only public graphs travel: the feed reads the projection, never the
//! full store.

use super::PublicStore;
use oxigraph::model::{GraphName, Quad};
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// A number drawn when the stores open, which a replica's position names:
/// a position from another process cannot be trusted to match this log.
pub(crate) fn epoch() -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        return nanos as u64 ^ u64::from(std::process::id());
    }
    u64::from_le_bytes(bytes)
}

/// How many runs the feed remembers.
const KEPT: usize = 10_000;

/// Past this many graphs, a run is remembered as having changed everything.
const MANY_GRAPHS: usize = 2_000;

/// Where a replica stands: the primary process it followed (`epoch`, drawn
/// at random when the stores open) and the last run it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The primary process.
    pub epoch: u64,
    /// The runs projected, counted since the store was made.
    pub sequence: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}.{}", self.epoch, self.sequence)
    }
}

impl std::str::FromStr for Position {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("position de réplication illisible : « {s} » (attendu EPOQUE.NUMERO)");
        let (epoch, sequence) = s.split_once('.').ok_or_else(bad)?;
        Ok(Self {
            epoch: u64::from_str_radix(epoch, 16).map_err(|_| bad())?,
            sequence: sequence.parse().map_err(|_| bad())?,
        })
    }
}

/// What one run changed in the projection.
#[derive(Debug, Clone)]
pub(crate) enum Changed {
    /// These graphs (replaced, created or emptied).
    Graphs(Vec<GraphName>),
    /// Too much to list: a replica behind it copies everything.
    Everything,
}

impl Changed {
    /// The graphs of `replaced` and of `quads`, or everything past
    /// [`MANY_GRAPHS`].
    pub(crate) fn of<'a>(
        replaced: impl IntoIterator<Item = GraphName>,
        quads: impl IntoIterator<Item = &'a Quad>,
    ) -> Self {
        let mut graphs = Distinct::default();
        for g in replaced {
            graphs.add(&g);
        }
        for q in quads {
            if graphs.0.len() > MANY_GRAPHS {
                return Self::Everything;
            }
            graphs.add(&q.graph_name);
        }
        if graphs.0.len() > MANY_GRAPHS {
            Self::Everything
        } else {
            Self::Graphs(graphs.0)
        }
    }
}

/// Graph names in the order first met, each once.
#[derive(Default)]
struct Distinct(Vec<GraphName>, HashSet<GraphName>);

impl Distinct {
    fn add(&mut self, g: &GraphName) {
        if self.1.insert(g.clone()) {
            self.0.push(g.clone());
        }
    }
}

/// The runs remembered, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Log {
    runs: VecDeque<(u64, Changed)>,
    /// The last run projected.
    projected: u64,
}

impl Log {
    pub(crate) fn starting_at(projected: u64) -> Self {
        Self {
            runs: VecDeque::new(),
            projected,
        }
    }

    /// Says that run `sequence`'s changes are in the projection.
    pub(crate) fn push(&mut self, sequence: u64, changed: Changed) {
        if self.runs.len() == KEPT {
            self.runs.pop_front();
        }
        self.runs.push_back((sequence, changed));
        self.projected = self.projected.max(sequence);
    }
}

/// What a replica at some position needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Nothing: it is at `.0`.
    UpToDate(Position),
    /// The current content of these graphs takes it to `position`.
    Graphs {
        /// Where it will then be.
        position: Position,
        /// The graphs to replace (an empty one is removed).
        graphs: Vec<GraphName>,
    },
    /// The whole projection takes it to `.0`.
    Everything(Position),
}

/// The feed of a primary: its epoch, its log and its projection.
#[derive(Clone)]
pub struct Feed {
    pub(crate) epoch: u64,
    pub(crate) log: Arc<Mutex<Log>>,
    pub(crate) public: PublicStore,
}

impl Feed {
    /// Where the projection stands now.
    pub fn position(&self) -> Position {
        Position {
            epoch: self.epoch,
            sequence: self.lock().projected,
        }
    }

    /// What a replica at `from` (none: a new one) needs to catch up.
    pub fn since(&self, from: Option<Position>) -> Since {
        let log = self.lock();
        let now = Position {
            epoch: self.epoch,
            sequence: log.projected,
        };
        let Some(from) = from.filter(|p| p.epoch == self.epoch && p.sequence <= now.sequence)
        else {
            return Since::Everything(now);
        };
        if from.sequence == now.sequence {
            return Since::UpToDate(now);
        }
        let mut graphs = Distinct::default();
        let mut expected = from.sequence + 1;
        for (sequence, changed) in &log.runs {
            if *sequence <= from.sequence {
                continue;
            }
            // A run the log does not hold (forgotten, or projected by a
            // path that did not say what it changed).
            if *sequence != expected {
                return Since::Everything(now);
            }
            expected += 1;
            match changed {
                Changed::Graphs(g) => g.iter().for_each(|g| graphs.add(g)),
                Changed::Everything => return Since::Everything(now),
            }
        }
        if expected != now.sequence + 1 {
            return Since::Everything(now);
        }
        Since::Graphs {
            position: now,
            graphs: graphs.0,
        }
    }

    /// The projection the answers are read from.
    pub fn public(&self) -> &PublicStore {
        &self.public
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    fn graph(name: &str) -> GraphName {
        NamedNode::new_unchecked(format!("https://example.org/id/{name}")).into()
    }

    fn feed(log: Log) -> Feed {
        Feed {
            epoch: 7,
            log: Arc::new(Mutex::new(log)),
            public: PublicStore::in_memory(),
        }
    }

    fn at(sequence: u64) -> Option<Position> {
        Some(Position { epoch: 7, sequence })
    }

    #[test]
    fn a_replica_a_few_runs_behind_gets_the_graphs_they_changed() {
        let mut log = Log::starting_at(3);
        log.push(4, Changed::Graphs(vec![graph("a")]));
        log.push(5, Changed::Graphs(vec![graph("b"), graph("a")]));
        let feed = feed(log);
        assert_eq!(feed.since(at(5)), Since::UpToDate(at(5).unwrap()));
        assert_eq!(
            feed.since(at(3)),
            Since::Graphs {
                position: at(5).unwrap(),
                graphs: vec![graph("a"), graph("b")]
            }
        );
        assert_eq!(
            feed.since(at(4)),
            Since::Graphs {
                position: at(5).unwrap(),
                graphs: vec![graph("b"), graph("a")]
            }
        );
    }

    #[test]
    fn anything_the_log_cannot_vouch_for_gets_everything() {
        let mut log = Log::starting_at(3);
        log.push(4, Changed::Graphs(vec![graph("a")]));
        log.push(5, Changed::Everything);
        log.push(6, Changed::Graphs(vec![graph("b")]));
        let feed = feed(log);
        let now = at(6).unwrap();
        // Before the log starts, behind a run that changed everything,
        // another process, a position ahead of the primary, a new replica.
        assert_eq!(feed.since(at(2)), Since::Everything(now));
        assert_eq!(feed.since(at(4)), Since::Everything(now));
        assert_eq!(
            feed.since(Some(Position {
                epoch: 8,
                sequence: 6
            })),
            Since::Everything(now)
        );
        assert_eq!(feed.since(at(9)), Since::Everything(now));
        assert_eq!(feed.since(None), Since::Everything(now));
        assert_eq!(
            feed.since(at(5)),
            Since::Graphs {
                position: now,
                graphs: vec![graph("b")]
            }
        );
    }

    #[test]
    fn a_run_with_many_graphs_is_remembered_as_everything() {
        let quads: Vec<Quad> = (0..=MANY_GRAPHS)
            .map(|i| {
                Quad::new(
                    NamedNode::new_unchecked("https://example.org/s"),
                    NamedNode::new_unchecked("https://example.org/p"),
                    NamedNode::new_unchecked("https://example.org/o"),
                    graph(&i.to_string()),
                )
            })
            .collect();
        assert!(matches!(Changed::of([], &quads), Changed::Everything));
        assert!(matches!(
            Changed::of([graph("x")], &quads[..2]),
            Changed::Graphs(g) if g.len() == 3
        ));
    }

    #[test]
    fn positions_read_back() {
        let p = Position {
            epoch: 0xabc,
            sequence: 42,
        };
        assert_eq!(p.to_string().parse::<Position>(), Ok(p));
        assert!("42".parse::<Position>().is_err());
        assert!("zz.1".parse::<Position>().is_err());
    }
}
