//! Shared helpers of the integration tests: stores in temporary
//! directories, a shared demo store, and `TestApp` to call the router
//! without sockets.

#![allow(dead_code, unreachable_pub)]

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use bibia::iri::BaseIri;
use bibia::seed::{self, Seed};
use bibia::store::Stores;
use http_body_util::BodyExt as _;
use std::sync::OnceLock;
use tower::ServiceExt as _;

/// The base IRI every test uses.
pub const BASE: &str = "http://localhost:8080/";

/// A store in its own temporary directory.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub stores: Stores,
}

impl TestStore {
    /// An empty store (nothing loaded, not even the model).
    pub fn empty() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let stores = Stores::open(&dir.path().join("data"), base()).expect("open store");
        Self { dir, stores }
    }

    /// A store holding the model only.
    pub fn with_model() -> Self {
        let s = Self::empty();
        seed::load(
            &s.stores,
            Seed {
                reference: false,
                demo: false,
            },
        )
        .expect("model loads");
        s
    }

    /// A store holding the model, the territories and the demo data.
    pub fn with_demo() -> Self {
        let s = Self::empty();
        seed::load(
            &s.stores,
            Seed {
                reference: true,
                demo: true,
            },
        )
        .expect("demo loads");
        s
    }
}

/// The base IRI of the tests.
pub fn base() -> BaseIri {
    BaseIri::parse(BASE).expect("valid base")
}

/// One demo store shared by every read-only test of the binary.
pub fn demo() -> &'static TestStore {
    static DEMO: OnceLock<TestStore> = OnceLock::new();
    DEMO.get_or_init(TestStore::with_demo)
}

/// The router over a store's public projection.
pub struct TestApp {
    router: axum::Router,
}

impl TestApp {
    /// The app over the shared demo store, with default limits.
    pub fn demo() -> Self {
        Self::with_limits(demo(), bibia::config::QueryLimits::default())
    }

    /// The app over `store` with the given limits.
    pub fn with_limits(store: &TestStore, limits: bibia::config::QueryLimits) -> Self {
        let state = bibia::http::AppState::new(store.stores.public(), base(), limits);
        Self {
            router: bibia::http::app(state),
        }
    }

    /// Sends a request and collects the whole response.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        TestResponse::read(response).await
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
    async fn read(response: Response<Body>) -> Self {
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
