//! Evaluation of one query off the async runtime, and the streamed answer.
//!
//! A query takes one of `AppState::query_slots` (503 when none is free) and
//! runs in one `spawn_blocking` task holding the permit until evaluation
//! really stops. Its `CancellationToken` is fired at the time limit by a
//! tokio timer (the handler's while it waits for the first chunk, then one
//! task per streamed answer), and by a guard dropped with the handler or the
//! response body, so that a client going away stops the evaluation too.
//!
//! The task serialises results into chunks of [`CHUNK`] bytes. Nothing is
//! answered before the first chunk is full or the results are complete, so
//! an early failure (syntax already checked, but also a timeout, a refused
//! `SERVICE`, a failing serialiser) is a proper HTTP error; a result that fits
//! in one chunk is answered whole, with an exact `X-Bibia-Truncated` header.
//! Larger results stream through a bounded channel; a failure after the
//! response has started aborts the connection, so a client never mistakes a
//! cut answer for a complete one.
//!
//! At most `max_rows` rows (or triples) are sent. The header
//! `X-Bibia-Max-Rows` gives the limit on every answer; a cut is told by the
//! header `X-Bibia-Truncated: true` (answers in one chunk), else by the
//! trailer of the same name (declared in `Trailer`, sent to clients that
//! accept trailers), and in the body where the format allows a mark: a
//! `"bibia:truncated": true` member in SPARQL JSON, a final comment in XML,
//! RDF/XML, Turtle, N-Triples and N-Quads.

use super::super::{AppState, HttpError};
use super::watchdog;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;
use http_body::Frame;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::sparql::{
    CancellationToken, QueryDataset, QueryEvaluationError, QueryResults, SparqlEvaluator,
};
use sparesults::{QueryResultsFormat, QueryResultsSerializer};
use std::io::{self, Write};
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// Size of the chunks sent to the client.
const CHUNK: usize = 64 * 1024;
/// Initial capacity of the buffer of an answer.
const FIRST_BUFFER: usize = 8 * 1024;
/// Chunks buffered between the evaluation and the connection.
const CHANNEL_DEPTH: usize = 4;
/// Extra time given to the evaluation to notice its cancellation before
/// the 504 is sent anyway.
const GRACE: Duration = Duration::from_millis(250);

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

/// What the evaluation task reports before the response starts.
enum Head {
    /// The whole answer.
    Complete { body: Vec<u8>, truncated: bool },
    /// The first chunk; the rest follows on the channel.
    Streaming {
        first: Vec<u8>,
        rx: mpsc::Receiver<Msg>,
    },
}

/// What follows on the channel.
enum Msg {
    Chunk(Bytes),
    End { truncated: bool },
}

/// Evaluates `job` over the public projection and answers.
pub(crate) async fn run(state: &AppState, job: QueryJob) -> Result<Response, HttpError> {
    let permit = state.query_slots.clone().try_acquire_owned().map_err(|_| {
        HttpError::Busy(format!(
            "Trop de requêtes SPARQL en cours ({} au plus à la fois) : réessayez dans quelques secondes.",
            state.limits.max_concurrent
        ))
    })?;
    let timeout = job.timeout;
    let deadline = Instant::now() + timeout;
    let token = CancellationToken::new();
    let mut guard = Guard::new(token.clone());
    let (head_tx, mut head_rx) = oneshot::channel();
    let store = state.public.clone();
    let format = job.format;
    let max_rows = job.max_rows;
    let span = tracing::Span::current();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        span.in_scope(|| {
            let mut out = ChunkWriter {
                // Small at first: most answers are a few kilobytes, and
                // freeing a block of 64 KiB makes glibc consolidate its heap.
                buf: Vec::with_capacity(FIRST_BUFFER),
                head: Some(head_tx),
                tx: None,
                runtime,
                deadline,
                timeout,
            };
            let outcome = evaluate(store.store(), job, token, &mut out);
            out.finish(outcome);
        });
    });
    let head = tokio::select! {
        head = &mut head_rx => head,
        () = tokio::time::sleep_until(deadline) => {
            guard.token.cancel();
            tokio::time::timeout(GRACE, &mut head_rx)
                .await
                .map_err(|_| timeout_error(timeout))?
        }
    };
    let head = head.map_err(|_| {
        HttpError::Internal("l'évaluation de la requête s'est interrompue".into())
    })??;
    let mut response = match head {
        Head::Complete { body, truncated } => {
            let mut r = Response::new(Body::from(body));
            r.headers_mut().insert(
                TRUNCATED.clone(),
                HeaderValue::from_static(if truncated { "true" } else { "false" }),
            );
            r
        }
        Head::Streaming { first, rx } => {
            guard.arm(deadline);
            let mut r = Response::new(Body::new(ResultBody {
                first: Some(Bytes::from(first)),
                rx,
                done: false,
                _guard: guard,
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
    HttpError::Timeout(format!(
        "La requête SPARQL a dépassé le temps limite de {:.1} s et a été interrompue. \
         Simplifiez-la (LIMIT, motifs plus précis) ou découpez-la.",
        timeout.as_secs_f64()
    ))
}

/// Cancels the evaluation when dropped (the client went away, or the
/// answer is complete); once armed, also at the deadline.
struct Guard {
    token: CancellationToken,
    timer: Option<tokio::task::AbortHandle>,
}

impl Guard {
    fn new(token: CancellationToken) -> Self {
        Self { token, timer: None }
    }

    /// Fires the token at `deadline` from a timer task. Needed only once
    /// the answer streams: until then the handler waits with its own timer.
    fn arm(&mut self, deadline: Instant) {
        let fire = self.token.clone();
        self.timer = Some(
            tokio::spawn(async move {
                tokio::time::sleep_until(deadline).await;
                fire.cancel();
            })
            .abort_handle(),
        );
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.token.cancel();
        if let Some(timer) = &self.timer {
            timer.abort();
        }
    }
}

/// Why an evaluation stopped early.
enum Stop {
    /// An error to answer, if the response has not started.
    Error(HttpError),
    /// The client went away or stopped reading until the deadline.
    Gone,
}

impl From<QueryEvaluationError> for Stop {
    fn from(e: QueryEvaluationError) -> Self {
        Self::Error(match e {
            QueryEvaluationError::Cancelled => HttpError::Timeout(String::new()),
            QueryEvaluationError::Service(e) => HttpError::BadRequest(format!("SERVICE : {e}")),
            e @ (QueryEvaluationError::UnsupportedService(_)
            | QueryEvaluationError::UnboundService
            | QueryEvaluationError::InvalidServiceName(_)
            | QueryEvaluationError::UnsupportedCustomFunction(_)
            | QueryEvaluationError::UnsupportedCustomFunctionArity { .. }) => {
                HttpError::BadRequest(format!("requête non évaluable : {e}"))
            }
            e => HttpError::Internal(format!("évaluation SPARQL : {e}")),
        })
    }
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::BrokenPipe | io::ErrorKind::TimedOut => Self::Gone,
            _ => Self::Error(HttpError::BadRequest(format!(
                "ces résultats ne peuvent pas être écrits dans ce format : {e}"
            ))),
        }
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

/// Runs the query and writes its answer to `out`; returns whether it was cut.
/// The evaluation stops at the next solution once `token` fires, whatever
/// loop it is in (see [`watchdog`]).
fn evaluate(
    store: &oxigraph::store::Store,
    job: QueryJob,
    token: CancellationToken,
    out: &mut ChunkWriter,
) -> Result<bool, Stop> {
    watchdog::run_guarded(|| evaluate_unguarded(store, job, token, out))
        .unwrap_or_else(|watchdog::Interrupted| Err(Stop::Error(HttpError::Timeout(String::new()))))
}

fn evaluate_unguarded(
    store: &oxigraph::store::Store,
    job: QueryJob,
    token: CancellationToken,
    out: &mut ChunkWriter,
) -> Result<bool, Stop> {
    let alive = token.clone();
    let cancelled = || Stop::Error(HttpError::Timeout(String::new()));
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
    let max = job.max_rows;
    let mut truncated = false;
    match (prepared.on_store(store).execute()?, job.format) {
        (QueryResults::Boolean(value), OutFormat::Results(format)) => {
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(&mut *out, value)?;
        }
        (QueryResults::Solutions(mut solutions), OutFormat::Results(format)) => {
            let first = solutions.next().transpose()?;
            let mut ser = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(&mut *out, solutions.variables().to_vec())?;
            if let Some(first) = first {
                ser.serialize(&first)?;
                for (n, solution) in (1..).zip(solutions) {
                    let solution = solution?;
                    if alive.is_cancelled() {
                        return Err(cancelled());
                    }
                    if n == max {
                        truncated = true;
                        break;
                    }
                    ser.serialize(&solution)?;
                }
            }
            ser.finish()?;
            if truncated {
                out.mark_truncated(job.format, max);
            }
        }
        (QueryResults::Graph(mut triples), OutFormat::Graph(format)) => {
            let first = triples.next().transpose()?;
            let mut ser = rdf_serializer(format).for_writer(&mut *out);
            if let Some(first) = first {
                ser.serialize_triple(&first)?;
                for (n, triple) in (1..).zip(triples) {
                    let triple = triple?;
                    if alive.is_cancelled() {
                        return Err(cancelled());
                    }
                    if n == max {
                        truncated = true;
                        break;
                    }
                    ser.serialize_triple(&triple)?;
                }
            }
            ser.finish()?;
            if truncated {
                out.mark_truncated(job.format, max);
            }
        }
        _ => {
            return Err(Stop::Error(HttpError::Internal(
                "format négocié incompatible avec la forme de la requête".into(),
            )));
        }
    }
    Ok(truncated)
}

/// Collects serialised bytes into chunks and hands them over: the first one
/// through the `head` channel, the others through the bounded stream.
struct ChunkWriter {
    buf: Vec<u8>,
    head: Option<oneshot::Sender<Result<Head, HttpError>>>,
    /// The stream, opened with the first chunk.
    tx: Option<mpsc::Sender<Msg>>,
    runtime: tokio::runtime::Handle,
    deadline: Instant,
    timeout: Duration,
}

impl ChunkWriter {
    /// Sends the full buffer on. The last bytes written always stay in the
    /// buffer (chunks are cut before a write), so a mark can amend them.
    fn send_chunk(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + CHUNK / 4));
        if let Some(head) = self.head.take() {
            let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
            self.tx = Some(tx);
            return head
                .send(Ok(Head::Streaming { first: chunk, rx }))
                .map_err(|_| io::ErrorKind::BrokenPipe.into());
        }
        self.send(Msg::Chunk(Bytes::from(chunk)))
    }

    /// Sends on the stream, waiting at most until the deadline for room.
    fn send(&self, msg: Msg) -> io::Result<()> {
        let Some(tx) = &self.tx else {
            return Err(io::ErrorKind::BrokenPipe.into());
        };
        match tx.try_send(msg) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(io::ErrorKind::BrokenPipe.into()),
            Err(mpsc::error::TrySendError::Full(msg)) => {
                match self
                    .runtime
                    .block_on(tokio::time::timeout_at(self.deadline, tx.send(msg)))
                {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(_)) => Err(io::ErrorKind::BrokenPipe.into()),
                    Err(_) => Err(io::ErrorKind::TimedOut.into()),
                }
            }
        }
    }

    /// Marks a cut answer in the body where the format allows it.
    fn mark_truncated(&mut self, format: OutFormat, max: usize) {
        let comment =
            format!("bibia : résultats tronqués à {max} lignes (voir l'en-tête X-Bibia-Max-Rows)");
        match format {
            OutFormat::Results(QueryResultsFormat::Json) if self.buf.last() == Some(&b'}') => {
                self.buf.pop();
                self.buf.extend_from_slice(b",\"bibia:truncated\":true}");
            }
            OutFormat::Results(QueryResultsFormat::Xml) | OutFormat::Graph(RdfFormat::RdfXml) => {
                self.buf
                    .extend_from_slice(format!("<!-- {comment} -->\n").as_bytes());
            }
            OutFormat::Graph(RdfFormat::Turtle | RdfFormat::NTriples | RdfFormat::NQuads) => {
                self.buf
                    .extend_from_slice(format!("# {comment}\n").as_bytes());
            }
            _ => {}
        }
    }

    /// Hands over the end of the answer, or its failure.
    fn finish(mut self, outcome: Result<bool, Stop>) {
        match (outcome, self.head.take()) {
            (Ok(truncated), Some(head)) => {
                let _ = head.send(Ok(Head::Complete {
                    body: std::mem::take(&mut self.buf),
                    truncated,
                }));
            }
            (Ok(truncated), None) => {
                let rest = std::mem::take(&mut self.buf);
                if rest.is_empty() || self.send(Msg::Chunk(Bytes::from(rest))).is_ok() {
                    let _ = self.send(Msg::End { truncated });
                }
            }
            (Err(Stop::Error(e)), Some(head)) => {
                let e = if matches!(e, HttpError::Timeout(_)) {
                    timeout_error(self.timeout)
                } else {
                    e
                };
                let _ = head.send(Err(e));
            }
            // The response has started: dropping the channel without an end
            // message aborts the connection.
            (Err(Stop::Error(e)), None) => {
                if !matches!(e, HttpError::Timeout(_)) {
                    tracing::warn!(error = %e, "réponse SPARQL interrompue en cours d'envoi");
                }
            }
            (Err(Stop::Gone), _) => {}
        }
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() >= CHUNK {
            self.send_chunk()?;
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The streamed body: the first chunk, then the channel, then the trailer.
struct ResultBody {
    first: Option<Bytes>,
    rx: mpsc::Receiver<Msg>,
    done: bool,
    _guard: Guard,
}

impl HttpBody for ResultBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        if self.done {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Msg::Chunk(bytes))) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
            Poll::Ready(Some(Msg::End { truncated })) => {
                self.done = true;
                let mut trailers = HeaderMap::new();
                trailers.insert(
                    TRUNCATED.clone(),
                    HeaderValue::from_static(if truncated { "true" } else { "false" }),
                );
                Poll::Ready(Some(Ok(Frame::trailers(trailers))))
            }
            Poll::Ready(None) => {
                self.done = true;
                Poll::Ready(Some(Err(io::Error::other(
                    "évaluation SPARQL interrompue (temps limite dépassé ?)",
                ))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done && self.first.is_none()
    }
}
