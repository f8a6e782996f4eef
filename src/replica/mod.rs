//! Read replicas (`bibia serve --replica-of URL`): a copy of a primary's
//! public projection that follows its change feed (`/flux`, see
//! `http/replication.rs`) and serves pages, lists, search, SPARQL and dumps
//! from its own store, so that several machines behind an ordinary load
//! balancer share the reads. Writes stay on the primary.
//!
//! The follower asks the primary what changed since its position, waiting
//! on the primary's side (long polling) when nothing did, so a write reaches
//! the replicas within the time of one answer. Each answer is written to a
//! file first and applied only once received whole (its last line names the
//! position it leads to); a complete copy replaces only the graphs that
//! differ. The position is kept in the data directory, so a restarted
//! replica carries on where it stopped.

use crate::store::{Position, ReplicaStore, StoreError};
use crate::vocab::replication;
use anyhow::Context as _;
use http_body_util::BodyExt as _;
use hyper_util::rt::TokioIo;
use oxigraph::model::{GraphName, Quad, Term};
use serde::Serialize;
use std::io::{BufReader, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// How long the primary may hold a request while nothing changes.
const WAIT: Duration = Duration::from_secs(20);

/// After a change, how long the data stays unchanged before the dumps are
/// made again (as on a primary: a dump reads everything).
const DUMPS_AFTER_QUIET: Duration = Duration::from_secs(30);

/// Longest pause between attempts while the primary cannot be reached.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The primary a replica follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `host:port`.
    authority: String,
    /// The path of its base, ending with `/`.
    root: String,
}

impl Source {
    /// Reads `http://host:port/` (a path after the host is kept).
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            anyhow::anyhow!(
                "--replica-of {url} : adresse http:// du serveur principal attendue \
                 (par exemple http://10.0.0.1:8080/ ; les machines se parlent sur le réseau interne)"
            )
        })?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        anyhow::ensure!(!authority.is_empty(), "--replica-of {url} : hôte manquant");
        let path = path.trim_matches('/');
        let root = if path.is_empty() {
            "/".to_owned()
        } else {
            format!("/{path}/")
        };
        Ok(Self {
            authority: authority.to_owned(),
            root,
        })
    }

    /// The primary's address, as given.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.authority, self.root)
    }
}

/// How the copy stands, for `/healthz` and the logs.
#[derive(Debug)]
pub struct Status {
    source: Source,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    position: Option<Position>,
    contact: Option<Instant>,
    changed: Option<SystemTime>,
    error: Option<String>,
    copies: u64,
    updates: u64,
}

/// [`Status`] as `/healthz` shows it.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The primary followed.
    pub source: String,
    /// The position reached.
    pub position: Option<String>,
    /// Seconds since the primary last answered.
    pub seconds_since_contact: Option<u64>,
    /// When the copy last changed (RFC 3339).
    pub last_change: Option<String>,
    /// Complete copies made by this process.
    pub complete_copies: u64,
    /// Updates applied by this process.
    pub updates: u64,
    /// The last failure, if the primary has not answered since.
    pub error: Option<String>,
}

impl Status {
    /// A replica of `source`, at `position`.
    pub fn new(source: Source, position: Option<Position>) -> Self {
        Self {
            source,
            inner: Mutex::new(Inner {
                position,
                ..Inner::default()
            }),
        }
    }

    /// The primary followed.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// What `/healthz` shows.
    pub fn report(&self) -> Report {
        let inner = self.lock();
        Report {
            source: self.source.url(),
            position: inner.position.map(|p| p.to_string()),
            seconds_since_contact: inner.contact.map(|c| c.elapsed().as_secs()),
            last_change: inner.changed.map(crate::time::xsd_date_time),
            complete_copies: inner.copies,
            updates: inner.updates,
            error: inner.error.clone(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What one exchange with the primary did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synced {
    /// Nothing had changed.
    UpToDate,
    /// The graphs changed since the position were replaced.
    Updated {
        /// How many.
        graphs: usize,
    },
    /// The whole projection was compared and copied.
    Copied(crate::store::Copied),
}

/// Follows a primary into a [`ReplicaStore`].
pub struct Follower {
    store: Arc<ReplicaStore>,
    status: Arc<Status>,
    /// Where answers are received before they are applied.
    inbox: PathBuf,
}

impl Follower {
    /// A follower of `status`'s source into `store`; answers are received
    /// in `dir`.
    pub fn new(store: Arc<ReplicaStore>, status: Arc<Status>, dir: &std::path::Path) -> Self {
        Self {
            store,
            status,
            inbox: dir.join("replique-recu.nq"),
        }
    }

    /// Asks once what changed (waiting up to `wait` on the primary's side
    /// when nothing did) and applies it.
    pub fn sync(&self, wait: Duration) -> anyhow::Result<Synced> {
        let result = self.exchange(wait);
        let mut inner = self.status.lock();
        match &result {
            Ok(synced) => {
                inner.contact = Some(Instant::now());
                inner.error = None;
                inner.position = self.store.position();
                match synced {
                    Synced::UpToDate => {}
                    Synced::Updated { .. } => {
                        inner.updates += 1;
                        inner.changed = Some(SystemTime::now());
                    }
                    Synced::Copied(_) => {
                        inner.copies += 1;
                        inner.changed = Some(SystemTime::now());
                    }
                }
            }
            Err(e) => inner.error = Some(format!("{e:#}")),
        }
        result
    }

    /// Follows the primary for ever: `changed` runs after each change (the
    /// lists' and search indexes), `quiet` once the data has not changed
    /// for [`DUMPS_AFTER_QUIET`] (the dumps).
    pub fn follow(&self, changed: impl Fn(), quiet: impl Fn()) -> ! {
        let mut backoff = Duration::from_secs(1);
        let mut since_change: Option<Instant> = None;
        loop {
            match self.sync(WAIT) {
                Ok(Synced::UpToDate) => backoff = Duration::from_secs(1),
                Ok(synced) => {
                    backoff = Duration::from_secs(1);
                    tracing::info!(
                        "réplique à jour ({}) : {}",
                        self.store
                            .position()
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        describe(synced)
                    );
                    changed();
                    since_change = Some(Instant::now());
                }
                Err(e) => {
                    tracing::warn!(
                        "serveur principal {} : {e:#} ; nouvel essai dans {} s",
                        self.status.source.url(),
                        backoff.as_secs()
                    );
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            if since_change.is_some_and(|t| t.elapsed() >= DUMPS_AFTER_QUIET) {
                since_change = None;
                quiet();
            }
        }
    }

    /// One request, its answer received whole in the inbox, then applied.
    fn exchange(&self, wait: Duration) -> anyhow::Result<Synced> {
        let from = self.store.position();
        let (position, kind) = self.receive(from, wait)?;
        let Some(kind) = kind else {
            return Ok(Synced::UpToDate);
        };
        let file = std::fs::File::open(&self.inbox)
            .with_context(|| format!("lecture de {}", self.inbox.display()))?;
        check_end(&file, position)?;
        let quads = oxttl::NQuadsParser::new()
            .for_reader(BufReader::new(file))
            .map(|q| q.map_err(|e| StoreError::Serialize(format!("flux illisible : {e}"))));
        let synced = match kind.as_str() {
            "graphes" => {
                let mut graphs = Vec::new();
                let mut data = Vec::new();
                for quad in quads {
                    let quad = quad?;
                    if quad.graph_name == replication::GRAPH.into() {
                        if quad.predicate == replication::REPLACES
                            && let Term::NamedNode(n) = quad.object
                        {
                            graphs.push(GraphName::NamedNode(n));
                        } else if quad.predicate == replication::REPLACES_DEFAULT {
                            graphs.push(GraphName::DefaultGraph);
                        }
                    } else {
                        data.push(quad);
                    }
                }
                self.store.apply(position, &graphs, &data)?;
                Synced::Updated {
                    graphs: graphs.len(),
                }
            }
            "tout" => Synced::Copied(self.store.replace_all(
                position,
                quads.filter(|q| {
                    !q.as_ref()
                        .is_ok_and(|q| q.graph_name == replication::GRAPH.into())
                }),
            )?),
            other => anyhow::bail!("réponse du flux d'un genre inconnu : « {other} »"),
        };
        let _ = std::fs::remove_file(&self.inbox);
        Ok(synced)
    }

    /// Sends the request and writes a `200`'s body to the inbox; returns the
    /// position announced and the kind of answer (none for `204`).
    fn receive(
        &self,
        from: Option<Position>,
        wait: Duration,
    ) -> anyhow::Result<(Position, Option<String>)> {
        let source = &self.status.source;
        let mut query = vec![("attendre", wait.as_secs().to_string())];
        if let Some(p) = from {
            query.push(("depuis", p.to_string()));
        }
        let uri = format!(
            "{}flux?{}",
            source.root,
            serde_urlencoded::to_string(&query)?
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let response = get(source, &uri, wait + Duration::from_secs(30)).await?;
            let status = response.status();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            anyhow::ensure!(
                status.is_success(),
                "le flux de {} répond {status}{}",
                source.url(),
                if status == hyper::StatusCode::NOT_FOUND {
                    " : est-ce bien un serveur principal bibia ?"
                } else {
                    ""
                }
            );
            let position: Position = header("bibia-position")
                .ok_or_else(|| anyhow::anyhow!("réponse du flux sans en-tête Bibia-Position"))?
                .parse()
                .map_err(|e: String| anyhow::anyhow!(e))?;
            if status == hyper::StatusCode::NO_CONTENT {
                return Ok((position, None));
            }
            let kind = header("bibia-replication")
                .ok_or_else(|| anyhow::anyhow!("réponse du flux sans en-tête Bibia-Replication"))?;
            let gzip = header("content-encoding").is_some_and(|e| e.contains("gzip"));
            let file = std::fs::File::create(&self.inbox)
                .with_context(|| format!("écriture de {}", self.inbox.display()))?;
            let mut sink: Box<dyn std::io::Write> = if gzip {
                Box::new(flate2::write::GzDecoder::new(std::io::BufWriter::new(file)))
            } else {
                Box::new(std::io::BufWriter::new(file))
            };
            let mut body = response.into_body();
            loop {
                let frame = tokio::time::timeout(Duration::from_secs(60), body.frame())
                    .await
                    .map_err(|_| anyhow::anyhow!("flux de {} muet depuis 60 s", source.url()))?;
                let Some(frame) = frame else { break };
                if let Ok(bytes) = frame
                    .with_context(|| format!("réception du flux de {}", source.url()))?
                    .into_data()
                {
                    sink.write_all(&bytes)
                        .with_context(|| format!("écriture de {}", self.inbox.display()))?;
                }
            }
            sink.flush()
                .with_context(|| format!("écriture de {}", self.inbox.display()))?;
            drop(sink);
            Ok((position, Some(kind)))
        })
    }
}

/// `GET uri` from the primary, with `limit` for the response's head.
async fn get(
    source: &Source,
    uri: &str,
    limit: Duration,
) -> anyhow::Result<hyper::Response<hyper::body::Incoming>> {
    let tcp = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::net::TcpStream::connect(&source.authority),
    )
    .await
    .map_err(|_| anyhow::anyhow!("pas de réponse de {} en 10 s", source.authority))?
    .with_context(|| format!("{} injoignable", source.authority))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
    tokio::spawn(connection);
    let request = hyper::Request::get(uri)
        .header(hyper::header::HOST, &source.authority)
        .header(hyper::header::ACCEPT_ENCODING, "gzip")
        .header(hyper::header::USER_AGENT, "bibia-replique")
        .body(axum::body::Body::empty())?;
    tokio::time::timeout(limit, sender.send_request(request))
        .await
        .map_err(|_| anyhow::anyhow!("pas de réponse de {} à temps", source.url()))?
        .with_context(|| format!("requête à {}", source.url()))
}

/// The primary's base IRI, from its `/healthz` (a replica serves the same
/// IRIs).
pub fn primary_base(source: &Source) -> anyhow::Result<String> {
    #[derive(serde::Deserialize)]
    struct Health {
        base_iri: String,
        replica: Option<serde_json::Value>,
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let uri = format!("{}healthz", source.root);
        let response = get(source, &uri, Duration::from_secs(30)).await?;
        let status = response.status();
        anyhow::ensure!(
            status.is_success(),
            "{} répond {status} à /healthz : est-ce bien un serveur bibia ?",
            source.url()
        );
        let gzip = response
            .headers()
            .get(hyper::header::CONTENT_ENCODING)
            .is_some_and(|v| v.as_bytes().starts_with(b"gzip"));
        let bytes = response.into_body().collect().await?.to_bytes();
        let bytes = if gzip {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out)?;
            out
        } else {
            bytes.to_vec()
        };
        let health: Health = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} : /healthz illisible (un bibia trop ancien ?)",
                source.url()
            )
        })?;
        anyhow::ensure!(
            health.replica.is_none(),
            "{} est elle-même une réplique : suivez son serveur principal",
            source.url()
        );
        Ok(health.base_iri)
    })
}

/// Checks that the answer's last line is the end the primary announced: an
/// answer cut short is not applied.
fn check_end(file: &std::fs::File, position: Position) -> anyhow::Result<()> {
    let expected = format!(
        "{} .",
        Quad::new(
            replication::GRAPH,
            replication::END,
            oxigraph::model::Literal::from(position.to_string()),
            replication::GRAPH,
        )
    );
    let mut file = file;
    let len = file.metadata()?.len();
    let tail = len.min(expected.len() as u64 + 2);
    file.seek(SeekFrom::Start(len - tail))?;
    let mut last = String::new();
    file.read_to_string(&mut last)?;
    file.seek(SeekFrom::Start(0))?;
    anyhow::ensure!(
        last.trim_end().ends_with(&expected),
        "réponse du flux incomplète (sa dernière ligne n'annonce pas la position {position}) : ignorée"
    );
    Ok(())
}

/// How a change is told in the log.
fn describe(synced: Synced) -> String {
    match synced {
        Synced::UpToDate => "rien de nouveau".to_owned(),
        Synced::Updated { graphs } => format!("{graphs} graphe(s) remplacé(s)"),
        Synced::Copied(c) => format!(
            "copie complète : {} quads reçus, {} graphe(s) remplacé(s), {} identique(s), {} retiré(s)",
            c.quads, c.replaced, c.unchanged, c.removed
        ),
    }
}
