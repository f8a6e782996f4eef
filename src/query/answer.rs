//! An answer being written: the results of one evaluation serialised into
//! chunks of [`CHUNK`] bytes, pulled one at a time on the evaluating thread.
//!
//! Nothing is returned before the first chunk is full or the results are
//! complete, so the caller can still turn an early failure (a timeout, a
//! failed `SERVICE`, a failing serialiser) into a proper error; a result
//! that fits in one chunk comes whole, with an exact truncation flag. A
//! larger answer is pulled chunk by chunk, so a reader that reads slowly
//! slows the evaluation down instead of filling memory.
//!
//! At most `max_rows` rows (or triples) are written. A cut is told by
//! [`Chunk::Last`] and, where the format allows a mark, in the body: a
//! `"bibia:truncated": true` member in SPARQL JSON, a final comment in XML,
//! RDF/XML, Turtle, N-Triples and N-Quads.

use super::watch::Watched;
use super::{Format, Job, QueryError, Slot, watchdog};
use crate::store::PublicStore;
use oxigraph::io::{RdfFormat, RdfSerializer, WriterQuadSerializer};
use oxigraph::sparql::{
    CancellationToken, QueryEvaluationError, QueryResults, QuerySolutionIter, QueryTripleIter,
    SparqlEvaluator,
};
use sparesults::{QueryResultsFormat, QueryResultsSerializer, WriterSolutionsSerializer};
use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;
use std::sync::LazyLock;
use std::time::Duration;

/// Size of the chunks sent to the client.
const CHUNK: usize = 64 * 1024;
/// Initial capacity of the buffer of an answer.
const FIRST_BUFFER: usize = 8 * 1024;

impl From<QueryEvaluationError> for QueryError {
    fn from(e: QueryEvaluationError) -> Self {
        match e {
            // Its message is the caller's, who knows the time limit.
            QueryEvaluationError::Cancelled => Self::Timeout(Duration::ZERO),
            QueryEvaluationError::Service(e) => Self::Service(e.to_string()),
            e @ (QueryEvaluationError::UnsupportedService(_)
            | QueryEvaluationError::UnboundService
            | QueryEvaluationError::InvalidServiceName(_)
            | QueryEvaluationError::UnsupportedCustomFunction(_)
            | QueryEvaluationError::UnsupportedCustomFunctionArity { .. }) => {
                Self::NotEvaluable(e.to_string())
            }
            e => Self::Internal(e.to_string()),
        }
    }
}

impl From<io::Error> for QueryError {
    fn from(e: io::Error) -> Self {
        Self::Unwritable(e.to_string())
    }
}

/// The limits of one evaluation.
pub(super) struct Limits<'a> {
    pub(super) max_rows: usize,
    pub(super) timeout: Duration,
    pub(super) service_allow: &'a [String],
}

/// Runs a step of the evaluation; the check function of the [`watchdog`]
/// unwinds out of it once the token has fired. A stop by the token is told
/// as a timeout of `timeout`.
fn guarded<T>(
    timeout: Duration,
    step: impl FnOnce() -> Result<T, QueryError>,
) -> Result<T, QueryError> {
    match watchdog::run_guarded(step) {
        Err(watchdog::Interrupted) | Ok(Err(QueryError::Timeout(_))) => {
            Err(QueryError::Timeout(timeout))
        }
        Ok(done) => done,
    }
}

/// Serialisers with bibia's prefixes, built once.
static PREFIXED: LazyLock<Vec<RdfSerializer>> = LazyLock::new(|| {
    [RdfFormat::Turtle, RdfFormat::RdfXml]
        .into_iter()
        .map(|format| {
            crate::vocab::PREFIXES.iter().fold(
                RdfSerializer::from_format(format),
                |s, (prefix, iri)| {
                    s.with_prefix(*prefix, *iri)
                        .expect("bibia's prefixes are valid IRIs")
                },
            )
        })
        .collect()
});

fn rdf_serializer(format: RdfFormat) -> RdfSerializer {
    PREFIXED
        .iter()
        .find(|s| s.format() == format)
        .cloned()
        .unwrap_or_else(|| RdfSerializer::from_format(format))
}

/// The bytes written so far, shared with the serialiser that writes them.
#[derive(Clone)]
struct Sink(Rc<RefCell<Vec<u8>>>);

impl Sink {
    fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// The bytes written, leaving room for the next chunk.
    fn take(&self) -> Vec<u8> {
        std::mem::replace(
            &mut self.0.borrow_mut(),
            Vec::with_capacity(CHUNK + CHUNK / 4),
        )
    }

    /// The last bytes written, once the answer is complete (no room kept:
    /// most answers fit in their first buffer).
    fn take_last(&self) -> Vec<u8> {
        std::mem::take(&mut self.0.borrow_mut())
    }
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The results still to write, with their serialiser.
enum Rows {
    Solutions {
        solutions: QuerySolutionIter<'static>,
        serializer: WriterSolutionsSerializer<Sink>,
    },
    Triples {
        triples: QueryTripleIter<'static>,
        serializer: Box<WriterQuadSerializer<Sink>>,
    },
    /// All written (up to the row limit).
    Done { truncated: bool },
}

/// What one step of writing did.
enum Step {
    Row,
    Cut,
    End,
}

/// Whether the next result may be written.
struct Room<'a> {
    alive: &'a CancellationToken,
    /// The row limit is reached.
    full: bool,
}

impl Room<'_> {
    /// Writes `next` with `write`, unless the results ended, the limit is
    /// reached or the token fired.
    fn step<T>(
        &self,
        next: Option<Result<T, QueryEvaluationError>>,
        write: impl FnOnce(T) -> io::Result<()>,
    ) -> Result<Step, QueryError> {
        match next.transpose()? {
            None => Ok(Step::End),
            Some(_) if self.alive.is_cancelled() => Err(QueryError::Timeout(Duration::ZERO)),
            Some(_) if self.full => Ok(Step::Cut),
            Some(result) => {
                write(result)?;
                Ok(Step::Row)
            }
        }
    }
}

/// A piece of an answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk {
    /// About [`CHUNK`] bytes; more follow.
    Part(Vec<u8>),
    /// The last bytes of the answer.
    Last {
        /// The bytes.
        bytes: Vec<u8>,
        /// Whether the results were cut at the row limit.
        truncated: bool,
    },
}

/// An answer being written, pulled with [`Answer::next_chunk`]. It holds
/// its query slot and its place under the watch until it is dropped.
pub struct Answer {
    rows: Rows,
    sink: Sink,
    format: Format,
    max: usize,
    written: usize,
    timeout: Duration,
    alive: CancellationToken,
    watched: Watched,
    _slot: Slot,
}

impl Answer {
    /// Starts the evaluation (which stops at the next solution once `token`
    /// fires, whatever loop it is in: see [`watchdog`]) and the answer.
    pub(super) fn start(
        public: &PublicStore,
        job: Job,
        limits: Limits<'_>,
        token: CancellationToken,
        slot: Slot,
        watched: Watched,
    ) -> Result<Self, QueryError> {
        guarded(limits.timeout, move || {
            let alive = token.clone();
            let mut evaluator = SparqlEvaluator::new();
            if !job.planned {
                // The planner's time grows as a power of the joins and it
                // cannot be stopped: a large query runs as written, and
                // the time limit stops its evaluation (see `shape`).
                evaluator = evaluator.without_optimizations();
            }
            let evaluator =
                watchdog::with_check(evaluator.with_cancellation_token(token.clone()), token);
            let mut prepared =
                super::service::configure(evaluator, limits.service_allow, limits.timeout)
                    .for_query(watchdog::instrument(job.query));
            match job.dataset {
                Some(dataset) => *prepared.dataset_mut() = dataset,
                None if prepared.dataset().is_default_dataset() => {
                    prepared.dataset_mut().set_default_graph_as_union()
                }
                None => {}
            }
            let sink = Sink(Rc::new(RefCell::new(Vec::with_capacity(FIRST_BUFFER))));
            let rows = match (public.execute(prepared)?, job.format) {
                (QueryResults::Boolean(value), Format::Results(format)) => {
                    QueryResultsSerializer::from_format(format)
                        .serialize_boolean_to_writer(sink.clone(), value)?;
                    Rows::Done { truncated: false }
                }
                (QueryResults::Solutions(solutions), Format::Results(format)) => {
                    let serializer = QueryResultsSerializer::from_format(format)
                        .serialize_solutions_to_writer(
                            sink.clone(),
                            solutions.variables().to_vec(),
                        )?;
                    Rows::Solutions {
                        solutions,
                        serializer,
                    }
                }
                (QueryResults::Graph(triples), Format::Graph(format)) => Rows::Triples {
                    triples,
                    serializer: Box::new(rdf_serializer(format).for_writer(sink.clone())),
                },
                _ => {
                    return Err(QueryError::Internal(
                        "format incompatible avec la forme de la requête".into(),
                    ));
                }
            };
            Ok(Self {
                rows,
                sink,
                format: job.format,
                max: limits.max_rows,
                written: 0,
                timeout: limits.timeout,
                alive,
                watched,
                _slot: slot,
            })
        })
    }

    /// The serialisation.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The most rows (or triples) written.
    pub fn max_rows(&self) -> usize {
        self.max
    }

    /// Writes the next chunk: [`Chunk::Last`] once the answer is complete
    /// (then drop the answer, which gives its slot back).
    pub fn next_chunk(&mut self) -> Result<Chunk, QueryError> {
        Ok(match guarded(self.timeout, || self.fill())? {
            None => Chunk::Part(self.sink.take()),
            Some(truncated) => Chunk::Last {
                bytes: self.sink.take_last(),
                truncated,
            },
        })
    }

    /// Tells the watch that the answer now streams to a reader, which it
    /// cuts off if it stops reading past the time limit.
    pub fn streaming(&self) {
        self.watched.streaming();
    }

    /// Writes results until a chunk is full or the answer is complete;
    /// `Some(truncated)` once it is.
    fn fill(&mut self) -> Result<Option<bool>, QueryError> {
        while self.sink.len() < CHUNK {
            let room = Room {
                alive: &self.alive,
                full: self.written == self.max,
            };
            let step = match &mut self.rows {
                Rows::Done { .. } => break,
                Rows::Solutions {
                    solutions,
                    serializer,
                } => room.step(solutions.next(), |s| serializer.serialize(&s))?,
                Rows::Triples {
                    triples,
                    serializer,
                } => room.step(triples.next(), |t| serializer.serialize_triple(&t))?,
            };
            match step {
                Step::Row => self.written += 1,
                Step::Cut => self.finish(true)?,
                Step::End => self.finish(false)?,
            }
        }
        Ok(match self.rows {
            Rows::Done { truncated } => Some(truncated),
            _ => None,
        })
    }

    /// Closes the serialisation (the last bytes stay in the sink).
    fn finish(&mut self, truncated: bool) -> Result<(), QueryError> {
        match std::mem::replace(&mut self.rows, Rows::Done { truncated }) {
            Rows::Solutions { serializer, .. } => {
                serializer.finish()?;
            }
            Rows::Triples { serializer, .. } => {
                serializer.finish()?;
            }
            Rows::Done { .. } => {}
        }
        if truncated {
            self.mark_truncated();
        }
        Ok(())
    }

    /// Marks a cut answer in the body where the format allows it.
    fn mark_truncated(&mut self) {
        let comment = format!(
            "bibia : résultats tronqués à {} lignes (voir l'en-tête X-Bibia-Max-Rows)",
            self.max
        );
        let mut buf = self.sink.0.borrow_mut();
        match self.format {
            Format::Results(QueryResultsFormat::Json) if buf.last() == Some(&b'}') => {
                buf.pop();
                buf.extend_from_slice(b",\"bibia:truncated\":true}");
            }
            Format::Results(QueryResultsFormat::Xml) | Format::Graph(RdfFormat::RdfXml) => {
                buf.extend_from_slice(format!("<!-- {comment} -->\n").as_bytes());
            }
            Format::Graph(RdfFormat::Turtle | RdfFormat::NTriples | RdfFormat::NQuads) => {
                buf.extend_from_slice(format!("# {comment}\n").as_bytes());
            }
            _ => {}
        }
    }
}
