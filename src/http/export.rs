//! The files harvesters and tools fetch, each made by a domain function of
//! [`crate::export`] and kept in the page cache (ETag, 304, gzip, one
//! build per data version):
//!
//! - `/export/projets.csv`: the public use cases in the network's public
//!   CSV layout, as an attachment;
//! - `/sitemap.xml` (and `/sitemap-{n}.xml` once it is an index): every
//!   page with its last modification;
//! - `/robots.txt`: everything allowed, and where the sitemap is.

use super::cache::Cached;
use super::pages::{Basis, Inputs, answer, cached, kept, not_found};
use super::{AppState, HttpError};
use crate::export::{self, Sitemap};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

const XML: &str = "application/xml; charset=utf-8";

/// `GET /export/projets.csv`.
pub(crate) async fn projets_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let base = state.base.clone();
    cached(
        &state,
        "/export/projets.csv".to_owned(),
        &headers,
        Basis::Data,
        |made| {
            let body = export::projets_csv(made.store, &base).map_err(HttpError::internal)?;
            Ok(
                Cached::new(StatusCode::OK, "text/csv; charset=utf-8", body, None, None)
                    .with_header(
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"projets.csv\"",
                    ),
            )
        },
    )
}

/// `GET /sitemap.xml`: the sitemap, or the index of its files.
pub(crate) async fn sitemap(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let limit = state.sitemap_limit;
    let base = state.base.clone();
    cached(
        &state,
        "/sitemap.xml".to_owned(),
        &headers,
        Basis::Data,
        |made| {
            let map = Sitemap::build(made.store, &base, limit).map_err(HttpError::internal)?;
            Ok(Cached::new(
                StatusCode::OK,
                XML,
                map.root().into_bytes(),
                None,
                None,
            ))
        },
    )
}

/// The number of a sitemap file's path (`sitemap-2.xml` → 2).
pub(super) fn sitemap_part(name: &str) -> Option<usize> {
    let n = name.strip_prefix("sitemap-")?.strip_suffix(".xml")?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
        return None;
    }
    n.parse().ok()
}

/// `GET /sitemap-{n}.xml`: one file of the sitemap index (404 when the
/// sitemap is no index or has fewer files).
pub(super) fn sitemap_file(
    state: &AppState,
    n: usize,
    headers: &HeaderMap,
) -> Result<Response, HttpError> {
    let path = format!("/sitemap-{n}.xml");
    let limit = state.sitemap_limit;
    let made = Inputs::now(state, Basis::Data)?;
    if let Some(hit) = kept(state, &path, &made) {
        return Ok(hit.respond(headers));
    }
    let map = Sitemap::build(made.store, &state.base, limit).map_err(HttpError::internal)?;
    let Some(xml) = map.part(n) else {
        return not_found(state, &path, headers);
    };
    answer(state, path, headers, &made, |_| {
        Ok(Cached::new(
            StatusCode::OK,
            XML,
            xml.into_bytes(),
            None,
            None,
        ))
    })
}

/// `GET /robots.txt`.
pub(crate) async fn robots(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let base = state.base.clone();
    cached(
        &state,
        "/robots.txt".to_owned(),
        &headers,
        Basis::Model,
        |_| {
            Ok(Cached::new(
                StatusCode::OK,
                "text/plain; charset=utf-8",
                export::robots(&base).into_bytes(),
                None,
                None,
            ))
        },
    )
}
