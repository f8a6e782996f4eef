//! The pages and data documents of things (DESIGN.md, Cool URIs):
//!
//! - `/id/{kind}/{slug}` names the thing and answers `303 See Other` to its
//!   page or to a data document, by `Accept` (no `Accept`, or `*/*`, gets
//!   Turtle, as harvesters expect);
//! - `/page/{kind}/{slug}` is its HTML page;
//! - `/data/{kind}/{slug}.{ttl,nt,jsonld,rdf}` its data documents;
//! - `/`, `/projets`, `/organisations`, `/solutions`, `/ressources` (and
//!   the lists as `.csv` and `.ttl`) the home page and the lists.
//!
//! A withdrawn record answers `410` with its notice, or `301` to the record
//! that replaces it (`dcterms:isReplacedBy`); an unknown one `404` with the
//! closest records by slug. Every answer is built once per version of what
//! it is made from ([`Basis`]) and kept in the page cache; see
//! [`super::cache`] for the headers and [`super::derived`] for the
//! indexes the lists and the search are made from.

use super::cache::{Cached, Stamp};
use super::derived::{Derived, Indexes};
use super::negotiate::{self, Offer};
use super::{AppState, HttpError, Message};
use crate::browse::{Facet, Kind};
use crate::html::{self, ListState, Site};
use crate::store::{DataVersion, PublicStore};
use crate::vocab::{bia, dcterms};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{NamedNode, Term, Triple};
use std::sync::Arc;
use std::time::SystemTime;

/// What `/id/` can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Page,
    Document(Doc),
}

/// A data document format, in the order of [`crate::iri::DOCUMENTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Doc {
    Turtle = 0,
    NTriples = 1,
    JsonLd = 2,
    RdfXml = 3,
}

impl Doc {
    const ALL: [Doc; 4] = [Doc::Turtle, Doc::NTriples, Doc::JsonLd, Doc::RdfXml];

    fn suffix(self) -> &'static str {
        crate::iri::DOCUMENTS[self as usize].2
    }

    fn media_type(self) -> &'static str {
        crate::iri::DOCUMENTS[self as usize].1
    }

    fn content_type(self) -> &'static str {
        match self {
            Doc::Turtle => "text/turtle; charset=utf-8",
            Doc::NTriples => "application/n-triples; charset=utf-8",
            Doc::JsonLd => "application/ld+json",
            Doc::RdfXml => "application/rdf+xml; charset=utf-8",
        }
    }

    fn format(self) -> RdfFormat {
        match self {
            Doc::Turtle => RdfFormat::Turtle,
            Doc::NTriples => RdfFormat::NTriples,
            Doc::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            Doc::RdfXml => RdfFormat::RdfXml,
        }
    }

    fn from_suffix(suffix: &str) -> Option<Doc> {
        Doc::ALL.into_iter().find(|d| d.suffix() == suffix)
    }
}

/// The offers of `/id/`, RDF first: a client without preference gets
/// Turtle; browsers ask for `text/html` by name.
const OFFERS: [Offer<Target>; 6] = [
    Offer {
        value: Target::Document(Doc::Turtle),
        media_type: "text/turtle",
        aliases: &["application/x-turtle", "text/n3"],
        names: &["ttl"],
    },
    Offer {
        value: Target::Page,
        media_type: "text/html",
        aliases: &["application/xhtml+xml"],
        names: &["html"],
    },
    Offer {
        value: Target::Document(Doc::NTriples),
        media_type: "application/n-triples",
        aliases: &["text/plain"],
        names: &["nt"],
    },
    Offer {
        value: Target::Document(Doc::JsonLd),
        media_type: "application/ld+json",
        aliases: &["application/json"],
        names: &["jsonld"],
    },
    Offer {
        value: Target::Document(Doc::RdfXml),
        media_type: "application/rdf+xml",
        aliases: &["application/xml", "text/xml"],
        names: &["rdf"],
    },
    // Linked-data clients sometimes ask for any RDF with a wildcard only;
    // `*/*` matches the first offer already.
    Offer {
        value: Target::Document(Doc::Turtle),
        media_type: "application/turtle",
        aliases: &[],
        names: &[],
    },
];

/// The state of the pages: the cache, the indexes of the lists and the
/// search, and the site.
pub(crate) struct Pages {
    pub(crate) cache: super::cache::PageCache,
    pub(crate) derived: Arc<Derived>,
    pub(crate) site: Site,
    pub(crate) layout: Arc<crate::model::Layout>,
}

impl Pages {
    pub(crate) fn new(
        site: Site,
        layout: Arc<crate::model::Layout>,
        searches: Arc<crate::search::Searches>,
    ) -> Self {
        Self {
            cache: Default::default(),
            derived: Arc::new(Derived::new(site.base.clone(), searches)),
            site,
            layout,
        }
    }
}

/// What an answer is made from: it is made again when that changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Basis {
    /// The projection as it is: made again after every write (entity
    /// pages, data documents, exports).
    Data,
    /// The lists' and search indexes only: made again when newer ones are
    /// published, which may be a moment after a write (lists, search,
    /// home, statistics, the 404 page's suggestions).
    Lists,
    /// Both (the map, a list as Turtle, the catalogue, the page of a
    /// facet's value with its lists' counts).
    Both,
    /// The bundled model alone, whatever the data (`/def`, `/vocab`,
    /// `/shapes`, `robots.txt`).
    Model,
}

/// What a request makes an answer from.
pub(super) struct Inputs<'a> {
    /// The projection.
    pub(super) store: &'a PublicStore,
    /// The version of the data, read after the indexes were taken (what
    /// the store then gives is at least as recent).
    pub(super) data: DataVersion,
    indexes: Option<Arc<Indexes>>,
    basis: Basis,
}

impl<'a> Inputs<'a> {
    /// The inputs of an answer made from `basis`, now.
    pub(super) fn now(state: &'a AppState, basis: Basis) -> Result<Self, HttpError> {
        let store = state.engine.public();
        let indexes = match basis {
            Basis::Lists | Basis::Both => Some(state.pages.derived.read(store)?),
            Basis::Data | Basis::Model => None,
        };
        Ok(Self {
            store,
            data: store.version(),
            indexes,
            basis,
        })
    }

    /// The indexes (for an answer made from them).
    pub(super) fn indexes(&self) -> Result<&Indexes, HttpError> {
        self.indexes.as_deref().ok_or_else(|| {
            HttpError::internal(std::io::Error::other(
                "réponse faite des index sans les avoir pris",
            ))
        })
    }

    /// The versions the answer is made from.
    fn stamp(&self) -> Stamp {
        let lists = self.indexes.as_ref().map(|i| i.version.generation);
        match self.basis {
            Basis::Data | Basis::Both => Stamp {
                data: Some(self.data.generation),
                lists,
            },
            Basis::Lists | Basis::Model => Stamp { data: None, lists },
        }
    }

    /// The answer's `Last-Modified`: when what it is made from last
    /// changed; none for a page made from the data and from indexes that
    /// lag behind it (no single date says when it changed: its `ETag`
    /// does).
    fn modified(&self) -> Option<SystemTime> {
        match (self.basis, &self.indexes) {
            (Basis::Lists, Some(indexes)) => Some(indexes.version.modified),
            (Basis::Both, Some(indexes)) => {
                (indexes.version.generation >= self.data.generation).then_some(self.data.modified)
            }
            _ => Some(self.data.modified),
        }
    }
}

/// Serves `key` from the cache, or makes it with `make` (from what
/// `basis` says) and keeps it.
pub(super) fn cached(
    state: &AppState,
    key: String,
    headers: &HeaderMap,
    basis: Basis,
    make: impl FnOnce(&Inputs<'_>) -> Result<Cached, HttpError>,
) -> Result<Response, HttpError> {
    let inputs = Inputs::now(state, basis)?;
    answer(state, key, headers, &inputs, make)
}

/// The answer kept for `key`, if it was made from `inputs`.
pub(super) fn kept(state: &AppState, key: &str, inputs: &Inputs<'_>) -> Option<Arc<Cached>> {
    state.pages.cache.get(key, inputs.stamp())
}

/// Serves `key` from the cache if it was made from `inputs`, or makes it
/// and keeps it.
pub(super) fn answer(
    state: &AppState,
    key: String,
    headers: &HeaderMap,
    inputs: &Inputs<'_>,
    make: impl FnOnce(&Inputs<'_>) -> Result<Cached, HttpError>,
) -> Result<Response, HttpError> {
    if let Some(hit) = kept(state, &key, inputs) {
        return Ok(hit.respond(headers));
    }
    // One request makes it; those asking meanwhile find it made.
    let _turn = state.pages.cache.turn(&key);
    if let Some(hit) = kept(state, &key, inputs) {
        return Ok(hit.respond(headers));
    }
    let stamp = inputs.stamp();
    let made = Arc::new(make(inputs)?.dated(inputs.modified()));
    let response = made.respond(headers);
    state.pages.cache.put(key, stamp, made);
    Ok(response)
}

/// An HTML page rendered for the cache.
pub(super) fn html(
    status: StatusCode,
    page: &impl askama::Template,
    link: Option<String>,
) -> Result<Cached, HttpError> {
    let body = page.render().map_err(HttpError::internal)?;
    Ok(Cached::new(
        status,
        "text/html; charset=utf-8",
        body.into_bytes(),
        None,
        link,
    ))
}

/// The thing an `/id`, `/page` or `/data` path names, if the path is well
/// formed: `projet/x`, `concept/theme/x`, `concept/theme`. Slugs are
/// ASCII letters, digits, `-` and `_` (upper case too: the INSEE codes of
/// Corsica's communes, `commune-2B010`).
fn thing(site: &Site, rest: &str) -> Option<NamedNode> {
    let mut parts = rest.split('/');
    let kind = parts.next()?;
    if !crate::iri::KINDS.contains(&kind) {
        return None;
    }
    let segments: Vec<&str> = parts.collect();
    let max = if kind == "concept" { 2 } else { 1 };
    if segments.is_empty() || segments.len() > max {
        return None;
    }
    let valid = |s: &&str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !segments.iter().all(valid) {
        return None;
    }
    Some(site.base.join(&format!("id/{rest}")))
}

/// What the projection says of a thing that is not (or no longer) there.
enum Missing {
    /// `dcterms:isReplacedBy`: the record that replaces it.
    Moved(NamedNode),
    /// Withdrawn, with its notice.
    Gone(String, Option<String>),
    /// Never known.
    Unknown,
}

/// Whether the data mark the thing withdrawn (`bia:WithdrawnRecord`).
fn withdrawn(store: &PublicStore, thing: &NamedNode) -> Result<bool, HttpError> {
    store
        .has_type(thing.as_ref(), bia::WITHDRAWN_RECORD)
        .map_err(HttpError::internal)
}

/// Whether the projection describes the thing (and it is not withdrawn).
fn exists(store: &PublicStore, site: &Site, thing: &NamedNode) -> Result<bool, HttpError> {
    let Some(graph) = site.base.record_of(thing.as_ref()) else {
        return Ok(false);
    };
    Ok(!withdrawn(store, thing)?
        && !store
            .describe(thing.as_ref(), graph.as_ref())
            .map_err(HttpError::internal)?
            .is_empty())
}

fn missing(store: &PublicStore, thing: &NamedNode) -> Result<Missing, HttpError> {
    if !withdrawn(store, thing)? {
        return Ok(Missing::Unknown);
    }
    let replaced = store
        .objects(thing.as_ref(), dcterms::IS_REPLACED_BY)
        .map_err(HttpError::internal)?;
    if let Some(Term::NamedNode(next)) = replaced.into_iter().next() {
        return Ok(Missing::Moved(next));
    }
    let title = store
        .label(thing.as_ref())
        .map_err(HttpError::internal)?
        .unwrap_or_else(|| thing.as_str().to_owned());
    let notice = crate::store::best_text_of(
        store
            .objects(thing.as_ref(), dcterms::DESCRIPTION)
            .map_err(HttpError::internal)?
            .iter(),
    );
    Ok(Missing::Gone(title, notice))
}

/// The answer for a thing that is not there: 301 to where it went (built
/// by `moved_to` from the new thing), 410, or 404 with suggestions.
fn answer_missing(
    state: &AppState,
    thing: &NamedNode,
    path: &str,
    headers: &HeaderMap,
    moved_to: impl Fn(&Site, &NamedNode) -> String,
) -> Result<Response, HttpError> {
    let store = state.engine.public();
    let site = &state.pages.site;
    match missing(store, thing)? {
        Missing::Moved(next) => Ok(Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, moved_to(site, &next))
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from(format!(
                "Cette fiche a changé d'adresse : {}\nThis record moved: {}\n",
                next.as_str(),
                next.as_str()
            )))
            .unwrap_or_default()),
        Missing::Gone(title, notice) => {
            cached(state, format!("410 {path}"), headers, Basis::Data, |_| {
                html(
                    StatusCode::GONE,
                    &html::gone_page(site, &title, notice),
                    None,
                )
            })
        }
        Missing::Unknown => not_found(state, path, headers),
    }
}

/// The answer of a thing's page or document: from the cache; else 301,
/// 410 or 404 when the thing is not (or no longer) there; else made by
/// `make` (from `basis`) and kept.
fn thing_answer(
    state: &AppState,
    path: String,
    headers: &HeaderMap,
    thing: &NamedNode,
    moved_to: impl Fn(&Site, &NamedNode) -> String,
    basis: Basis,
    make: impl FnOnce(&Inputs<'_>) -> Result<Cached, HttpError>,
) -> Result<Response, HttpError> {
    let inputs = Inputs::now(state, basis)?;
    if let Some(hit) = kept(state, &path, &inputs) {
        return Ok(hit.respond(headers));
    }
    if !exists(inputs.store, &state.pages.site, thing)? {
        return answer_missing(state, thing, &path, headers, moved_to);
    }
    answer(state, path, headers, &inputs, make)
}

/// The 404 page of `path`, with the records whose slug is closest.
pub(super) fn not_found(
    state: &AppState,
    path: &str,
    headers: &HeaderMap,
) -> Result<Response, HttpError> {
    let site = &state.pages.site;
    cached(
        state,
        format!("404 {path}"),
        headers,
        Basis::Lists,
        |made| {
            let index = &made.indexes()?.records;
            let wanted = path.rsplit('/').next().unwrap_or_default();
            let mut scored: Vec<(f64, String, String)> = Kind::ALL
                .iter()
                .flat_map(|k| index.entries(*k))
                .filter_map(|e| {
                    let slug = e.iri.as_str().rsplit('/').next().unwrap_or_default();
                    let score = html::slug_similarity(wanted, slug);
                    (score >= 0.3).then(|| (score, e.title.clone(), site.href(e.iri.as_str())))
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let suggestions = scored.into_iter().take(5).map(|(_, t, h)| (t, h)).collect();
            html(
                StatusCode::NOT_FOUND,
                &html::not_found_page(site, path, suggestions),
                None,
            )
        },
    )
}

/// The `Link` header of a thing's page and documents: its alternates and
/// the licence of the data.
fn links(site: &Site, rest: &str) -> String {
    let mut links = vec![format!(
        "<{}>; rel=\"alternate\"; type=\"text/html\"",
        site.path(&format!("page/{rest}"))
    )];
    for d in Doc::ALL {
        links.push(format!(
            "<{}>; rel=\"alternate\"; type=\"{}\"",
            site.path(&format!("data/{rest}.{}", d.suffix())),
            d.media_type()
        ));
    }
    links.push(format!("<{LICENCE}>; rel=\"license\""));
    // Its past versions (Memento, RFC 7089).
    if rest.split('/').count() == 2 {
        links.push(format!(
            "<{}>; rel=\"timegate\"",
            site.path(&format!("timegate/{rest}"))
        ));
        links.push(format!(
            "<{}>; rel=\"timemap\"; type=\"application/link-format\"",
            site.path(&format!("timemap/{rest}"))
        ));
    }
    links.join(", ")
}

/// The licence of the library's data: Etalab's Licence Ouverte 2.0.
const LICENCE: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";

/// `GET /id/{kind}/{slug}`: 303 to the page or a document.
pub(crate) async fn id(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    if headers.contains_key(header::AUTHORIZATION) && state.contrib.is_some() {
        // A writer reads the record as it is stored, with its ETag.
        return super::write::read(&state, &rest, &headers);
    }
    let site = &state.pages.site;
    let path = format!("/id/{rest}");
    let Some(thing) = thing(site, &rest) else {
        return not_found(&state, &path, &headers);
    };
    if !exists(state.engine.public(), site, &thing)? {
        return answer_missing(&state, &thing, &path, &headers, |_, next| {
            next.as_str().to_owned()
        });
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let target = negotiate::choose(accept, &[], &OFFERS)?;
    let location = match target {
        Target::Page => site.path(&format!("page/{rest}")),
        Target::Document(d) => site.path(&format!("data/{rest}.{}", d.suffix())),
    };
    Ok(Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, &location)
        .header(header::VARY, "Accept")
        .header(header::LINK, links(site, &rest))
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(format!("Voir {location}\nSee {location}\n")))
        .unwrap_or_default())
}

/// `GET /page/{kind}/{slug}`: the HTML page.
pub(crate) async fn page(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let site = &state.pages.site;
    let path = format!("/page/{rest}");
    let Some(thing) = thing(site, &rest) else {
        return not_found(&state, &path, &headers);
    };
    let moved_to = |site: &Site, next: &NamedNode| site.href(next.as_str());
    // The page of a facet's value (a theme, a région) counts the lists
    // filtered on it: those counts come from the lists' index.
    let basis = match Facet::of_thing(&rest) {
        Some(_) => Basis::Both,
        None => Basis::Data,
    };
    thing_answer(&state, path, &headers, &thing, moved_to, basis, |made| {
        let index = match basis {
            Basis::Both => Some(&*made.indexes()?.records),
            _ => None,
        };
        let page = html::entity_page(made.store, &state.pages.layout, index, site, &thing)
            .map_err(HttpError::internal)?
            .ok_or_else(|| {
                HttpError::NotFound(Message::new("fiche introuvable", "record not found"))
            })?;
        html(StatusCode::OK, &page, Some(links(site, &rest)))
    })
}

/// `GET /data/{kind}/{slug}.{suffix}`: a data document.
pub(crate) async fn data(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let site = &state.pages.site;
    let path = format!("/data/{rest}");
    let Some((name, doc)) = rest
        .rsplit_once('.')
        .and_then(|(name, suffix)| Doc::from_suffix(suffix).map(|d| (name.to_owned(), d)))
    else {
        return not_found(&state, &path, &headers);
    };
    let Some(thing) = thing(site, &name) else {
        return not_found(&state, &path, &headers);
    };
    let moved_to = |site: &Site, next: &NamedNode| {
        let rel = site
            .base
            .relative(next.as_str())
            .and_then(|r| r.strip_prefix("id/"))
            .unwrap_or_default();
        site.path(&format!("data/{rel}.{}", doc.suffix()))
    };
    thing_answer(
        &state,
        path,
        &headers,
        &thing,
        moved_to,
        Basis::Data,
        |made| {
            let store = made.store;
            let graph = site.base.record_of(thing.as_ref()).ok_or_else(|| {
                HttpError::NotFound(Message::new("fiche introuvable", "record not found"))
            })?;
            let doc_iri = site.base.join(&format!("data/{name}.{}", doc.suffix()));
            let triples = store
                .document(thing.as_ref(), graph.as_ref(), doc_iri.as_ref())
                .map_err(HttpError::internal)?;
            let canonical: String = triples.iter().map(|t| format!("{t} .\n")).collect();
            let tag = format!("{canonical}{}", doc.suffix());
            let body = serialize(&triples, doc.format())?;
            Ok(Cached::new(
                StatusCode::OK,
                doc.content_type(),
                body,
                Some(tag.as_bytes()),
                Some(links(site, &name)),
            ))
        },
    )
}

pub(super) fn serialize(triples: &[Triple], format: RdfFormat) -> Result<Vec<u8>, HttpError> {
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(format, RdfFormat::Turtle | RdfFormat::RdfXml) {
        for (prefix, iri) in crate::vocab::PREFIXES {
            serializer = serializer
                .with_prefix(*prefix, *iri)
                .map_err(HttpError::internal)?;
        }
    }
    let mut out = serializer.for_writer(Vec::new());
    for t in triples {
        out.serialize_triple(t).map_err(HttpError::internal)?;
    }
    out.finish().map_err(HttpError::internal)
}

/// `GET /`: the home page.
pub(crate) async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    cached(&state, "/".to_owned(), &headers, Basis::Lists, |made| {
        html(
            StatusCode::OK,
            &html::home_page(&made.indexes()?.records, &state.pages.site),
            None,
        )
    })
}

/// The records of `kind` (every kind when `None`) that match `q`, best
/// first, the passage of the first `snippets` of them filled.
pub(super) fn search(
    state: &AppState,
    made: &Inputs<'_>,
    q: &str,
    kind: Option<Kind>,
    snippets: usize,
) -> Result<Vec<crate::search::Hit>, HttpError> {
    let indexes = made.indexes()?;
    let records = &*indexes.records;
    let index = state.pages.derived.search(indexes, made.store)?;
    let limit = match kind {
        Some(k) => records.entries(k).len(),
        None => Kind::ALL.iter().map(|k| records.entries(*k).len()).sum(),
    };
    let mut hits = index
        .search(records, q, kind, limit)
        .map_err(HttpError::internal)?;
    let mut shown: std::collections::HashMap<Kind, usize> = std::collections::HashMap::new();
    let mut first: Vec<&mut crate::search::Hit> = hits
        .iter_mut()
        .filter(|h| {
            let n = shown.entry(h.kind).or_default();
            *n += 1;
            *n <= snippets
        })
        .collect();
    index.snippets(q, &mut first).map_err(HttpError::internal)?;
    Ok(hits)
}

/// `GET /statistiques`: the use cases counted by facet, each chart an SVG
/// with its table.
pub(crate) async fn statistics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    cached(
        &state,
        "/statistiques".to_owned(),
        &headers,
        Basis::Lists,
        |made| {
            html(
                StatusCode::OK,
                &html::stats_page(&made.indexes()?.records, &state.pages.site),
                None,
            )
        },
    )
}

/// `GET /carte` (`?niveau=regions` for the régions): the areas shaded by
/// their number of use cases, each a link to its list, the organisations
/// with coordinates as points, and the same figures as a table.
pub(crate) async fn map(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let level = html::MapLevel::from_query(query.as_deref());
    let key = match level {
        html::MapLevel::Departements => "/carte",
        html::MapLevel::Regions => "/carte?niveau=regions",
    };
    cached(&state, key.to_owned(), &headers, Basis::Both, |made| {
        let page = html::map_page(
            &made.indexes()?.records,
            made.store,
            &state.pages.site,
            level,
        )
        .map_err(HttpError::internal)?;
        html(StatusCode::OK, &page, None)
    })
}

/// `GET /{list}` (`projets`, `projets.csv`, `projets.ttl`…): a list, a
/// file of the sitemap index (`sitemap-2.xml`, see [`super::export`]), or
/// a 404 page for any other single-segment path.
pub(crate) async fn list(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    if let Some(n) = super::export::sitemap_part(&name) {
        return super::export::sitemap_file(&state, n, &headers);
    }
    let (base, suffix) = name.split_once('.').unwrap_or((name.as_str(), ""));
    let Some(kind) = Kind::from_path(base) else {
        return not_found(&state, &format!("/{name}"), &headers);
    };
    if !matches!(suffix, "" | "csv" | "ttl") {
        return not_found(&state, &format!("/{name}"), &headers);
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| {
        HttpError::BadRequest(Message::new(
            format!("paramètres de la liste illisibles : {e}"),
            format!("unreadable list parameters: {e}"),
        ))
    })?;
    let list_state = ListState::from_pairs(kind, &pairs);
    let key = format!("/{name}?{}", list_state.query());
    let site = &state.pages.site;
    // As Turtle, the list gives each record's triples from the projection.
    let basis = match suffix {
        "ttl" => Basis::Both,
        _ => Basis::Lists,
    };
    cached(&state, key, &headers, basis, |made| {
        let index = &made.indexes()?.records;
        let store = made.store;
        let matches: Option<html::Matches> = if list_state.q.is_empty() {
            None
        } else {
            let hits = search(&state, made, &list_state.q, Some(kind), 100)?;
            Some(hits.into_iter().map(|h| (h.iri.clone(), h)).collect())
        };
        match suffix {
            "csv" => Ok(Cached::new(
                StatusCode::OK,
                "text/csv; charset=utf-8",
                html::list_csv(index, &list_state, matches.as_ref()).into_bytes(),
                None,
                None,
            )),
            "ttl" => {
                let mut triples = Vec::new();
                let scores = matches.as_ref().map(|m| {
                    m.iter()
                        .map(|(iri, h)| (iri.clone(), h.score))
                        .collect::<std::collections::HashMap<_, _>>()
                });
                for e in index
                    .select_matching(kind, &list_state.filters, list_state.sort, scores.as_ref())
                    .entries
                {
                    if let Some(graph) = site.base.record_of(e.iri.as_ref()) {
                        triples.extend(
                            store
                                .describe(e.iri.as_ref(), graph.as_ref())
                                .map_err(HttpError::internal)?,
                        );
                    }
                }
                Ok(Cached::new(
                    StatusCode::OK,
                    Doc::Turtle.content_type(),
                    serialize(&triples, RdfFormat::Turtle)?,
                    None,
                    None,
                ))
            }
            _ => html(
                StatusCode::OK,
                &html::list_page(index, site, &list_state, matches.as_ref()),
                None,
            ),
        }
    })
}

/// `GET /static/bibia.css`.
pub(crate) async fn stylesheet() -> impl IntoResponse {
    asset("text/css; charset=utf-8", html::STYLESHEET)
}

/// `GET /favicon.ico` and `/static/icon.svg`.
pub(crate) async fn icon() -> impl IntoResponse {
    asset("image/svg+xml", html::ICON)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Any other path: the 404 page.
pub(crate) async fn fallback(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    not_found(&state, uri.path(), &headers)
}
