//! `/recherche?q=…`: the search across every kind of record, as a page or,
//! for scripts, as JSON (`format=json`, or `Accept: application/json`
//! without `text/html`): `type=projets` keeps one kind, `limite=N` (at most
//! 200) the number of results. Kept in the page cache like every page: a
//! search asked again over the same indexes is not run again.

use super::cache::Cached;
use super::pages::{Basis, Inputs, cached, html};
use super::{AppState, HttpError, Message};
use crate::browse::Kind;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

/// The most results a JSON answer gives.
const MAX_LIMIT: usize = 200;

/// `GET /recherche`.
pub(crate) async fn recherche(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| {
        HttpError::BadRequest(Message::new(
            format!("paramètres de recherche illisibles : {e}"),
            format!("unreadable search parameters: {e}"),
        ))
    })?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_owned())
    };
    let q = get("q").unwrap_or_default();
    let kind = match get("type").filter(|t| !t.is_empty()) {
        Some(t) => Some(Kind::from_path(&t).ok_or_else(|| {
            HttpError::BadRequest(Message::new(
                format!("type « {t} » inconnu : projets, organisations, solutions ou ressources"),
                format!("unknown type “{t}”: projets, organisations, solutions or ressources"),
            ))
        })?),
        None => None,
    };
    let limit = match get("limite") {
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                HttpError::BadRequest(Message::new(
                    format!("limite « {l} » invalide : un nombre de 1 à {MAX_LIMIT}"),
                    format!("invalid limit “{l}”: a number from 1 to {MAX_LIMIT}"),
                ))
            })?,
        None => 20,
    };
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let json = get("format").is_some_and(|f| f == "json")
        || (accept.contains("application/json") && !accept.contains("text/html"));
    let key = format!(
        "/recherche {} {} {limit} {q}",
        if json { "json" } else { "html" },
        kind.map_or("", Kind::path),
    );
    let site = &state.pages.site;
    let mut response = cached(&state, key, &headers, Basis::Lists, |made| {
        let index = &made.indexes()?.records;
        let (counts, hits) = if q.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let shown = if json {
                limit
            } else {
                crate::html::search::SHOWN
            };
            overview(&state, made, &q, kind, shown)?
        };
        if json {
            let body = crate::html::search_json(index, site, &q, &counts, &hits, limit);
            Ok(Cached::new(
                StatusCode::OK,
                "application/json",
                body.to_string().into_bytes(),
                None,
                None,
            ))
        } else {
            html(
                StatusCode::OK,
                &crate::html::search_page(index, site, &q, &counts, &hits),
                None,
            )
        }
    })?;
    response.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    Ok(response)
}

/// How many records of each kind match `q`, and the best `shown` of each
/// with their passage.
fn overview(
    state: &AppState,
    made: &Inputs<'_>,
    q: &str,
    kind: Option<Kind>,
    shown: usize,
) -> Result<crate::search::Overview, HttpError> {
    let indexes = made.indexes()?;
    let index = state.pages.derived.search(indexes, made.store)?;
    let (counts, mut hits) = index
        .overview(&indexes.records, q, kind, shown)
        .map_err(HttpError::internal)?;
    let mut all: Vec<&mut crate::search::Hit> = hits.iter_mut().collect();
    index.snippets(q, &mut all).map_err(HttpError::internal)?;
    Ok((counts, hits))
}
