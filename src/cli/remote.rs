//! `bibia load --via URL` and `bibia import … --via URL`: while `bibia
//! serve` holds the store (RocksDB lets one process write it), the files go
//! through the running service, with a moderator's token (`BIBIA_TOKEN`),
//! which runs the same validated, atomic load or import.

use super::Outcome;
use anyhow::Context as _;
use axum::body::Body;
use http_body_util::BodyExt as _;
use hyper_util::rt::TokioIo;

/// A running bibia service and the token to write through it.
pub(crate) struct Service {
    /// `host:port`.
    authority: String,
    /// The path of its base (`/` or `/ia/`).
    root: String,
    token: String,
}

impl Service {
    /// The service at `url` (`http://127.0.0.1:8080/`), with the token of
    /// `BIBIA_TOKEN`.
    pub(crate) fn new(url: &str) -> anyhow::Result<Self> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            anyhow::anyhow!(
                "--via {url} : adresse http:// du service attendue (le service local, par exemple http://127.0.0.1:8080/)"
            )
        })?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        anyhow::ensure!(!authority.is_empty(), "--via {url} : hôte manquant");
        let token = std::env::var("BIBIA_TOKEN").map_err(|_| {
            anyhow::anyhow!(
                "passer par le service demande un jeton de modérateur dans la variable BIBIA_TOKEN (créé par `bibia token create IDENTIFIANT`)"
            )
        })?;
        let root = format!("/{}", path.trim_matches('/'));
        let root = if root.ends_with('/') {
            root
        } else {
            format!("{root}/")
        };
        Ok(Self {
            authority: authority.to_owned(),
            root,
            token,
        })
    }

    /// Sends `body` to `path?query` and returns the status, the number of
    /// rejected rows the service counted and its French report.
    fn post(
        &self,
        path: &str,
        query: &[(&str, &str)],
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<(u16, usize, String)> {
        let query = serde_urlencoded::to_string(query)?;
        let uri = format!("{}{path}?{query}", self.root);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let tcp = tokio::net::TcpStream::connect(&self.authority)
                .await
                .with_context(|| {
                    format!(
                        "service injoignable à {} (bibia serve tourne-t-il ?)",
                        self.authority
                    )
                })?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
            tokio::spawn(connection);
            let request = hyper::Request::post(&uri)
                .header(hyper::header::HOST, &self.authority)
                .header(
                    hyper::header::AUTHORIZATION,
                    format!("Bearer {}", self.token),
                )
                .header(hyper::header::CONTENT_TYPE, content_type)
                .body(Body::from(body))?;
            let response = sender.send_request(request).await?;
            let status = response.status().as_u16();
            let rejected = response
                .headers()
                .get("bibia-rejets")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let text = response.into_body().collect().await?.to_bytes();
            Ok((
                status,
                rejected,
                String::from_utf8_lossy(&text).into_owned(),
            ))
        })
    }
}

/// What the service's answer means for the command.
fn outcome(status: u16, rejected: usize, text: &str) -> anyhow::Result<Outcome> {
    match status {
        200 if rejected == 0 => {
            eprint!("{text}");
            Ok(Outcome::Success)
        }
        200 | 422 if !text.starts_with("Erreur") => {
            eprint!("{text}");
            Ok(Outcome::Rejected)
        }
        _ => anyhow::bail!("le service a refusé l'envoi ({status}) :\n{text}"),
    }
}

/// Loads `files` through the service: they are read and their IRIs
/// resolved here (with `--base-iri`, or the service's own default), then
/// sent as one N-Quads document, loaded in one atomic write.
pub(crate) fn load(
    service: &Service,
    base: &crate::iri::BaseIri,
    files: &[std::path::PathBuf],
    rebase: bool,
) -> anyhow::Result<Outcome> {
    let mut batches = Vec::with_capacity(files.len());
    for path in files {
        let (format, bytes) = crate::rdf::read_bytes(path)?;
        let quads = crate::rdf::parse(path, format, &bytes, base.as_str())?;
        batches.push(crate::store::Batch {
            name: path.display().to_string(),
            quads,
            text: None,
        });
    }
    if rebase {
        for from in crate::store::rebase(&mut batches, base) {
            eprintln!("IRI sous {from} renommées sous {}", base.as_str());
        }
    }
    let mut body = Vec::new();
    let mut out = oxttl::NQuadsSerializer::new().for_writer(&mut body);
    let mut quads = 0;
    for q in batches.iter().flat_map(|b| &b.quads) {
        out.serialize_quad(q)?;
        quads += 1;
    }
    out.finish();
    let names: Vec<String> = batches.iter().map(|b| b.name.clone()).collect();
    eprintln!(
        "{quads} triplets lus dans {} fichier(s) ; envoi au service…",
        files.len()
    );
    let (status, rejected, text) = service.post(
        "admin/load",
        &[("nom", &names.join(", "))],
        "application/n-quads",
        body,
    )?;
    outcome(status, rejected, &text)
}

/// Imports the network's CSV through the service.
pub(crate) fn import(
    service: &Service,
    file: &std::path::Path,
    columns: &[(crate::import::Field, String)],
    dry_run: bool,
) -> anyhow::Result<Outcome> {
    let bytes = std::fs::read(file).with_context(|| format!("lecture de {}", file.display()))?;
    let columns = columns
        .iter()
        .map(|(f, c)| format!("{}={c}", f.name()))
        .collect::<Vec<_>>()
        .join(",");
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    eprintln!("Envoi de {} au service…", file.display());
    let (status, rejected, text) = service.post(
        "admin/import",
        &[
            ("nom", name.as_str()),
            ("essai", if dry_run { "1" } else { "0" }),
            ("colonnes", columns.as_str()),
        ],
        "text/csv",
        bytes,
    )?;
    outcome(status, rejected, &text)
}
