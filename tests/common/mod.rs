//! Shared helpers of the integration tests: stores in temporary
//! directories, a shared demo store, and `TestApp`, bibia's server on a
//! local port.

#![allow(dead_code, unreachable_pub)]

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use bibia::iri::BaseIri;
use bibia::model::seed::Seed;
use bibia::store::Stores;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

/// A path under `../shared` (the conformance suites and the network's
/// reference model), or `None` with a printed skip when it is absent, as in
/// a fresh clone. In CI (`CI` set) it must be there: a missing folder fails
/// the test instead of letting it pass silently.
pub fn shared(relative: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI : {} introuvable ; ../shared/ doit être présent à côté du dépôt",
        path.display()
    );
    println!("skipped: ../shared absent ({} not found)", path.display());
    None
}

/// Turns for the tests that measure time (the SPARQL limits: a 1-second
/// time limit, a body that must time out within 3 s) and the tests that
/// load the machine (bursts of 64 clients, the browser, the sweep of every
/// page): on 2 cores, a burst beside a 1-second limit decides the limit's
/// test. Each takes the lock for its whole run
/// (`TIMING.lock().await`, or `TIMING.blocking_lock()` outside a runtime).
pub static TIMING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The real `bibia serve` binary, started on a free local port; killed
/// when dropped.
pub struct Served {
    /// Where it listens (`127.0.0.1:PORT`).
    pub addr: String,
    child: std::process::Child,
    /// What it wrote on its standard error.
    log: Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Served {
    /// Starts `bibia serve` on a new data directory with `args` and waits
    /// until it listens.
    pub fn start(args: &[&str]) -> Self {
        use std::io::BufRead as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data").display().to_string();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bibia"))
            .args(["serve", "--data-dir", &data, "--bind", "127.0.0.1:0"])
            .args(args)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("bibia serve starts");
        let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
        let mut said = String::new();
        let addr = loop {
            let mut line = String::new();
            let n = stderr.read_line(&mut line).expect("stderr read");
            assert!(n > 0, "bibia serve stopped before listening:\n{said}");
            said.push_str(&line);
            if let Some(rest) = line.strip_prefix("bibia écoute sur http://") {
                break rest.split('/').next().expect("address").to_owned();
            }
        };
        // Keep reading its log, so that it never blocks on a full pipe.
        let log = Arc::new(std::sync::Mutex::new(said));
        let reader = {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut line = String::new();
                while stderr.read_line(&mut line).is_ok_and(|n| n > 0) {
                    log.lock().expect("log").push_str(&line);
                    line.clear();
                }
            })
        };
        Self {
            addr,
            child,
            log,
            reader: Some(reader),
            _dir: dir,
        }
    }

    /// Its data directory.
    pub fn data(&self) -> std::path::PathBuf {
        self._dir.path().join("data")
    }

    /// Its process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for it to end (after a signal); its exit status and log.
    pub fn wait(mut self) -> (std::process::ExitStatus, String) {
        let status = self.child.wait().expect("bibia serve ends");
        if let Some(reader) = self.reader.take() {
            reader.join().expect("log reader");
        }
        let log = self.log.lock().expect("log").clone();
        (status, log)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The base IRI every test uses.
pub const BASE: &str = "http://localhost:8080/";

/// A store in its own temporary directory.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub stores: Arc<Stores>,
}

impl TestStore {
    /// An empty store (nothing loaded, not even the model).
    pub fn empty() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let stores = Arc::new(Stores::open(&dir.path().join("data"), base()).expect("open store"));
        Self { dir, stores }
    }

    /// A store holding the model only.
    pub fn with_model() -> Self {
        let s = Self::empty();
        s.stores
            .seed(Seed {
                reference: false,
                demo: false,
            })
            .expect("model loads");
        s
    }

    /// A store holding the model and the territories, without the demo
    /// (what `bibia serve --no-demo` starts from).
    pub fn with_territories() -> Self {
        let s = Self::empty();
        s.stores
            .seed(Seed {
                reference: true,
                demo: false,
            })
            .expect("model and territories load");
        s
    }

    /// A store holding the model, the territories and the demo data.
    pub fn with_demo() -> Self {
        let s = Self::empty();
        s.stores
            .seed(Seed {
                reference: true,
                demo: true,
            })
            .expect("demo loads");
        s
    }
}

/// The base IRI of the tests.
pub fn base() -> BaseIri {
    BaseIri::parse(BASE).expect("valid base")
}

/// One demo store shared by every read-only test of the binary.
///
/// A static is never dropped, so its folder would outlive the run (some
/// 170 MB each time): it is made as `bibia-demo-{pid}` in the system's
/// temporary folder, and each run first removes those of processes that
/// are gone.
pub fn demo() -> &'static TestStore {
    static DEMO: OnceLock<TestStore> = OnceLock::new();
    DEMO.get_or_init(|| {
        let tmp = std::env::temp_dir();
        if let Ok(entries) = std::fs::read_dir(&tmp) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let gone = name
                    .strip_prefix("bibia-demo-")
                    .and_then(|pid| pid.parse::<u32>().ok())
                    .is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists());
                if gone && std::path::Path::new("/proc/self").exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = tempfile::Builder::new()
            .prefix(&format!("bibia-demo-{}", std::process::id()))
            .rand_bytes(0)
            .tempdir_in(&tmp)
            .expect("temp dir");
        let stores = Stores::open(&dir.path().join("data"), base()).expect("open store");
        stores
            .seed(Seed {
                reference: true,
                demo: true,
            })
            .expect("demo loads");
        TestStore {
            dir,
            stores: Arc::new(stores),
        }
    })
}

/// bibia's HTTP server over a store's public projection, on a free local
/// port: requests go through real connections, as a user's would.
#[derive(Clone)]
pub struct TestApp {
    addr: SocketAddr,
    _stop: Arc<Stop>,
}

/// Stops the server when the last handle on the app is dropped.
struct Stop(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for Stop {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}

impl TestApp {
    /// The app over the shared demo store, with default limits.
    pub fn demo() -> Self {
        Self::with_limits(demo(), bibia::config::QueryLimits::default())
    }

    /// The app over `store` with the given limits.
    pub fn with_limits(store: &TestStore, limits: bibia::config::QueryLimits) -> Self {
        Self::serve(store, limits, 64)
    }

    /// The app over `store`, serving at most `max_connections` at once.
    pub fn serve(
        store: &TestStore,
        limits: bibia::config::QueryLimits,
        max_connections: usize,
    ) -> Self {
        Self::serve_state(Self::state(store, limits), max_connections)
    }

    /// The state of an app over `store`, for a test to change before
    /// [`TestApp::serve_state`].
    pub fn state(store: &TestStore, limits: bibia::config::QueryLimits) -> bibia::http::AppState {
        let layout = Arc::new(store.stores.model().layout.clone());
        bibia::http::AppState::new(
            store.stores.public(),
            base(),
            limits,
            layout,
            bibia::config::DEFAULT_CONTACT,
            store.dir.path(),
        )
        .expect("app state")
    }

    /// The app with this state, serving at most `max_connections` at once.
    pub fn serve_state(state: bibia::http::AppState, max_connections: usize) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                bibia::http::serve(listener, state, max_connections, async {
                    let _ = stopped.await;
                })
                .await
                .expect("server");
            });
        });
        Self {
            addr,
            _stop: Arc::new(Stop(Some(stop))),
        }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends a request on a new connection; the response's body is read as
    /// the caller goes.
    pub async fn request(&self, mut request: Request<Body>) -> Response<Incoming> {
        let tcp = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connects");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .expect("handshake");
        tokio::spawn(connection);
        request
            .headers_mut()
            .insert("host", axum::http::HeaderValue::from_static("localhost"));
        sender.send_request(request).await.expect("server answers")
    }

    /// Sends a request and collects the whole response.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        TestResponse::read(self.request(request).await).await
    }

    /// GET `uri` with an optional `Accept`.
    pub async fn get(&self, uri: &str, accept: Option<&str>) -> TestResponse {
        let mut req = Request::get(uri);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }
}

/// A collected response.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    async fn read(response: Response<Incoming>) -> Self {
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body").to_bytes().to_vec();
        Self {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A SELECT with the prefixes the tests use, over the union of the graphs
/// (IRIs resolved against the tests' base).
pub fn union_select(query: &str) -> oxigraph::sparql::PreparedSparqlQuery {
    let prefixes = "PREFIX bia: <https://w3id.org/bibia/def#> PREFIX dcterms: <http://purl.org/dc/terms/> \
        PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> \
        PREFIX org: <http://www.w3.org/ns/org#> PREFIX adms: <http://www.w3.org/ns/adms#> \
        PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> \
        PREFIX schema: <http://schema.org/> PREFIX vcard: <http://www.w3.org/2006/vcard/ns#> ";
    let mut prepared = oxigraph::sparql::SparqlEvaluator::new()
        .with_base_iri(BASE)
        .expect("base")
        .parse_query(&format!("{prefixes}{query}"))
        .expect("query parses");
    prepared.dataset_mut().set_default_graph_as_union();
    prepared
}

/// The rows of a SELECT's answer as text: IRIs relative to the base,
/// literals as their lexical form, unbound as empty.
pub fn text_rows(results: oxigraph::sparql::QueryResults<'_>) -> Vec<Vec<String>> {
    let oxigraph::sparql::QueryResults::Solutions(solutions) = results else {
        panic!("not a SELECT")
    };
    solutions
        .map(|s| {
            s.expect("solution")
                .values()
                .iter()
                .map(|v| match v {
                    Some(oxigraph::model::Term::NamedNode(n)) => n
                        .as_str()
                        .strip_prefix(BASE)
                        .unwrap_or(n.as_str())
                        .to_owned(),
                    Some(oxigraph::model::Term::Literal(l)) => l.value().to_owned(),
                    Some(t) => t.to_string(),
                    None => String::new(),
                })
                .collect()
        })
        .collect()
}

/// Percent-encodes a query-string value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Imports one use case of the Ville de Nantes into `store` through the
/// network's CSV layout, as a write while the app serves.
pub fn import_project(store: &TestStore, title: &str, description: &str) {
    let csv = format!(
        "Nom_collectivite;Nom_du_projet;Date_de_demarrage;Statut_du_projet;Partenaires;Description_service;mise_en_oeuvre;Theme;Audience\n\
         Ville de Nantes;{title};2023;En déploiement;;{description};;Mobilités;Agent\n"
    );
    let report = bibia::import::import_bytes(
        &store.stores,
        "projets.csv",
        csv.as_bytes(),
        &bibia::import::Options::default(),
    )
    .expect("import runs");
    assert_eq!(report.imported, 1, "{:#?}", report.rejected);
}
