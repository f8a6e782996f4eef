//! Evaluation of one query on its connection's thread, and the answer.
//!
//! The server gives each connection its own thread (see
//! [`crate::http::server`]), so a query is evaluated right where it was
//! read, with no hand-off. It takes one of `AppState::query_slots`, waiting
//! for one in a bounded queue when all are taken (the wait counts in its
//! time limit; a full queue, or a wait that reaches the limit, is a 503 with
//! `Retry-After`), and is put under [`watch`] until its evaluation ends:
//! its `CancellationToken` fires at the time limit, or when the client goes
//! away, from the watch's tokio timer.
//!
//! Results are serialised into chunks of [`CHUNK`] bytes. Nothing is
//! answered before the first chunk is full or the results are complete, so
//! an early failure (syntax already checked, but also a timeout, a refused
//! `SERVICE`, a failing serialiser) is a proper HTTP error; a result that fits
//! in one chunk is answered whole, with an exact `X-Bibia-Truncated` header.
//! A larger answer streams: the response body keeps the evaluation and
//! writes the next chunk each time the connection asks for one, so a client
//! that reads slowly slows the evaluation down instead of filling memory. A
//! failure after the response has started aborts the connection, so a
//! client never mistakes a cut answer for a complete one.
//!
//! At most `max_rows` rows (or triples) are sent. The header
//! `X-Bibia-Max-Rows` gives the limit on every answer; a cut is told by the
//! header `X-Bibia-Truncated: true` (answers in one chunk), else by the
//! trailer of the same name (declared in `Trailer`, sent to clients that
//! accept trailers), and in the body where the format allows a mark: a
//! `"bibia:truncated": true` member in SPARQL JSON, a final comment in XML,
//! RDF/XML, Turtle, N-Triples and N-Quads.

use super::super::server::Client;
use super::super::{AppState, HttpError, Message};
use super::watch::Watched;
use super::watchdog;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;
use http_body::Frame;
use oxigraph::io::{RdfFormat, RdfSerializer, WriterQuadSerializer};
use oxigraph::sparql::{
    CancellationToken, QueryDataset, QueryEvaluationError, QueryResults, QuerySolutionIter,
    QueryTripleIter, SparqlEvaluator,
};
use send_wrapper::SendWrapper;
use sparesults::{QueryResultsFormat, QueryResultsSerializer, WriterSolutionsSerializer};
use std::cell::RefCell;
use std::io::{self, Write};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::LazyLock;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::OwnedSemaphorePermit;

/// Size of the chunks sent to the client.
const CHUNK: usize = 64 * 1024;
/// Initial capacity of the buffer of an answer.
const FIRST_BUFFER: usize = 8 * 1024;

/// Header giving the row limit.
pub(crate) static MAX_ROWS: HeaderName = HeaderName::from_static("x-bibia-max-rows");
/// Header (or trailer) telling that the answer was cut at the row limit.
pub(crate) static TRUNCATED: HeaderName = HeaderName::from_static("x-bibia-truncated");

/// The serialisation of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutFormat {
    /// `SELECT` and `ASK` results.
    Results(QueryResultsFormat),
    /// `CONSTRUCT` and `DESCRIBE` graphs.
    Graph(RdfFormat),
}

impl OutFormat {
    fn content_type(self) -> &'static str {
        match self {
            Self::Results(QueryResultsFormat::Csv) => "text/csv; charset=utf-8",
            Self::Results(QueryResultsFormat::Tsv) => "text/tab-separated-values; charset=utf-8",
            Self::Results(f) => f.media_type(),
            // Without a charset, some clients read Turtle as Latin-1.
            Self::Graph(RdfFormat::Turtle) => "text/turtle; charset=utf-8",
            Self::Graph(f) => f.media_type(),
        }
    }
}

/// A parsed query ready to run.
pub(crate) struct QueryJob {
    /// The query.
    pub(crate) query: spargebra::Query,
    /// The protocol's dataset, replacing the query's own.
    pub(crate) dataset: Option<QueryDataset>,
    /// The negotiated serialisation.
    pub(crate) format: OutFormat,
    /// Most rows (or triples) sent.
    pub(crate) max_rows: usize,
    /// Time limit.
    pub(crate) timeout: Duration,
    /// Endpoints `SERVICE` may call.
    pub(crate) service_allow: Vec<String>,
}

/// Evaluates `job` over the public projection and answers. Waits for a
/// query slot, then blocks the current thread (the connection's own) for
/// the first chunk.
pub(crate) async fn run(
    state: &AppState,
    job: QueryJob,
    client: Option<Client>,
) -> Result<Response, HttpError> {
    let arrived = Instant::now();
    let deadline = arrived + job.timeout;
    let permit = slot(state, deadline).await?;
    let timeout = job.timeout;
    let format = job.format;
    let max_rows = job.max_rows;
    let token = CancellationToken::new();
    let watched = state.watch.watch(deadline, token.clone(), client);
    let failed = |Stop(e)| match e {
        HttpError::Timeout(_) => timeout_error(timeout),
        e => e,
    };
    let mut answer = guarded(|| Answer::start(state.public.store(), job, token)).map_err(failed)?;
    let end = guarded(|| answer.fill()).map_err(failed)?;
    let mut response = match end {
        Some(truncated) => {
            let mut r = Response::new(Body::from(answer.sink.take_last()));
            r.headers_mut()
                .insert(TRUNCATED.clone(), truncated_value(truncated));
            r
        }
        None => {
            watched.streaming();
            let first = answer.sink.take();
            let mut r = Response::new(Body::new(ResultBody {
                first: Some(Bytes::from(first)),
                rest: Some(SendWrapper::new(Rest {
                    answer,
                    _permit: permit,
                    _watched: watched,
                })),
                trailer: None,
            }));
            r.headers_mut().insert(
                header::TRAILER,
                HeaderValue::from_static("x-bibia-truncated"),
            );
            r
        }
    };
    set_headers(response.headers_mut(), format, max_rows);
    Ok(response)
}

fn set_headers(headers: &mut HeaderMap, format: OutFormat, max_rows: usize) {
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    headers.insert(MAX_ROWS.clone(), HeaderValue::from(max_rows));
}

fn timeout_error(timeout: Duration) -> HttpError {
    let secs = timeout.as_secs_f64();
    HttpError::Timeout(Message::new(
        format!(
            "La requête SPARQL a dépassé le temps limite de {secs:.1} s et a été interrompue. \
             Simplifiez-la (LIMIT, motifs plus précis) ou découpez-la."
        ),
        format!(
            "The SPARQL query passed its time limit of {secs:.1} s and was stopped. \
             Simplify it (LIMIT, more selective patterns) or split it."
        ),
    ))
}

/// The places a query holds while it runs: one among those waiting or
/// running, one among those running.
struct Permit {
    _admitted: OwnedSemaphorePermit,
    _running: OwnedSemaphorePermit,
}

/// Takes a query slot, waiting in the queue until `deadline` when none is
/// free; a full queue or a wait that reaches the deadline is a 503.
async fn slot(state: &AppState, deadline: Instant) -> Result<Permit, HttpError> {
    let busy = |why_fr: &str, why_en: &str| {
        let n = state.limits.max_concurrent;
        HttpError::Busy(Message::new(
            format!(
                "Trop de requêtes SPARQL en cours ({n} au plus à la fois) : {why_fr} Réessayez dans quelques secondes."
            ),
            format!(
                "Too many SPARQL queries at once (at most {n}): {why_en} Retry in a few seconds."
            ),
        ))
    };
    let admitted = state
        .query_admissions
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            busy(
                "la file d'attente est pleine.",
                "the waiting queue is full.",
            )
        })?;
    let running = match state.query_slots.clone().try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            tokio::time::timeout_at(deadline.into(), state.query_slots.clone().acquire_owned())
                .await
                .map_err(|_| {
                    busy(
                        "aucune place ne s'est libérée avant le temps limite de la requête.",
                        "no place was freed before the query's time limit.",
                    )
                })?
                .map_err(HttpError::internal)?
        }
    };
    Ok(Permit {
        _admitted: admitted,
        _running: running,
    })
}

/// Why an evaluation stopped early: the error to answer (a timeout without
/// its message, which [`run`] writes).
struct Stop(HttpError);

impl From<QueryEvaluationError> for Stop {
    fn from(e: QueryEvaluationError) -> Self {
        Self(match e {
            QueryEvaluationError::Cancelled => HttpError::Timeout(Message::default()),
            QueryEvaluationError::Service(e) => HttpError::BadRequest(Message::new(
                format!("échec de l'appel SERVICE : {e}"),
                format!("SERVICE call failed: {e}"),
            )),
            e @ (QueryEvaluationError::UnsupportedService(_)
            | QueryEvaluationError::UnboundService
            | QueryEvaluationError::InvalidServiceName(_)
            | QueryEvaluationError::UnsupportedCustomFunction(_)
            | QueryEvaluationError::UnsupportedCustomFunctionArity { .. }) => {
                HttpError::BadRequest(Message::new(
                    format!("requête non évaluable : {e}"),
                    format!("the query cannot be evaluated: {e}"),
                ))
            }
            e => HttpError::internal(format_args!("évaluation SPARQL / SPARQL evaluation: {e}")),
        })
    }
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Self(HttpError::BadRequest(Message::new(
            format!("ces résultats ne peuvent pas être écrits dans ce format : {e}"),
            format!("these results cannot be written in this format: {e}"),
        )))
    }
}

/// Runs a step of the evaluation; the check function of the [`watchdog`]
/// unwinds out of it once the token has fired.
fn guarded<T>(step: impl FnOnce() -> Result<T, Stop>) -> Result<T, Stop> {
    watchdog::run_guarded(step)
        .unwrap_or_else(|watchdog::Interrupted| Err(Stop(HttpError::Timeout(Message::default()))))
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
    ) -> Result<Step, Stop> {
        match next.transpose()? {
            None => Ok(Step::End),
            Some(_) if self.alive.is_cancelled() => {
                Err(Stop(HttpError::Timeout(Message::default())))
            }
            Some(_) if self.full => Ok(Step::Cut),
            Some(result) => {
                write(result)?;
                Ok(Step::Row)
            }
        }
    }
}

/// An answer being written.
struct Answer {
    rows: Rows,
    sink: Sink,
    format: OutFormat,
    max: usize,
    written: usize,
    alive: CancellationToken,
}

impl Answer {
    /// Starts the evaluation (which stops at the next solution once `token`
    /// fires, whatever loop it is in: see [`watchdog`]) and the answer.
    fn start(
        store: &oxigraph::store::Store,
        job: QueryJob,
        token: CancellationToken,
    ) -> Result<Self, Stop> {
        let alive = token.clone();
        let evaluator = watchdog::with_check(
            SparqlEvaluator::new().with_cancellation_token(token.clone()),
            token,
        );
        let mut prepared = super::service::configure(evaluator, &job.service_allow, job.timeout)
            .for_query(watchdog::instrument(job.query));
        match job.dataset {
            Some(dataset) => *prepared.dataset_mut() = dataset,
            None if prepared.dataset().is_default_dataset() => {
                prepared.dataset_mut().set_default_graph_as_union()
            }
            None => {}
        }
        let sink = Sink(Rc::new(RefCell::new(Vec::with_capacity(FIRST_BUFFER))));
        let rows = match (prepared.on_store(store).execute()?, job.format) {
            (QueryResults::Boolean(value), OutFormat::Results(format)) => {
                QueryResultsSerializer::from_format(format)
                    .serialize_boolean_to_writer(sink.clone(), value)?;
                Rows::Done { truncated: false }
            }
            (QueryResults::Solutions(solutions), OutFormat::Results(format)) => {
                let serializer = QueryResultsSerializer::from_format(format)
                    .serialize_solutions_to_writer(sink.clone(), solutions.variables().to_vec())?;
                Rows::Solutions {
                    solutions,
                    serializer,
                }
            }
            (QueryResults::Graph(triples), OutFormat::Graph(format)) => Rows::Triples {
                triples,
                serializer: Box::new(rdf_serializer(format).for_writer(sink.clone())),
            },
            _ => {
                return Err(Stop(HttpError::internal(
                    "format négocié incompatible avec la forme de la requête / negotiated format does not fit the query form",
                )));
            }
        };
        Ok(Self {
            rows,
            sink,
            format: job.format,
            max: job.max_rows,
            written: 0,
            alive,
        })
    }

    /// Writes results until a chunk is full or the answer is complete;
    /// `Some(truncated)` once it is.
    fn fill(&mut self) -> Result<Option<bool>, Stop> {
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
    fn finish(&mut self, truncated: bool) -> Result<(), Stop> {
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
            OutFormat::Results(QueryResultsFormat::Json) if buf.last() == Some(&b'}') => {
                buf.pop();
                buf.extend_from_slice(b",\"bibia:truncated\":true}");
            }
            OutFormat::Results(QueryResultsFormat::Xml) | OutFormat::Graph(RdfFormat::RdfXml) => {
                buf.extend_from_slice(format!("<!-- {comment} -->\n").as_bytes());
            }
            OutFormat::Graph(RdfFormat::Turtle | RdfFormat::NTriples | RdfFormat::NQuads) => {
                buf.extend_from_slice(format!("# {comment}\n").as_bytes());
            }
            _ => {}
        }
    }
}

/// What a streamed answer keeps after its first chunk: the evaluation, its
/// slot and its watch, all released with the body.
struct Rest {
    answer: Answer,
    _permit: Permit,
    _watched: Watched,
}

/// The streamed body: the first chunk, the next ones written on demand,
/// then the trailer.
struct ResultBody {
    first: Option<Bytes>,
    /// The evaluation, which never leaves the connection's thread.
    rest: Option<SendWrapper<Rest>>,
    /// Set once the answer is complete: whether it was cut.
    trailer: Option<bool>,
}

impl HttpBody for ResultBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        if let Some(rest) = self.rest.as_mut() {
            let answer = &mut rest.answer;
            return match guarded(|| answer.fill()) {
                Ok(None) => Poll::Ready(Some(Ok(Frame::data(Bytes::from(answer.sink.take()))))),
                Ok(Some(truncated)) => {
                    let last = answer.sink.take_last();
                    self.rest = None;
                    if last.is_empty() {
                        return Poll::Ready(Some(Ok(trailers(truncated))));
                    }
                    self.trailer = Some(truncated);
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from(last)))))
                }
                Err(Stop(e)) => {
                    self.rest = None;
                    if !matches!(e, HttpError::Timeout(_)) {
                        tracing::warn!(error = %e, "réponse SPARQL interrompue en cours d'envoi");
                    }
                    Poll::Ready(Some(Err(io::Error::other(
                        "évaluation SPARQL interrompue (temps limite dépassé ?)",
                    ))))
                }
            };
        }
        Poll::Ready(self.trailer.take().map(|truncated| Ok(trailers(truncated))))
    }

    fn is_end_stream(&self) -> bool {
        self.first.is_none() && self.rest.is_none() && self.trailer.is_none()
    }
}

/// The trailer that ends a streamed answer.
fn trailers(truncated: bool) -> Frame<Bytes> {
    let mut trailers = HeaderMap::new();
    trailers.insert(TRUNCATED.clone(), truncated_value(truncated));
    Frame::trailers(trailers)
}

/// The value of `X-Bibia-Truncated`, as header or trailer.
fn truncated_value(truncated: bool) -> HeaderValue {
    HeaderValue::from_static(if truncated { "true" } else { "false" })
}
