//! The model's documents ([`crate::html::Documentation`], read once from
//! the bundled files):
//!
//! - `/def`: the ontology, as an HTML page for a browser (which asks for
//!   `text/html` by name) or as RDF (no `Accept`, or `*/*`, gets Turtle,
//!   as for `/id`); `/def.ttl`, `.nt`, `.jsonld`, `.rdf` by suffix. The
//!   terms of `https://w3id.org/bibia/def#` dereference here: each has its
//!   anchor on the page.
//! - `/shapes`: the SHACL shapes, Turtle without `Accept`, other RDF
//!   formats by negotiation or suffix. A browser asking for HTML gets
//!   `303 See Other` to `/def`: the shapes' constraints are documented
//!   there in French, property by property, so one page describes the
//!   model instead of two that could drift apart.
//! - `/vocab` (and `/vocab/`): the concept schemes; `/vocab/{scheme}` one
//!   of them, HTML or RDF like `/def`, `/vocab/{scheme}.{ttl,nt,jsonld,rdf}`
//!   by suffix; an unknown scheme is the 404 page.
//!
//! Every answer is kept in the page cache.

use super::cache::Cached;
use super::catalog::content_type;
use super::negotiate::{self, Offer};
use super::pages::{Basis, cached, not_found, serialize};
use super::{AppState, HttpError};
use crate::html::{Documentation, Site};
use crate::model::Sources;
use askama::Template;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use oxigraph::model::Triple;
use std::sync::{Arc, Mutex, PoisonError};

/// The documentation of the model, built by the first request that needs
/// it.
#[derive(Debug, Default)]
pub(crate) struct Docs {
    slot: Mutex<Option<Arc<Documentation>>>,
}

impl Docs {
    fn get(&self, site: &Site) -> Result<Arc<Documentation>, HttpError> {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(docs) = slot.as_ref() {
            return Ok(Arc::clone(docs));
        }
        let sources = Sources::bundled(&site.base).map_err(HttpError::internal)?;
        let docs = Arc::new(Documentation::new(&sources, site));
        *slot = Some(Arc::clone(&docs));
        Ok(docs)
    }
}

/// What a negotiated document can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Page,
    Rdf(RdfFormat),
}

/// RDF first: a client without preference gets Turtle; browsers ask for
/// `text/html` by name.
const OFFERS: [Offer<Answer>; 5] = [
    Offer {
        value: Answer::Rdf(RdfFormat::Turtle),
        media_type: "text/turtle",
        aliases: &["application/x-turtle", "application/turtle", "text/n3"],
        names: &["ttl"],
    },
    Offer {
        value: Answer::Page,
        media_type: "text/html",
        aliases: &["application/xhtml+xml"],
        names: &["html"],
    },
    Offer {
        value: Answer::Rdf(RdfFormat::NTriples),
        media_type: "application/n-triples",
        aliases: &["text/plain"],
        names: &["nt"],
    },
    Offer {
        value: Answer::Rdf(RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        }),
        media_type: "application/ld+json",
        aliases: &["application/json"],
        names: &["jsonld"],
    },
    Offer {
        value: Answer::Rdf(RdfFormat::RdfXml),
        media_type: "application/rdf+xml",
        aliases: &["application/xml", "text/xml"],
        names: &["rdf"],
    },
];

/// The RDF format of a suffix (`ttl`).
fn format_of(suffix: &str) -> Option<RdfFormat> {
    OFFERS.iter().find_map(|o| match o.value {
        Answer::Rdf(f) if o.short() == suffix => Some(f),
        _ => None,
    })
}

fn negotiate(headers: &HeaderMap) -> Result<Answer, HttpError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    negotiate::choose(accept, &[], &OFFERS)
}

/// Marks an answer chosen by `Accept`.
fn vary(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    response
}

/// The `Link` header of a document published at `path`: its formats and
/// the licence.
fn links(site: &Site, path: &str, html: bool) -> String {
    let mut links = Vec::new();
    if html {
        links.push(format!(
            "<{}>; rel=\"alternate\"; type=\"text/html\"",
            site.path(path)
        ));
    }
    for (_, media, suffix) in crate::iri::DOCUMENTS {
        links.push(format!(
            "<{}>; rel=\"alternate\"; type=\"{media}\"",
            site.path(&format!("{path}.{suffix}"))
        ));
    }
    links.push(format!("<{}>; rel=\"license\"", crate::catalog::LICENCE));
    links.join(", ")
}

/// Answers `triples` (picked from the documentation) in `format`, from
/// the cache under `key`.
fn rdf(
    state: &AppState,
    key: &str,
    format: RdfFormat,
    headers: &HeaderMap,
    link: String,
    triples: impl FnOnce(&Documentation) -> Option<&[Triple]>,
) -> Result<Response, HttpError> {
    let site = &state.pages.site;
    let key = format!("{key} {}", content_type(format));
    cached(state, key, headers, Basis::Model, |_| {
        let docs = state.docs.get(site)?;
        let triples = triples(&docs).unwrap_or_default();
        Ok(Cached::new(
            StatusCode::OK,
            content_type(format),
            serialize(triples, format)?,
            None,
            Some(link),
        ))
    })
}

/// Renders a page of the documentation, from the cache under `key`.
fn page<T: Template>(
    state: &AppState,
    key: &str,
    headers: &HeaderMap,
    link: Option<String>,
    render: impl FnOnce(&Documentation) -> Option<&T>,
) -> Result<Response, HttpError> {
    let site = &state.pages.site;
    cached(
        state,
        format!("{key} text/html"),
        headers,
        Basis::Model,
        |_| {
            let docs = state.docs.get(site)?;
            let page = render(&docs).ok_or_else(|| {
                HttpError::internal(std::io::Error::other("page de documentation absente"))
            })?;
            Ok(Cached::new(
                StatusCode::OK,
                "text/html; charset=utf-8",
                page.render().map_err(HttpError::internal)?.into_bytes(),
                None,
                link,
            ))
        },
    )
}

/// The ontology in `answer`.
fn ontology(state: &AppState, answer: Answer, headers: &HeaderMap) -> Result<Response, HttpError> {
    let link = links(&state.pages.site, "def", true);
    match answer {
        Answer::Page => page(state, "/def", headers, Some(link), |d| Some(d.def_page())),
        Answer::Rdf(format) => rdf(state, "/def", format, headers, link, |d| Some(d.ontology())),
    }
}

/// The shapes in `answer`: RDF, or a 303 to `/def` for a person.
fn shapes(state: &AppState, answer: Answer, headers: &HeaderMap) -> Result<Response, HttpError> {
    let site = &state.pages.site;
    match answer {
        Answer::Page => {
            let location = site.path("def");
            Ok(Response::builder()
                .status(StatusCode::SEE_OTHER)
                .header(header::LOCATION, &location)
                .header(header::CACHE_CONTROL, "public, max-age=3600")
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(Body::from(format!(
                    "Les formes SHACL sont décrites sur {location}\nThe SHACL shapes are documented at {location}\n"
                )))
                .unwrap_or_default())
        }
        Answer::Rdf(format) => {
            let link = links(site, "shapes", false);
            rdf(state, "/shapes", format, headers, link, |d| {
                Some(d.shapes())
            })
        }
    }
}

/// `GET /def`: the format from `Accept`.
pub(crate) async fn def(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let answer = negotiate(&headers)?;
    ontology(&state, answer, &headers).map(vary)
}

/// `GET /shapes`: the format from `Accept`.
pub(crate) async fn shapes_negotiated(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let answer = negotiate(&headers)?;
    shapes(&state, answer, &headers).map(vary)
}

macro_rules! by_suffix {
    ($name:ident, $document:ident, $suffix:literal) => {
        #[doc = concat!("`GET /", stringify!($document), ".", $suffix, "`.")]
        pub(crate) async fn $name(
            State(state): State<AppState>,
            headers: HeaderMap,
        ) -> Result<Response, HttpError> {
            let format = format_of($suffix).ok_or_else(|| {
                HttpError::internal(std::io::Error::other(concat!("format ", $suffix)))
            })?;
            $document(&state, Answer::Rdf(format), &headers)
        }
    };
}

by_suffix!(def_turtle, ontology, "ttl");
by_suffix!(def_ntriples, ontology, "nt");
by_suffix!(def_json_ld, ontology, "jsonld");
by_suffix!(def_rdf_xml, ontology, "rdf");
by_suffix!(shapes_turtle, shapes, "ttl");
by_suffix!(shapes_ntriples, shapes, "nt");
by_suffix!(shapes_json_ld, shapes, "jsonld");
by_suffix!(shapes_rdf_xml, shapes, "rdf");

/// `GET /vocab` and `/vocab/`: the list of the concept schemes.
pub(crate) async fn vocab_index(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    page(&state, "/vocab", &headers, None, |d| Some(d.vocab_index()))
}

/// `GET /vocab/{scheme}` (HTML or RDF by `Accept`) and
/// `/vocab/{scheme}.{suffix}`.
pub(crate) async fn vocab(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let path = format!("/vocab/{name}");
    let (scheme, suffix) = match name.split_once('.') {
        Some((scheme, suffix)) => match format_of(suffix) {
            Some(format) => (scheme, Some(format)),
            None => return not_found(&state, &path, &headers),
        },
        None => (name.as_str(), None),
    };
    let docs = state.docs.get(&state.pages.site)?;
    if docs.scheme(scheme).is_none() {
        return not_found(&state, &path, &headers);
    }
    let key = format!("/vocab/{scheme}");
    let link = links(&state.pages.site, &format!("vocab/{scheme}"), true);
    let rdf_of = |format| {
        rdf(&state, &key, format, &headers, link.clone(), |d| {
            d.scheme(scheme).map(|(_, t)| t)
        })
    };
    match suffix {
        Some(format) => rdf_of(format),
        None => match negotiate(&headers)? {
            Answer::Page => page(&state, &key, &headers, Some(link.clone()), |d| {
                d.scheme(scheme).map(|(p, _)| p)
            }),
            Answer::Rdf(format) => rdf_of(format),
        }
        .map(vary),
    }
}
