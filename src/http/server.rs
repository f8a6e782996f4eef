//! The HTTP server: one thread per connection, as `oxigraph serve` does.
//!
//! The listener runs on the caller's runtime; each accepted connection gets
//! its own thread with a single-threaded tokio runtime that runs hyper and
//! the router. Handlers may therefore block: a SPARQL query is evaluated on
//! the thread that read it and writes its answer, with no hand-off to a
//! pool, and a long query holds up nobody else. Waking one thread per
//! request instead of three keeps small queries fast on a busy machine.
//!
//! A thread whose connection has closed waits [`THREAD_IDLE`] for the next
//! one, keeping its runtime. At most `max_connections` connections are
//! served at once (the next ones wait in the listen queue), and a
//! connection idle for [`IDLE`] is closed, so idle keep-alive clients do
//! not hold threads for long. On shutdown, no connection is accepted any
//! more and each one finishes its request in progress.
//!
//! Whatever a handler answers, the request's body is read to its end before
//! the answer leaves (up to [`DRAIN_BYTES`] past what the handler read, for
//! at most [`DRAIN_TIME`]): a client's next request on the same connection
//! then finds it ready. When the rest is larger, slower, or the client
//! waits for `100 Continue`, the answer says `Connection: close` and the
//! connection is closed after it.

use super::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use http_body::Body as _;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::mpsc::{RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::thread::ThreadId;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt as _;

/// How long a connection may wait for (the rest of) a request's headers,
/// idle keep-alive time included.
const IDLE: Duration = Duration::from_secs(15);

/// How long a connection thread waits for a next connection before ending.
const THREAD_IDLE: Duration = Duration::from_secs(60);

/// The stack of a connection thread. A query is parsed, rewritten, planned
/// and evaluated on it, all by recursion over its algebra, and a stack
/// overflow aborts the whole server: the limits of `query::Shape` keep a
/// query well under 2 MiB (the default), and this leaves four times that.
/// Only the pages a query touches are used.
const STACK: usize = 8 << 20;

/// At most this much of a request body left unread by its handler is read
/// and dropped to keep the connection open.
const DRAIN_BYTES: usize = 4 * 1024 * 1024;

/// At most this long is spent reading a body left unread.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// The client side of the connection a request came on, put in the
/// request's extensions: the SPARQL watch looks at it to notice a client
/// that went away while its query runs.
#[derive(Clone)]
pub(crate) struct Client(pub(crate) Arc<std::net::TcpStream>);

/// The watch of a query looks at its connection: a client that closed its
/// side has gone; cutting it off shuts the connection down.
impl crate::query::Peer for std::net::TcpStream {
    /// The socket is non-blocking (it is the connection's, registered with
    /// tokio): no byte waiting is `WouldBlock`, a closed side is a read of 0
    /// bytes.
    fn is_gone(&self) -> bool {
        match self.peek(&mut [0]) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => !matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            ),
        }
    }

    fn cut(&self) {
        let _ = self.shutdown(std::net::Shutdown::Both);
    }
}

/// Serves bibia's router over `state` on `listener` until `shutdown`
/// completes, then lets every connection finish its request in progress.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    max_connections: usize,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let app = super::app(state);
    let slots = Arc::new(Semaphore::new(max_connections));
    let (stop, stopped) = watch::channel(false);
    let threads = Arc::new(Threads::new(THREAD_IDLE));
    let mut warned = false;
    tokio::pin!(shutdown);
    loop {
        let permit = match slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                if !warned {
                    tracing::warn!(
                        max_connections,
                        "nombre maximal de connexions atteint : les suivantes attendent"
                    );
                    warned = true;
                }
                tokio::select! {
                    p = slots.clone().acquire_owned() => p.map_err(io::Error::other)?,
                    () = &mut shutdown => break,
                }
            }
        };
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    // Out of file descriptors and the like: wait, retry.
                    tracing::warn!("connexion non acceptée : {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Moved off the listener's runtime, for the connection's own.
        let tcp = match tcp.into_std() {
            Ok(tcp) => tcp,
            Err(e) => {
                tracing::warn!("connexion abandonnée : {e}");
                continue;
            }
        };
        if let Err(job) = threads.hand(Job { tcp, permit }) {
            let threads = threads.clone();
            let app = app.clone();
            let stopped = stopped.clone();
            let spawned = std::thread::Builder::new()
                .name("bibia-connexion".into())
                .stack_size(STACK)
                .spawn(move || threads.work(job, &app, &stopped));
            if let Err(e) = spawned {
                tracing::warn!("connexion refusée, pas de fil d'exécution disponible : {e}");
            }
        }
    }
    // Told before the waiting threads are let go, so that a thread ending
    // its connection meanwhile does not start waiting again.
    let _ = stop.send(true);
    threads.close();
    // Every connection gives its permit back when its thread ends.
    let _all = slots
        .acquire_many(u32::try_from(max_connections).unwrap_or(u32::MAX))
        .await;
    Ok(())
}

/// A connection to serve, with its place among `max_connections`.
struct Job {
    tcp: std::net::TcpStream,
    permit: OwnedSemaphorePermit,
}

/// The connection threads waiting for their next connection (each keeps
/// its runtime): handing a connection to one costs less than starting a
/// thread and a runtime.
struct Threads {
    waiting: Mutex<Vec<(ThreadId, SyncSender<Job>)>>,
    /// How long a thread waits for its next connection.
    idle: Duration,
}

impl Threads {
    fn new(idle: Duration) -> Self {
        Self {
            waiting: Mutex::default(),
            idle,
        }
    }

    /// Hands `job` to a waiting thread; gives it back when none waits.
    fn hand(&self, mut job: Job) -> Result<(), Job> {
        loop {
            let Some((_, thread)) = self.lock().pop() else {
                return Err(job);
            };
            // Each wait has its own channel of one place: never full.
            match thread.try_send(job) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Full(back) | TrySendError::Disconnected(back)) => job = back,
            }
        }
    }

    /// Serves `job`, then the connections handed over, until none comes
    /// for `idle` or the server stops.
    fn work(&self, mut job: Job, app: &Router, stopped: &watch::Receiver<bool>) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("connexion refusée, pas d'exécuteur : {e}");
                return;
            }
        };
        let me = std::thread::current().id();
        loop {
            let Job { tcp, permit } = job;
            if let Err(e) = runtime.block_on(connection(tcp, app.clone(), stopped.clone())) {
                tracing::debug!("connexion terminée sur une erreur : {e}");
            }
            drop(permit);
            if *stopped.borrow() {
                return;
            }
            let (thread, next) = std::sync::mpsc::sync_channel(1);
            self.lock().push((me, thread));
            job = match next.recv_timeout(self.idle) {
                Ok(next) => next,
                Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {
                    let mut waiting = self.lock();
                    match waiting.iter().position(|(id, _)| *id == me) {
                        Some(at) => {
                            waiting.remove(at);
                            return;
                        }
                        // Taken meanwhile: a connection is on its way (or
                        // the server closed, and `recv` fails).
                        None => {
                            drop(waiting);
                            match next.recv() {
                                Ok(next) => next,
                                Err(_) => return,
                            }
                        }
                    }
                }
            };
        }
    }

    /// Lets the waiting threads end.
    fn close(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(ThreadId, SyncSender<Job>)>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The address of the client at the other end of the connection (no
/// proxy header is trusted): what the log-in and report throttles count.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(pub(crate) Option<std::net::IpAddr>);

/// Serves one connection on the current thread's runtime.
async fn connection(
    tcp: std::net::TcpStream,
    app: Router,
    mut stopped: watch::Receiver<bool>,
) -> io::Result<()> {
    // Answers leave as soon as they are written: without TCP_NODELAY, the
    // end of an answer can wait for the client's delayed ACK.
    tcp.set_nodelay(true)?;
    let client = Client(Arc::new(tcp.try_clone()?));
    let peer = Peer(tcp.peer_addr().map(|a| a.ip()).ok());
    let tcp = tokio::net::TcpStream::from_std(tcp)?;
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let app = app.clone();
        let client = client.clone();
        async move {
            let expects_continue = request
                .headers()
                .get(header::EXPECT)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
            let (request, left) = Tracked::wrap(request);
            let mut request = request;
            request.extensions_mut().insert(client);
            request.extensions_mut().insert(peer);
            let mut response = app.oneshot(request).await?;
            let closing = response
                .headers()
                .get(header::CONNECTION)
                .is_some_and(|v| v == "close");
            let kept = match left {
                Some(left) if !closing => left.finish(expects_continue).await,
                _ => true,
            };
            if !kept {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok::<_, Infallible>(response)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(IDLE)
        .serve_connection(TokioIo::new(tcp), service);
    tokio::pin!(conn);
    tokio::select! {
        done = conn.as_mut() => return done.map_err(io::Error::other),
        _ = stopped.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    conn.await.map_err(io::Error::other)
}

/// A request body that, once its handler drops it, hands what is left of
/// it back to the connection ([`Leftover`]).
struct Tracked {
    inner: Option<Incoming>,
    left: Arc<Mutex<Leftover>>,
}

/// What became of a request body.
#[derive(Default)]
enum Leftover {
    /// Still held by the handler.
    #[default]
    Held,
    /// Read to its end.
    Read,
    /// Dropped before its end: the rest, still to read.
    Unread(Incoming),
}

/// The connection's side of a [`Tracked`] body.
struct Left(Arc<Mutex<Leftover>>);

impl Tracked {
    /// Wraps the body of `request`, when it has one.
    fn wrap(request: Request<Incoming>) -> (Request<axum::body::Body>, Option<Left>) {
        if request.body().is_end_stream() {
            return (request.map(axum::body::Body::new), None);
        }
        let left = Arc::new(Mutex::new(Leftover::Held));
        let request = request.map(|inner| {
            axum::body::Body::new(Self {
                inner: Some(inner),
                left: left.clone(),
            })
        });
        (request, Some(Left(left)))
    }

    fn set(&self, state: Leftover) {
        *self.left.lock().unwrap_or_else(PoisonError::into_inner) = state;
    }
}

impl http_body::Body for Tracked {
    type Data = axum::body::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(&mut *inner).poll_frame(cx);
        let ended = match &polled {
            Poll::Ready(None) => true,
            Poll::Ready(Some(Ok(_))) => inner.is_end_stream(),
            _ => false,
        };
        if ended {
            this.inner = None;
            this.set(Leftover::Read);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(http_body::Body::is_end_stream)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.as_ref().map_or_else(
            || http_body::SizeHint::with_exact(0),
            http_body::Body::size_hint,
        )
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            self.set(if inner.is_end_stream() {
                Leftover::Read
            } else {
                Leftover::Unread(inner)
            });
        }
    }
}

impl Left {
    /// Reads the rest of a body its handler left; whether the connection
    /// can serve a next request (else the answer must close it).
    async fn finish(self, expects_continue: bool) -> bool {
        let left = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        match left {
            Leftover::Read => true,
            // Still held (by a streamed answer?): the connection cannot wait.
            Leftover::Held => false,
            // The client waits for our go-ahead to send it: never ask.
            Leftover::Unread(_) if expects_continue => false,
            Leftover::Unread(mut rest) => {
                let drain = async {
                    let mut read = 0;
                    while let Some(frame) = rest.frame().await {
                        let Ok(frame) = frame else { return false };
                        read += frame.data_ref().map_or(0, |d| d.len());
                        if read > DRAIN_BYTES {
                            return false;
                        }
                    }
                    true
                };
                tokio::time::timeout(DRAIN_TIME, drain)
                    .await
                    .unwrap_or(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};

    /// Sends a GET on a new connection; the answer's body comes once the
    /// connection is handed over.
    fn ask(addr: std::net::SocketAddr) -> std::net::TcpStream {
        let mut tcp = std::net::TcpStream::connect(addr).expect("connects");
        tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("sent");
        tcp
    }

    fn body(mut tcp: std::net::TcpStream) -> String {
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).expect("read");
        answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or(answer)
    }

    #[test]
    fn a_thread_serves_the_next_connection_then_ends_when_idle() {
        let threads = Arc::new(Threads::new(Duration::from_millis(300)));
        let app = Router::new().route(
            "/",
            axum::routing::get(|| async { format!("{:?}", std::thread::current().id()) }),
        );
        let (_stop, stopped) = watch::channel(false);
        let slots = Arc::new(Semaphore::new(4));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        let addr = listener.local_addr().expect("address");
        let accept = || {
            let (tcp, _) = listener.accept().expect("accepted");
            tcp.set_nonblocking(true).expect("non-blocking");
            Job {
                tcp,
                permit: slots.clone().try_acquire_owned().expect("a slot"),
            }
        };
        // No thread waits: the first connection starts one.
        let client = ask(addr);
        let Err(job) = threads.hand(accept()) else {
            panic!("handed to a thread that does not exist");
        };
        let worker = {
            let (threads, app, stopped) = (threads.clone(), app.clone(), stopped.clone());
            std::thread::spawn(move || threads.work(job, &app, &stopped))
        };
        let first = body(client);
        // Once the connection is closed, the same thread serves the next one.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while threads.lock().is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the thread never waits"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let client = ask(addr);
        assert!(threads.hand(accept()).is_ok());
        assert_eq!(body(client), first);
        // Idle for longer than its limit, it ends and waits no more.
        worker.join().expect("the thread ends");
        assert!(threads.lock().is_empty());
        assert_eq!(slots.available_permits(), 4, "every slot given back");
        let client = ask(addr);
        assert!(threads.hand(accept()).is_err());
        drop(client);
    }
}
