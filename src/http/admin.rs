//! Loads and imports through the running service. RocksDB lets one process
//! write a store, and `bibia serve` holds it: `bibia load --via URL` and
//! `bibia import … --via URL` send their files here, with a moderator's
//! token, and the service runs the same validated, atomic load or import
//! as the command would, answering the command's own French report.
//!
//! - `POST /admin/load?nom=…` takes N-Quads (the command parses the files
//!   and resolves their IRIs first);
//! - `POST /admin/import?nom=…&essai=1&colonnes=…` takes the network's CSV.

use super::state::AppState;
use super::write::{caller, contrib, read_limited};
use super::{HttpError, Message};
use crate::store::{Batch, LoadError};
use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use std::sync::Arc;

/// The largest file sent through the service (the whole import of the
/// network fits many times over).
const MAX_FILE: usize = 512 << 20;

fn param(query: Option<&str>, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query.unwrap_or(""))
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn text(status: StatusCode, body: String, rejected: usize) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header("bibia-rejets", rejected.to_string())
        .body(Body::from(body))
        .unwrap_or_default()
}

/// The moderator calling, or `401`/`403`.
fn moderator(state: &AppState, request: &Request) -> Result<Arc<super::state::Contrib>, HttpError> {
    let contrib = contrib(state)?;
    let caller = caller(&contrib, request.headers())?;
    if !caller.moderator {
        return Err(HttpError::Forbidden(Message::new(
            "charger ou importer demande un jeton de modérateur",
            "loading or importing needs a moderator's token",
        )));
    }
    Ok(contrib)
}

/// `POST /admin/load`: loads N-Quads as `bibia load` does.
pub(crate) async fn load(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = moderator(&state, &request)?;
    let name = param(query.as_deref(), "nom").unwrap_or_else(|| "envoi.nq".to_owned());
    let bytes = read_limited(request, MAX_FILE).await?;
    super::blocking(move || {
        let quads = crate::rdf::parse(
            std::path::Path::new(&name),
            oxigraph::io::RdfFormat::NQuads,
            &bytes,
            contrib.stores.base().as_str(),
        )
        .map_err(|e| HttpError::BadRequest(Message::new(e.to_string(), e.to_string())))?;
        let start = std::time::Instant::now();
        let batch = Batch {
            name: name.clone(),
            quads,
            text: None,
        };
        match super::write::publishing(&state, || contrib.stores.load(vec![batch], |_| ())) {
            Ok(s) => Ok({
                text(
                    StatusCode::OK,
                    format!(
                        "Chargé par le service : {} quads dans {} graphe(s) ({} remplacé(s), {} déjà à jour), dont {} publics, en {:.1} s.\n",
                        s.quads,
                        s.graphs,
                        s.replaced,
                        s.unchanged,
                        s.public_quads,
                        start.elapsed().as_secs_f64()
                    ),
                    0,
                )
            }),
            Err(LoadError::NotConform { report, locations }) => Ok(text(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "{}Chargement refusé : la base n'a pas été modifiée.\n",
                    report.to_french_text(Some(&locations))
                ),
                report.results().len(),
            )),
            Err(LoadError::ForeignBase(foreign)) => Err(HttpError::Unprocessable(Message::new(
                format!("{foreign} : relancez avec --rebase"),
                format!("{foreign}: run again with --rebase"),
            ))),
            Err(LoadError::Store(e)) => Err(HttpError::storage(&e)),
        }
    })
}

/// `POST /admin/import`: imports the network's CSV as `bibia import
/// interconnectes` does.
pub(crate) async fn import(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = moderator(&state, &request)?;
    let name = param(query.as_deref(), "nom").unwrap_or_else(|| "envoi.csv".to_owned());
    let dry_run = param(query.as_deref(), "essai").is_some_and(|v| v == "1");
    let columns = match param(query.as_deref(), "colonnes") {
        Some(c) if !c.is_empty() => c
            .split(',')
            .map(crate::import::parse_column)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| HttpError::BadRequest(Message::new(e.to_string(), e.to_string())))?,
        _ => Vec::new(),
    };
    let bytes = read_limited(request, MAX_FILE).await?;
    super::blocking(move || {
        let options = crate::import::Options {
            dry_run,
            progress: None,
            columns,
        };
        let imported = super::write::publishing(&state, || {
            crate::import::import_bytes(&contrib.stores, &name, &bytes, &options)
        });
        match imported {
            Ok(report) => {
                let mut out = String::new();
                for note in &report.notes {
                    out += &format!("{} : {note}\n", report.source);
                }
                for w in &report.warnings {
                    out += &format!("avertissement, ligne {} : {}\n", w.row, w.message);
                }
                for r in &report.rejected {
                    out += &format!("REJET, ligne {} : {}\n", r.row, r.message);
                }
                out += &report.summary();
                Ok(text(StatusCode::OK, out, report.rejected.len()))
            }
            Err(
                crate::import::ImportError::Store(e)
                | crate::import::ImportError::Load(LoadError::Store(e)),
            ) => Err(HttpError::storage(&e)),
            Err(e) => Err(HttpError::Unprocessable(Message::new(
                e.to_string(),
                e.to_string(),
            ))),
        }
    })
}
