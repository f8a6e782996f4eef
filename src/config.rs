//! Raw flags and environment turned once into a validated configuration.

use crate::iri::{BaseIri, BaseIriError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Limits of the public SPARQL endpoint.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// Server limit on evaluation time; `timeout=` may only lower it.
    pub timeout: Duration,
    /// Maximum number of result rows (or triples) returned.
    pub max_rows: usize,
    /// Maximum number of queries evaluated at once.
    pub max_concurrent: usize,
    /// Maximum number of queries waiting for a place among
    /// `max_concurrent`; their wait counts in their time limit.
    pub max_queued: usize,
    /// Maximum size of a request body, in bytes.
    pub max_body: usize,
    /// Endpoints `SERVICE` may call; empty disables `SERVICE`.
    pub service_allow: Vec<String>,
    /// Bytes of SPARQL answers kept for queries asked again
    /// ([`crate::query::AnswerCache`]); 0 keeps none.
    pub answer_cache: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            max_rows: 100_000,
            max_concurrent: 8,
            max_queued: 128,
            max_body: 1_048_576,
            service_allow: Vec::new(),
            answer_cache: 128 * 1024 * 1024,
        }
    }
}

/// The service configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the stores live.
    pub data_dir: PathBuf,
    /// Base IRI of the deployment.
    pub base: BaseIri,
    /// Listening address.
    pub bind: SocketAddr,
    /// SPARQL limits.
    pub limits: QueryLimits,
    /// HTTP connections served at once.
    pub max_connections: usize,
    /// Load the demo data into an empty store.
    pub demo: bool,
    /// Where "signaler une erreur" writes to.
    pub contact: String,
    /// Datasets per page of the DCAT catalogue.
    pub catalog_page_size: usize,
    /// Whether the base IRI was given (else it was made from `bind`).
    pub base_given: bool,
    /// The primary this service is a read replica of (`--replica-of`).
    pub replica_of: Option<String>,
}

/// The contact of the pages' "signaler une erreur" until a deployment sets
/// its own (`--contact-email`).
pub const DEFAULT_CONTACT: &str = "contact@bibia.example";

/// A flag or variable with an invalid value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Bad base IRI.
    #[error(transparent)]
    Base(#[from] BaseIriError),
    /// Bad listening address.
    #[error("adresse d'écoute invalide « {0} » : attendu hôte:port, par exemple 127.0.0.1:8080")]
    Bind(String),
    /// A limit of zero.
    #[error("{0} doit être supérieur à zéro")]
    Zero(&'static str),
    /// Not an e-mail address.
    #[error(
        "adresse de contact invalide « {0} » : attendu une adresse électronique, par exemple signalement@exemple.fr"
    )]
    Contact(String),
}

/// The base IRI given, or the local address `http://localhost:{port}/`.
pub fn base_or_local(
    base: Option<&str>,
    bind: Option<&SocketAddr>,
) -> Result<BaseIri, BaseIriError> {
    match base {
        Some(b) => BaseIri::parse(b),
        None => BaseIri::parse(&format!(
            "http://localhost:{}/",
            bind.map_or(8080, SocketAddr::port)
        )),
    }
}

impl Config {
    /// Checks the serve flags.
    pub fn new(
        data_dir: PathBuf,
        base: Option<&str>,
        bind: &str,
        limits: QueryLimits,
        max_connections: usize,
        demo: bool,
    ) -> Result<Self, ConfigError> {
        let bind: SocketAddr = bind
            .parse()
            .map_err(|_| ConfigError::Bind(bind.to_owned()))?;
        if limits.max_rows == 0 {
            return Err(ConfigError::Zero("--max-rows"));
        }
        if limits.max_concurrent == 0 {
            return Err(ConfigError::Zero("--max-concurrent-queries"));
        }
        if limits.max_body == 0 {
            return Err(ConfigError::Zero("--max-body-bytes"));
        }
        if limits.timeout.is_zero() {
            return Err(ConfigError::Zero("--query-timeout"));
        }
        if max_connections == 0 {
            return Err(ConfigError::Zero("--max-connections"));
        }
        Ok(Self {
            base_given: base.is_some(),
            replica_of: None,
            base: base_or_local(base, Some(&bind))?,
            data_dir,
            bind,
            limits,
            max_connections,
            demo,
            contact: DEFAULT_CONTACT.to_owned(),
            catalog_page_size: crate::catalog::PAGE_SIZE,
        })
    }

    /// Sets the contact of "signaler une erreur" (an e-mail address).
    pub fn with_contact(mut self, contact: &str) -> Result<Self, ConfigError> {
        let c = contact.trim();
        let valid = c.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty()
                && host.contains('.')
                && !c.contains(|ch: char| ch.is_whitespace() || "<>\"?&".contains(ch))
        });
        if !valid {
            return Err(ConfigError::Contact(contact.to_owned()));
        }
        self.contact = c.to_owned();
        Ok(self)
    }
}
