//! The HTTP server: one thread per connection, as `oxigraph serve` does.
//!
//! The listener runs on the caller's runtime; each accepted connection gets
//! its own thread with a single-threaded tokio runtime that runs hyper and
//! the router. Handlers may therefore block: a SPARQL query is evaluated on
//! the thread that read it and writes its answer, with no hand-off to a
//! pool, and a long query holds up nobody else. Waking one thread per
//! request instead of three keeps small queries fast on a busy machine.
//!
//! At most `max_connections` connections are served at once (the next ones
//! wait in the listen queue), and a connection idle for [`IDLE`] is closed,
//! so idle keep-alive clients do not hold threads for long. On shutdown,
//! no connection is accepted any more and each one finishes its request in
//! progress.

use super::AppState;
use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;

/// How long a connection may wait for (the rest of) a request's headers,
/// idle keep-alive time included.
pub(crate) const IDLE: Duration = Duration::from_secs(15);

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
        let app = app.clone();
        let stopped = stopped.clone();
        let spawned = std::thread::Builder::new()
            .name("bibia-connexion".into())
            .spawn(move || {
                let _permit = permit;
                if let Err(e) = connection(tcp, app, stopped) {
                    tracing::debug!("connexion terminée sur une erreur : {e}");
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("connexion refusée, pas de fil d'exécution disponible : {e}");
        }
    }
    let _ = stop.send(true);
    // Every connection gives its permit back when its thread ends.
    let _all = slots
        .acquire_many(u32::try_from(max_connections).unwrap_or(u32::MAX))
        .await;
    Ok(())
}

/// Serves one connection on the current thread.
fn connection(
    tcp: tokio::net::TcpStream,
    app: Router,
    mut stopped: watch::Receiver<bool>,
) -> io::Result<()> {
    // Answers leave as soon as they are written: without TCP_NODELAY, the
    // end of an answer can wait for the client's delayed ACK.
    tcp.set_nodelay(true)?;
    // Moved off the listener's runtime onto this thread's.
    let tcp = tcp.into_std()?;
    let client = Client(Arc::new(tcp.try_clone()?));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
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
    })
}
