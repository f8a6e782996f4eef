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

use super::AppState;
use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::sync::mpsc::{SendError, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt as _;

/// How long a connection may wait for (the rest of) a request's headers,
/// idle keep-alive time included.
pub(crate) const IDLE: Duration = Duration::from_secs(15);

/// How long a connection thread waits for a next connection before ending.
const THREAD_IDLE: Duration = Duration::from_secs(60);

/// The client side of the connection a request came on, put in the
/// request's extensions: the SPARQL watch looks at it to notice a client
/// that went away while its query runs.
#[derive(Clone)]
pub(crate) struct Client(pub(crate) Arc<std::net::TcpStream>);

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
    let threads = Arc::new(Threads::default());
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
                .spawn(move || threads.work(job, &app, &stopped));
            if let Err(e) = spawned {
                tracing::warn!("connexion refusée, pas de fil d'exécution disponible : {e}");
            }
        }
    }
    threads.close();
    let _ = stop.send(true);
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
#[derive(Default)]
struct Threads {
    waiting: Mutex<Vec<SyncSender<Job>>>,
}

impl Threads {
    /// Hands `job` to a waiting thread; gives it back when none waits.
    fn hand(&self, mut job: Job) -> Result<(), Job> {
        loop {
            let Some(thread) = self.lock().pop() else {
                return Err(job);
            };
            // A rendezvous: taken by a thread in `recv`, or given back by
            // one that stopped waiting.
            match thread.send(job) {
                Ok(()) => return Ok(()),
                Err(SendError(back)) => job = back,
            }
        }
    }

    /// Serves `job`, then the connections handed over, until none comes
    /// for [`THREAD_IDLE`] or the server stops.
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
        loop {
            let Job { tcp, permit } = job;
            if let Err(e) = runtime.block_on(connection(tcp, app.clone(), stopped.clone())) {
                tracing::debug!("connexion terminée sur une erreur : {e}");
            }
            drop(permit);
            if *stopped.borrow() {
                return;
            }
            let (thread, next) = std::sync::mpsc::sync_channel(0);
            self.lock().push(thread);
            match next.recv_timeout(THREAD_IDLE) {
                Ok(next) => job = next,
                Err(_) => return,
            }
        }
    }

    /// Lets the waiting threads end.
    fn close(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SyncSender<Job>>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

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
    let tcp = tokio::net::TcpStream::from_std(tcp)?;
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(client.clone());
        app.clone().oneshot(request)
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
