//! `/catalog`: the DCAT-AP 3 catalogue ([`crate::catalog`]), by content
//! negotiation (a client without `Accept` gets Turtle, as harvesters
//! expect) or by suffix (`/catalog.ttl`, `.nt`, `.jsonld`, `.rdf`), paged
//! with `?page=N` once it passes its page size; and `/.well-known/void`,
//! the VoID description of the data ([`crate::catalog::void`]), by content
//! negotiation too. Both kept in the page cache.

use super::cache::Cached;
use super::negotiate::{self, Offer};
use super::pages::{Basis, cached, not_found, serialize};
use super::{AppState, HttpError, Message};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use oxigraph::io::{JsonLdProfileSet, RdfFormat};

const OFFERS: [Offer<RdfFormat>; 4] = [
    Offer {
        value: RdfFormat::Turtle,
        media_type: "text/turtle",
        aliases: &["application/x-turtle"],
        names: &["ttl"],
    },
    Offer {
        value: RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
        media_type: "application/ld+json",
        aliases: &["application/json"],
        names: &["jsonld"],
    },
    Offer {
        value: RdfFormat::RdfXml,
        media_type: "application/rdf+xml",
        aliases: &["application/xml", "text/xml"],
        names: &["rdf"],
    },
    Offer {
        value: RdfFormat::NTriples,
        media_type: "application/n-triples",
        aliases: &[],
        names: &["nt"],
    },
];

/// The media type of an RDF document, with a charset where clients need
/// one (Python reads a charset-less Turtle answer as Latin-1).
pub(super) fn content_type(format: RdfFormat) -> &'static str {
    match format {
        RdfFormat::Turtle => "text/turtle; charset=utf-8",
        RdfFormat::RdfXml => "application/rdf+xml; charset=utf-8",
        RdfFormat::NTriples => "application/n-triples; charset=utf-8",
        _ => "application/ld+json",
    }
}

/// `GET /catalog`: the format from `Accept`.
pub(crate) async fn negotiated(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = negotiate::choose(accept, &[], &OFFERS)?;
    let mut response = answer(&state, format, query.as_deref(), &headers)?;
    response.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    Ok(response)
}

/// `GET /.well-known/void`: the VoID description, the format from
/// `Accept` (Turtle without one).
pub(crate) async fn void(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = negotiate::choose(accept, &[], &OFFERS)?;
    let key = format!("/.well-known/void {}", content_type(format));
    let mut response = cached(&state, key, &headers, Basis::Data, |made| {
        let triples = crate::catalog::void(made.store, &state.base).map_err(HttpError::internal)?;
        Ok(Cached::new(
            StatusCode::OK,
            content_type(format),
            serialize(&triples, format)?,
            None,
            Some(format!("<{}>; rel=\"license\"", crate::catalog::LICENCE)),
        ))
    })?;
    response.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    Ok(response)
}

macro_rules! by_suffix {
    ($name:ident, $format:expr) => {
        /// `GET /catalog.{suffix}`.
        pub(crate) async fn $name(
            State(state): State<AppState>,
            RawQuery(query): RawQuery,
            headers: HeaderMap,
        ) -> Result<Response, HttpError> {
            answer(&state, $format, query.as_deref(), &headers)
        }
    };
}

by_suffix!(turtle, RdfFormat::Turtle);
by_suffix!(ntriples, RdfFormat::NTriples);
by_suffix!(rdf_xml, RdfFormat::RdfXml);
by_suffix!(
    json_ld,
    RdfFormat::JsonLd {
        profile: JsonLdProfileSet::empty()
    }
);

fn answer(
    state: &AppState,
    format: RdfFormat,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, HttpError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or("")).map_err(|e| {
            HttpError::BadRequest(Message::new(
                format!("paramètres illisibles : {e}"),
                format!("unreadable parameters: {e}"),
            ))
        })?;
    let page = match pairs.iter().find(|(k, _)| k == "page") {
        Some((_, v)) => v.parse::<usize>().map_err(|_| {
            HttpError::BadRequest(Message::new(
                format!("page « {v} » invalide : attendu un nombre à partir de 1"),
                format!("invalid page “{v}”: expected a number from 1"),
            ))
        })?,
        None => 1,
    };
    let key = format!("/catalog {} {page}", content_type(format));
    let found = std::cell::Cell::new(true);
    let response = cached(state, key, headers, Basis::Both, |made| {
        let built = crate::catalog::catalog(
            made.store,
            &made.indexes()?.records,
            &state.base,
            &state.pages.site.contact,
            page,
            state.catalog_page_size,
        )
        .map_err(HttpError::internal)?;
        let Some(built) = built else {
            found.set(false);
            return Err(HttpError::NotFound(Message::new(
                format!("le catalogue n'a pas de page {page}"),
                format!("the catalogue has no page {page}"),
            )));
        };
        Ok(Cached::new(
            StatusCode::OK,
            content_type(format),
            serialize(&built.triples, format)?,
            None,
            Some(format!("<{}>; rel=\"license\"", crate::catalog::LICENCE)),
        ))
    });
    match response {
        Err(HttpError::NotFound(_)) if !found.get() => {
            not_found(state, &format!("/catalog?page={page}"), headers)
        }
        other => other,
    }
}
