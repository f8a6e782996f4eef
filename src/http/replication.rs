//! `GET /flux?depuis=POSITION&attendre=SECONDES`: the change feed read
//! replicas follow (`bibia serve --replica-of`), served by a primary.
//!
//! The answer is N-Quads of the public projection only (what the dumps
//! hold), so the feed needs no account: anyone may mirror the catalogue.
//! `Bibia-Position` gives the position the answer takes a replica to, and
//! `Bibia-Replication` says what it holds:
//!
//! - `204` (`a-jour`): nothing changed; with `attendre`, the answer waits up
//!   to that many seconds (at most [`MAX_WAIT`]) for a change first, so a
//!   replica hears of a write at once without asking every second;
//! - `graphes`: the current quads of the graphs changed since `depuis`,
//!   each announced by `<urn:bibia:replication> <…#remplace> <graph>` (a
//!   graph announced without quads is to be removed);
//! - `tout`: the whole projection, graph after graph: for a new replica,
//!   one too far behind, or one that followed another process.
//!
//! The last line is always `<urn:bibia:replication> <…#fin> "POSITION"`: a
//! replica applies nothing it did not receive whole.

use super::{AppState, HttpError, Message};
use crate::store::{Feed, Position, Since, StoreError};
use crate::vocab::replication;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use http_body::Frame;
use oxigraph::model::{GraphName, Literal, Quad, QuadRef};
use send_wrapper::SendWrapper;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The longest an up-to-date replica's request waits for a change.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(25);

/// Quads per chunk of a streamed complete copy.
const CHUNK_QUADS: usize = 2_000;

/// `GET /flux`.
pub(crate) async fn flux(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, HttpError> {
    let Some(feed) = state.feed.clone() else {
        return Err(HttpError::NotFound(Message::new(
            "cette instance ne publie pas de flux de réplication (c'est elle-même une réplique ?)",
            "this instance publishes no replication feed (is it a replica itself?)",
        )));
    };
    let pairs = super::urlencoded::pairs(query.as_deref().unwrap_or("").as_bytes())
        .map_err(HttpError::BadRequest)?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let from = match get("depuis").filter(|v| !v.is_empty()) {
        Some(v) => Some(v.parse::<Position>().map_err(|e| {
            HttpError::BadRequest(Message::new(
                e,
                format!("unreadable replication position “{v}” (expected EPOCH.NUMBER)"),
            ))
        })?),
        None => None,
    };
    let wait = match get("attendre").filter(|v| !v.is_empty()) {
        Some(v) => Duration::from_secs(v.parse::<u64>().map_err(|_| {
            HttpError::BadRequest(Message::new(
                format!("attendre={v} : un nombre de secondes est attendu"),
                format!("attendre={v}: a number of seconds is expected"),
            ))
        })?)
        .min(MAX_WAIT),
        None => Duration::ZERO,
    };
    super::blocking(|| answer(&feed, from, wait))
}

/// The paths a replica leaves to its primary: the contributions, which
/// write or read the journal (history, Memento), and the feed.
const PRIMARY_PATHS: [&str; 11] = [
    "/connexion",
    "/deconnexion",
    "/espace",
    "/moderation",
    "/signaler",
    "/admin/",
    "/historique/",
    "/timegate/",
    "/timemap/",
    "/memento/",
    "/flux",
];

/// On a read replica, sends writes and contributions to the primary with a
/// `307` (which keeps the method and body); a load balancer in front
/// usually routes them there itself (see the README).
pub(crate) async fn to_primary(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(replica) = state.replica.as_ref() else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    let writes = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    ) && path.starts_with("/id/");
    if !writes && !PRIMARY_PATHS.iter().any(|p| path.starts_with(p)) {
        return next.run(request).await;
    }
    let target = request
        .uri()
        .path_and_query()
        .map_or(path, |p| p.as_str())
        .trim_start_matches('/');
    let location = format!("{}{target}", replica.source().url());
    let mut response = (
        StatusCode::TEMPORARY_REDIRECT,
        format!(
            "Cette instance est une copie en lecture seule : les contributions se font sur le serveur principal, {location}\n\
             This instance is a read-only replica: contributions go to the primary, {location}\n"
        ),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

fn answer(feed: &Feed, from: Option<Position>, wait: Duration) -> Result<Response, HttpError> {
    let start = Instant::now();
    let since = loop {
        let since = feed.since(from);
        if !matches!(since, Since::UpToDate(_)) || start.elapsed() >= wait {
            break since;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    match since {
        Since::UpToDate(position) => Ok(with_headers(
            StatusCode::NO_CONTENT.into_response(),
            position,
            "a-jour",
        )),
        Since::Graphs { position, graphs } => {
            let mut text = String::new();
            for g in &graphs {
                let instruction = match g {
                    GraphName::DefaultGraph => Quad::new(
                        replication::GRAPH,
                        replication::REPLACES_DEFAULT,
                        Literal::from(true),
                        replication::GRAPH,
                    ),
                    GraphName::NamedNode(n) => Quad::new(
                        replication::GRAPH,
                        replication::REPLACES,
                        n.clone(),
                        replication::GRAPH,
                    ),
                    // The projection names its graphs; a blank one cannot be
                    // told apart across answers.
                    GraphName::BlankNode(_) => continue,
                };
                push(&mut text, instruction.as_ref());
            }
            for g in &graphs {
                for q in feed.public().quads_of(g.as_ref()).map_err(internal)? {
                    push(&mut text, q.as_ref());
                }
            }
            push(&mut text, end(position).as_ref());
            Ok(with_headers(nquads(Body::from(text)), position, "graphes"))
        }
        Since::Everything(position) => {
            let body = Everything {
                quads: Some(SendWrapper::new(Box::new(feed.public().quads()))),
                end: Some(end(position)),
            };
            Ok(with_headers(nquads(Body::new(body)), position, "tout"))
        }
    }
}

fn internal(e: StoreError) -> HttpError {
    HttpError::internal(e)
}

/// The last quad of every answer.
fn end(position: Position) -> Quad {
    Quad::new(
        replication::GRAPH,
        replication::END,
        Literal::from(position.to_string()),
        replication::GRAPH,
    )
}

fn push(text: &mut String, quad: QuadRef<'_>) {
    use std::fmt::Write as _;
    let _ = writeln!(text, "{quad} .");
}

fn nquads(body: Body) -> Response {
    let mut response = Response::new(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/n-quads"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn with_headers(mut response: Response, position: Position, kind: &'static str) -> Response {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&position.to_string()) {
        headers.insert("bibia-position", v);
    }
    headers.insert("bibia-replication", HeaderValue::from_static(kind));
    response
}

type Quads = Box<dyn Iterator<Item = Result<Quad, StoreError>>>;

/// A complete copy, streamed: each connection has its own thread, which
/// reads the next quads when the connection asks for them.
struct Everything {
    quads: Option<SendWrapper<Quads>>,
    end: Option<Quad>,
}

impl http_body::Body for Everything {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let mut text = String::new();
        if let Some(quads) = self.quads.as_mut() {
            for _ in 0..CHUNK_QUADS {
                match quads.next() {
                    Some(Ok(q)) => push(&mut text, q.as_ref()),
                    Some(Err(e)) => {
                        self.quads = None;
                        self.end = None;
                        tracing::warn!("copie complète du flux interrompue : {e}");
                        return Poll::Ready(Some(Err(io::Error::other(e.to_string()))));
                    }
                    None => {
                        self.quads = None;
                        break;
                    }
                }
            }
        }
        if self.quads.is_none()
            && let Some(end) = self.end.take()
        {
            push(&mut text, end.as_ref());
        }
        if text.is_empty() {
            return Poll::Ready(None);
        }
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(text)))))
    }

    fn is_end_stream(&self) -> bool {
        self.quads.is_none() && self.end.is_none()
    }
}
