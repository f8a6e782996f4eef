//! The write API on the records' own URIs, in the style of the Graph Store
//! Protocol, with a bearer token (`bibia token create`):
//!
//! - `POST /id/{kind}/` creates a record from a Turtle or JSON-LD body that
//!   describes `<>`; its IRI is minted from its title (`201` + `Location`);
//! - `GET /id/{kind}/{slug}` with a token answers the record as its writers
//!   see it (restricted fields included for its organisation and the
//!   moderators), with the `ETag` to send back;
//! - `PUT` replaces it, `DELETE` withdraws it (it then answers `410`); both
//!   need `If-Match` (`428` without, `412` when the record changed since).
//!
//! A change that breaks the shapes gets `422` with the report (JSON,
//! Turtle or French text by `Accept`). A contributor's change waits for a
//! moderator (`202` + `Location` of the change) unless the organisation is
//! trusted; a moderator's is published at once.

use super::negotiate::{self, Offer};
use super::state::{AppState, Caller, Contrib};
use super::{HttpError, Message};
use crate::browse::Kind;
use crate::store::{Action, Precondition, StoredRecord, WriteError, Written};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};
use std::sync::Arc;

/// The placeholder the body of a creation is parsed against: `<>` and
/// `<#…>` become the minted record's IRI.
const NEW: &str = "urn:bibia:nouvelle-fiche";

/// `POST /id/{kind}/`: creates a record.
pub(crate) async fn create(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let caller = caller(&contrib, &headers)?;
    let kind = collection(&rest)?;
    let format = body_format(request.headers())?;
    let bytes = read_limited(request, contrib.max_body).await?;
    let triples = parse(&bytes, format, NEW)?;
    let title = title_of(&triples).ok_or_else(|| {
        HttpError::BadRequest(Message::new(
            "la fiche n'a pas de titre (dcterms:title, foaf:name ou schema:name de <>) : l'adresse de la fiche en est tirée",
            "the record has no title (dcterms:title, foaf:name or schema:name of <>): its address is made from it",
        ))
    })?;
    let stores = Arc::clone(&contrib.stores);
    let site = state.pages.site.clone();
    let answer = super::blocking(move || -> Result<Response, HttpError> {
        let record = stores
            .mint(kind.segment(), &title)
            .map_err(HttpError::internal)?;
        let triples = rename(triples, NEW, record.as_str());
        check_class(&record, &triples, kind)?;
        authorize(&caller, &[], &triples, &record)?;
        let written = publishing(&state, || {
            stores.change(
                &record,
                Action::Put(triples),
                &Precondition::Absent,
                &caller.author(),
                caller.publishes(),
            )
        });
        let location = record.as_str().to_owned();
        Ok(match written {
            Ok(Written::Published { tag, .. }) => Response::builder()
                .status(StatusCode::CREATED)
                .header(header::LOCATION, &location)
                .header(header::ETAG, tag)
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(Body::from(format!(
                    "Fiche créée et publiée : {location}\nRecord created and published: {location}\n"
                )))
                .unwrap_or_default(),
            Ok(Written::Pending { change }) => pending(&site, &change, &location),
            Err(e) => refused(e, None, &headers)?,
        })
    })?;
    Ok(answer)
}

/// `GET /id/{kind}/{slug}` with `Authorization`: the record as its writers
/// see it, with its `ETag`.
pub(crate) fn read(
    state: &AppState,
    rest: &str,
    headers: &HeaderMap,
) -> Result<Response, HttpError> {
    let contrib = contrib(state)?;
    let caller = caller(&contrib, headers)?;
    let record = record_iri(state, rest)?;
    let stored = super::blocking(|| contrib.stores.record(&record))
        .map_err(HttpError::internal)?
        .ok_or_else(|| not_found(&record))?;
    let owners = crate::model::owners(&record, &stored.triples);
    let triples = if caller.may_write(&owners) {
        stored.triples.clone()
    } else {
        // Everyone else sees the public part only.
        let graph = oxigraph::model::GraphName::from(record.clone());
        let quads: Vec<_> = stored
            .triples
            .iter()
            .map(|t| t.clone().in_graph(graph.clone()))
            .collect();
        contrib
            .stores
            .model()
            .policy
            .project(&quads)
            .into_iter()
            .map(Triple::from)
            .collect()
    };
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = negotiate::choose(accept, &[], &RDF_OFFERS)?;
    let body = serialize(&triples, format)?;
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type(format))
        .header(header::CACHE_CONTROL, "private, no-store")
        .header(header::VARY, "Accept, Authorization")
        .body(Body::from(body))
        .unwrap_or_default();
    if caller.may_write(&owners)
        && let Ok(tag) = HeaderValue::from_str(&stored.tag)
    {
        response.headers_mut().insert(header::ETAG, tag);
    }
    Ok(response)
}

/// `PUT /id/{kind}/{slug}`: replaces a record.
pub(crate) async fn replace(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let caller = caller(&contrib, &headers)?;
    let record = record_iri(&state, &rest)?;
    let kind = kind_of(&rest)?;
    let tag = if_match(request.headers())?;
    let format = body_format(request.headers())?;
    let bytes = read_limited(request, contrib.max_body).await?;
    let triples = parse(&bytes, format, record.as_str())?;
    let site = state.pages.site.clone();
    super::blocking(move || {
        let stored = existing(&contrib, &record)?;
        check_class(&record, &triples, kind)?;
        authorize(&caller, &stored.triples, &triples, &record)?;
        let written = publishing(&state, || {
            contrib.stores.change(
                &record,
                Action::Put(triples),
                &Precondition::Matches(tag),
                &caller.author(),
                caller.publishes(),
            )
        });
        done(
            &site,
            &record,
            written,
            &headers,
            ("Fiche remplacée", "Record replaced"),
        )
    })
}

/// `DELETE /id/{kind}/{slug}`: withdraws a record.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let caller = caller(&contrib, &headers)?;
    let record = record_iri(&state, &rest)?;
    let tag = if_match(&headers)?;
    let site = state.pages.site.clone();
    super::blocking(move || {
        let stored = existing(&contrib, &record)?;
        authorize(&caller, &stored.triples, &stored.triples, &record)?;
        let notice = format!(
            "Fiche retirée le {} à la demande de {}.",
            crate::time::today_xsd(),
            caller
                .organisation
                .as_ref()
                .map_or("l'équipe de la bibliothèque", |o| o.as_str())
        );
        let written = publishing(&state, || {
            contrib.stores.change(
                &record,
                Action::Withdraw(notice),
                &Precondition::Matches(tag),
                &caller.author(),
                caller.publishes(),
            )
        });
        done(
            &site,
            &record,
            written,
            &headers,
            ("Fiche retirée", "Record withdrawn"),
        )
    })
}

/// The answer to a published or pending replacement or withdrawal.
fn done(
    site: &crate::html::Site,
    record: &NamedNode,
    written: Result<Written, WriteError>,
    headers: &HeaderMap,
    (fr, en): (&str, &str),
) -> Result<Response, HttpError> {
    Ok(match written {
        Ok(Written::Published { tag, .. }) => Response::builder()
            .status(StatusCode::OK)
            .header(header::ETAG, tag)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from(format!("{fr} : {record}\n{en}: {record}\n")))
            .unwrap_or_default(),
        Ok(Written::Pending { change }) => pending(site, &change, record.as_str()),
        Err(e) => refused(e, Some(record), headers)?,
    })
}

/// `202`: the change waits for a moderator.
fn pending(site: &crate::html::Site, change: &str, record: &str) -> Response {
    let location = format!("{}espace/modifications/{change}", site.base.as_str());
    Response::builder()
        .status(StatusCode::ACCEPTED)
        .header(header::LOCATION, &location)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(format!(
            "Modification de {record} enregistrée : elle sera publiée quand un modérateur l'aura acceptée ({location}).\n\
             Change to {record} saved: it will be published once a moderator accepts it ({location}).\n"
        )))
        .unwrap_or_default()
}

/// The answer to a change the store refused: `412`, `422`, `404`…
pub(crate) fn refused(
    e: WriteError,
    record: Option<&NamedNode>,
    headers: &HeaderMap,
) -> Result<Response, HttpError> {
    match e {
        WriteError::Stale { current } => {
            let mut response = HttpError::PreconditionFailed(Message::new(
                "la fiche a changé depuis votre lecture (ou existe déjà) : relisez-la, reportez vos modifications et renvoyez-la avec son nouvel ETag",
                "the record changed since you read it (or already exists): read it again, redo your changes and send it with its new ETag",
            ))
            .into_response();
            if let Some(tag) = current.and_then(|t| HeaderValue::from_str(&t).ok()) {
                response.headers_mut().insert(header::ETAG, tag);
            }
            Ok(response)
        }
        WriteError::NotConform(report) => Ok(unprocessable_negotiated(&report, headers)),
        WriteError::Outside(..) | WriteError::Untyped(_) | WriteError::BlankNodes(..) => Err(
            HttpError::Unprocessable(Message::new(e.to_string(), english(&e))),
        ),
        WriteError::NotFound(_) => Err(record.map_or_else(
            || HttpError::NotFound(Message::new(e.to_string(), english(&e))),
            not_found,
        )),
        WriteError::NotPending(_) | WriteError::UnknownEntry(_) => Err(HttpError::Conflict(
            Message::new(e.to_string(), english(&e)),
        )),
        WriteError::Store(e) => Err(HttpError::storage(&e)),
    }
}

fn english(e: &WriteError) -> String {
    match e {
        WriteError::Outside(node, record) => format!(
            "the content describes {node}, which is not part of the record {record}: a write changes one record"
        ),
        WriteError::Untyped(record) => {
            format!("the content gives no type (rdf:type) to the record {record}")
        }
        WriteError::BlankNodes(record, count) => format!(
            "the record {record} has {count} blank nodes (at most 8): give its nested nodes an IRI <{record}#name>"
        ),
        WriteError::NotFound(record) => format!("no record {record}"),
        WriteError::NotPending(id) => format!("the change {id} is not waiting"),
        WriteError::UnknownEntry(id) => format!("no entry {id} in the journal"),
        other => other.to_string(),
    }
}

/// `422` with the validation report, as the client asks: JSON (the
/// default), Turtle or French text.
fn unprocessable(report: &crate::shacl::ValidationReport) -> Response {
    let (content_type, body) = (
        "application/json",
        serde_json::to_string_pretty(&serde_json::json!({
            "erreur": "la fiche n'est pas conforme aux formes de bibia",
            "error": "the record does not conform to bibia's shapes",
            "texte": report.to_french_text(None),
            "rapport": report.to_json(),
        }))
        .unwrap_or_default(),
    );
    let mut response = (StatusCode::UNPROCESSABLE_ENTITY, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Renders the report by `Accept`: `422` JSON, Turtle or French text.
pub(crate) fn unprocessable_negotiated(
    report: &crate::shacl::ValidationReport,
    headers: &HeaderMap,
) -> Response {
    #[derive(Clone, Copy)]
    enum R {
        Json,
        Turtle,
        Text,
    }
    const OFFERS: [Offer<R>; 3] = [
        Offer {
            value: R::Json,
            media_type: "application/json",
            aliases: &[],
            names: &["json"],
        },
        Offer {
            value: R::Turtle,
            media_type: "text/turtle",
            aliases: &[],
            names: &["ttl"],
        },
        Offer {
            value: R::Text,
            media_type: "text/plain",
            aliases: &[],
            names: &["txt"],
        },
    ];
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let (content_type, body) = match negotiate::choose(accept, &[], &OFFERS).unwrap_or(R::Json) {
        R::Json => return unprocessable(report),
        R::Turtle => ("text/turtle; charset=utf-8", report.to_turtle()),
        R::Text => (
            "text/plain; charset=utf-8",
            format!(
                "La fiche n'est pas conforme aux formes de bibia.\n{}",
                report.to_french_text(None)
            ),
        ),
    };
    let mut response = (StatusCode::UNPROCESSABLE_ENTITY, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The contributions' state, or `405` when the service takes no writes.
pub(crate) fn contrib(state: &AppState) -> Result<Arc<Contrib>, HttpError> {
    state.contrib.clone().ok_or_else(|| {
        HttpError::MethodNotAllowed(Message::new(
            "ce service ne prend pas de modifications (lecture seule)",
            "this service takes no changes (read-only)",
        ))
    })
}

/// The caller of the API, by its bearer token: `401` without one, or with
/// one that is unknown, revoked or of a disabled account.
pub(crate) fn caller(contrib: &Contrib, headers: &HeaderMap) -> Result<Caller, HttpError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let Some(token) = token else {
        return Err(HttpError::Unauthorized(Message::new(
            "écrire demande un jeton (en-tête Authorization: Bearer …, créé par `bibia token create`)",
            "writing needs a token (Authorization: Bearer … header, made by `bibia token create`)",
        )));
    };
    contrib
        .accounts
        .bearer(token)
        .map_err(HttpError::internal)?
        .map(Caller::from)
        .ok_or_else(|| {
            HttpError::Unauthorized(Message::new(
                "jeton inconnu, révoqué ou d'un compte désactivé",
                "unknown or revoked token, or disabled account",
            ))
        })
}

/// `403` unless the caller may change the record as it is (`before`) and
/// as it would be (`after`): a contributor cannot take a record from
/// another organisation, nor give one away.
pub(crate) fn authorize(
    caller: &Caller,
    before: &[Triple],
    after: &[Triple],
    record: &NamedNode,
) -> Result<(), HttpError> {
    let was = crate::model::owners(record, before);
    let will = crate::model::owners(record, after);
    if (before.is_empty() || caller.may_write(&was)) && caller.may_write(&will) {
        return Ok(());
    }
    Err(HttpError::Forbidden(Message::new(
        format!(
            "votre compte ({}) ne peut modifier que les fiches de son organisation ; {record} appartient à {}",
            caller.login,
            if will.is_empty() && was.is_empty() {
                "l'équipe de la bibliothèque".to_owned()
            } else {
                was.iter()
                    .chain(&will)
                    .map(NamedNode::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        format!(
            "your account ({}) may change only its organisation's records; {record} belongs to another",
            caller.login
        ),
    )))
}

/// The stored record, or `404` (a withdrawn one is `410`).
fn existing(contrib: &Contrib, record: &NamedNode) -> Result<StoredRecord, HttpError> {
    let stored = contrib
        .stores
        .record(record)
        .map_err(HttpError::internal)?
        .ok_or_else(|| not_found(record))?;
    if stored.withdrawn {
        return Err(HttpError::Gone(Message::new(
            format!("la fiche {record} a été retirée"),
            format!("the record {record} was withdrawn"),
        )));
    }
    Ok(stored)
}

fn not_found(record: &NamedNode) -> HttpError {
    HttpError::NotFound(Message::new(
        format!("aucune fiche {record}"),
        format!("no record {record}"),
    ))
}

/// `If-Match`'s tag: `428` without one.
fn if_match(headers: &HeaderMap) -> Result<String, HttpError> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            HttpError::PreconditionRequired(Message::new(
                "en-tête If-Match obligatoire : envoyez l'ETag de la version que vous avez lue (GET avec votre jeton), pour ne pas écraser la modification d'un autre",
                "If-Match header required: send the ETag of the version you read (GET with your token), so as not to overwrite someone else's change",
            ))
        })
}

/// The kind of a collection path (`projet/`).
fn collection(rest: &str) -> Result<Kind, HttpError> {
    let segment = rest.strip_suffix('/').unwrap_or(rest);
    Kind::from_segment(segment).ok_or_else(|| {
        HttpError::NotFound(Message::new(
            format!(
                "on ne crée pas de fiche sous /id/{rest} : collections possibles {}",
                Kind::ALL
                    .map(|k| format!("/id/{}/", k.segment()))
                    .join(", ")
            ),
            format!("records are not created under /id/{rest}"),
        ))
    })
}

fn kind_of(rest: &str) -> Result<Kind, HttpError> {
    rest.split('/')
        .next()
        .and_then(Kind::from_segment)
        .ok_or_else(|| {
            HttpError::MethodNotAllowed(Message::new(
                format!("/id/{rest} ne se modifie pas par l'API (seules les fiches projet, organisation, solution et ressource)"),
                format!("/id/{rest} cannot be changed through the API"),
            ))
        })
}

/// The record IRI of `/id/{rest}`.
pub(crate) fn record_iri(state: &AppState, rest: &str) -> Result<NamedNode, HttpError> {
    let iri = state.base.join(&format!("id/{rest}"));
    match state.base.record_of(iri.as_ref()) {
        Some(record) if record == iri => Ok(record),
        _ => Err(HttpError::NotFound(Message::new(
            format!("/id/{rest} n'est pas l'adresse d'une fiche"),
            format!("/id/{rest} is not a record's address"),
        ))),
    }
}

/// `422` unless the record is typed with its collection's class.
fn check_class(record: &NamedNode, triples: &[Triple], kind: Kind) -> Result<(), HttpError> {
    let subject = NamedOrBlankNode::from(record.clone());
    let class: Term = kind.class().into_owned().into();
    if triples.iter().any(|t| {
        t.subject == subject
            && t.predicate == oxigraph::model::vocab::rdf::TYPE
            && t.object == class
    }) {
        return Ok(());
    }
    Err(HttpError::Unprocessable(Message::new(
        format!(
            "une fiche de /id/{}/ doit être de type <{}> (rdf:type de <>)",
            kind.segment(),
            kind.class().as_str()
        ),
        format!(
            "a record under /id/{}/ must have the type <{}> (rdf:type of <>)",
            kind.segment(),
            kind.class().as_str()
        ),
    )))
}

/// The record's title, for minting its IRI.
fn title_of(triples: &[Triple]) -> Option<String> {
    let new = NamedOrBlankNode::from(NamedNode::new_unchecked(NEW));
    [
        crate::vocab::dcterms::TITLE,
        crate::vocab::foaf::NAME,
        crate::vocab::schema::NAME,
        oxigraph::model::vocab::rdfs::LABEL,
    ]
    .iter()
    .find_map(|p| {
        triples.iter().find_map(|t| match &t.object {
            Term::Literal(l) if t.subject == new && t.predicate == *p => Some(l.value().to_owned()),
            _ => None,
        })
    })
}

/// Renames the IRIs starting with `from` (the placeholder) to start with `to`.
pub(crate) fn rename(triples: Vec<Triple>, from: &str, to: &str) -> Vec<Triple> {
    let node = |n: NamedNode| match n.as_str().strip_prefix(from) {
        Some(rest) => NamedNode::new_unchecked(format!("{to}{rest}")),
        None => n,
    };
    triples
        .into_iter()
        .map(|t| {
            let subject = match t.subject {
                NamedOrBlankNode::NamedNode(n) => NamedOrBlankNode::from(node(n)),
                other => other,
            };
            let object = match t.object {
                Term::NamedNode(n) => Term::from(node(n)),
                other => other,
            };
            Triple::new(subject, t.predicate, object)
        })
        .collect()
}

const RDF_OFFERS: [Offer<RdfFormat>; 3] = [
    Offer {
        value: RdfFormat::Turtle,
        media_type: "text/turtle",
        aliases: &[],
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
        value: RdfFormat::NTriples,
        media_type: "application/n-triples",
        aliases: &[],
        names: &["nt"],
    },
];

fn content_type(format: RdfFormat) -> String {
    format!("{}; charset=utf-8", format.media_type())
}

/// The format of a request's body, by `Content-Type`: `415` otherwise.
fn body_format(headers: &HeaderMap) -> Result<RdfFormat, HttpError> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = given
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    RDF_OFFERS
        .iter()
        .find(|o| o.media_type == media || o.aliases.contains(&media.as_str()))
        .map(|o| o.value)
        .ok_or_else(|| {
            HttpError::UnsupportedMediaType(Message::new(
                format!("corps de type « {given} » non pris : envoyez text/turtle, application/ld+json ou application/n-triples"),
                format!("body of type “{given}” not taken: send text/turtle, application/ld+json or application/n-triples"),
            ))
        })
}

/// Parses a body against `base`: `400` with the line and column.
fn parse(bytes: &[u8], format: RdfFormat, base: &str) -> Result<Vec<Triple>, HttpError> {
    // Deep JSON would overflow the JSON-LD parser's stack and abort the
    // server (see `rdf::MAX_JSON_DEPTH`): measured before parsing.
    if matches!(format, RdfFormat::JsonLd { .. })
        && let Some((line, column)) = crate::rdf::json_too_deep(bytes, crate::rdf::MAX_JSON_DEPTH)
    {
        let max = crate::rdf::MAX_JSON_DEPTH;
        return Err(HttpError::BadRequest(Message::new(
            format!(
                "corps illisible, ligne {line}, colonne {column} : objets et tableaux JSON imbriqués sur plus de {max} niveaux"
            ),
            format!(
                "unreadable body, line {line}, column {column}: JSON objects and arrays nested more than {max} levels deep"
            ),
        )));
    }
    let parser = RdfParser::from_format(format)
        .with_base_iri(base)
        .map_err(HttpError::internal)?;
    let mut triples = Vec::new();
    for quad in parser.for_slice(bytes) {
        let quad = quad.map_err(|e| {
            // The parser's message is English: the place, in French too.
            let place = e
                .location()
                .map(|r| {
                    format!(
                        ", ligne {}, colonne {}",
                        r.start.line + 1,
                        r.start.column + 1
                    )
                })
                .unwrap_or_default();
            HttpError::BadRequest(Message::new(
                format!("corps illisible{place} : {e}"),
                format!("unreadable body: {e}"),
            ))
        })?;
        if !quad.graph_name.is_default_graph() {
            return Err(HttpError::BadRequest(Message::new(
                "le corps ne doit pas nommer de graphe : chaque fiche est son propre graphe",
                "the body must not name graphs: each record is its own graph",
            )));
        }
        triples.push(Triple::from(quad));
    }
    Ok(triples)
}

fn serialize(triples: &[Triple], format: RdfFormat) -> Result<Vec<u8>, HttpError> {
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in crate::vocab::PREFIXES {
        serializer = serializer
            .with_prefix(*prefix, *iri)
            .map_err(HttpError::internal)?;
    }
    let mut out = serializer.for_writer(Vec::new());
    for t in triples {
        out.serialize_triple(t).map_err(HttpError::internal)?;
    }
    out.finish().map_err(HttpError::internal)
}

/// Reads a body of at most `max` bytes: `413` past it.
pub(crate) async fn read_limited(request: Request, max: usize) -> Result<Vec<u8>, HttpError> {
    let too_large = || {
        HttpError::TooLarge(Message::new(
            format!("le corps de la requête dépasse la limite de {max} octets"),
            format!("the request body exceeds the limit of {max} bytes"),
        ))
    };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let limited = http_body_util::Limited::new(request.into_body(), max);
    let collected = tokio::time::timeout(std::time::Duration::from_secs(30), limited.collect())
        .await
        .map_err(|_| {
            HttpError::SlowRequest(Message::new(
                "corps de requête non reçu en entier en 30 s : connexion fermée",
                "the request body did not arrive whole within 30 s: connection closed",
            ))
        })?;
    match collected {
        Ok(c) => Ok(c.to_bytes().to_vec()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(e) => Err(HttpError::BadRequest(Message::new(
            format!("corps de requête illisible : {e}"),
            format!("unreadable request body: {e}"),
        ))),
    }
}

/// How long the data must stay unchanged before the dumps are made again
/// after writes: a dump is seconds of work over the whole data, and a
/// stream of writes would otherwise keep a core busy remaking it.
const DUMPS_AFTER_QUIET: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs `write`, a write path's change to the stores, so that its change
/// is in the lists and the search when it returns: newer indexes are
/// announced before it writes (requests meanwhile are given the current
/// ones instead of building their own), and when it changed the data the
/// indexes of the new version are built — or the build under way is
/// waited for, and the next one made — before the answer goes
/// ([`super::derived`]). The writer pays for the build; readers do not
/// wait for it. Then the dumps, in the background
/// ([`refresh_in_background`]).
pub(crate) fn publishing<T>(state: &AppState, write: impl FnOnce() -> T) -> T {
    let store = state.engine.public();
    let before = store.version().generation;
    let coming = state.pages.derived.announce();
    let started = std::time::Instant::now();
    let written = write();
    let after = store.version().generation;
    if after != before {
        let committed = started.elapsed();
        if let Err(e) = state.pages.derived.catch_up(store, after) {
            tracing::warn!("index des listes non refait : {}", e.message().fr);
        }
        drop(coming);
        tracing::debug!(
            "écriture publiée en {:.2} s, index à jour {:.2} s après",
            committed.as_secs_f64(),
            (started.elapsed() - committed).as_secs_f64()
        );
        refresh_in_background(state);
    }
    written
}

/// After a published write: the lists' index and the search index of the
/// new version are built in the background unless they are already (see
/// [`super::derived`]: requests are given the previous ones meanwhile),
/// and the dumps are made again once the data has been quiet for
/// [`DUMPS_AFTER_QUIET`] (a download before that makes them itself). One
/// refresh at a time: writes that come during one are caught up by it, so
/// a stream of writes never piles up threads. The write paths of this
/// service go through [`publishing`], which has built the indexes before
/// it calls this.
pub(crate) fn refresh_in_background(state: &AppState) {
    use std::sync::atomic::Ordering;
    let store = state.engine.public().clone();
    state.pages.derived.refresh_in_background(&store);
    let Some(contrib) = state.contrib.clone() else {
        return;
    };
    if contrib.refreshing.swap(true, Ordering::SeqCst) {
        return;
    }
    let state = state.clone();
    let flag = Arc::clone(&contrib);
    let spawned = std::thread::Builder::new()
        .name("bibia-telechargements".into())
        .spawn(move || {
            let contrib = flag;
            let mut generation = store.version().generation;
            loop {
                let quiet = std::time::Instant::now();
                while quiet.elapsed() < DUMPS_AFTER_QUIET
                    && store.version().generation == generation
                {
                    std::thread::sleep(std::time::Duration::from_millis(250));
                }
                if store.version().generation != generation {
                    generation = store.version().generation;
                    continue;
                }
                if let Err(e) = state.dumps.current(&store) {
                    tracing::warn!("fichiers de téléchargement non refaits : {e}");
                }
                contrib.refreshing.store(false, Ordering::SeqCst);
                // A write between the last check and the flag found the
                // flag set and left its refresh to this one.
                if store.version().generation == generation
                    || contrib.refreshing.swap(true, Ordering::SeqCst)
                {
                    break;
                }
                generation = store.version().generation;
            }
        });
    if let Err(e) = spawned {
        contrib.refreshing.store(false, Ordering::SeqCst);
        tracing::warn!("mise à jour des téléchargements non lancée : {e}");
    }
}
