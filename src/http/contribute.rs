//! The contributors' and moderators' pages, served with a session cookie
//! (`HttpOnly`, `SameSite=Lax`, `Secure` under `https`): log-in and
//! log-out, the contributor's space, the forms generated from the shapes
//! (create and edit one record), the moderators' queue with each change's
//! diff, the error report form every page links to, and the public history
//! of a record with its Memento TimeGate and TimeMap (RFC 7089).
//!
//! Every form carries a token (CSRF) that the server checks against the
//! session (or, before log-in, against a cookie: double submit). None of
//! these pages goes through the page cache, and each says `no-store`.

use super::state::{AppState, Caller, Contrib};
use super::write::{contrib, read_limited, record_iri, refused};
use super::{HttpError, Message, blocking};
use crate::browse::Kind;
use crate::html::contribute::{
    ChangeLine, ChangePage, HistoryPage, LoginPage, MementoPage, ModerationPage, ReportPage,
    RevisionLine, SpacePage, diff, fields, when,
};
use crate::store::{Action, Entry, Precondition, WriteError, Written};
use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use oxigraph::model::{GraphName, NamedNode, Term, Triple};
use std::sync::Arc;
use std::time::SystemTime;

const SESSION: &str = "bibia_session";
const LOGIN_CSRF: &str = "bibia_csrf";
const REPORT_CSRF: &str = "bibia_csrf_signaler";
/// Largest form body (a record's form is a few kilobytes).
const MAX_FORM: usize = 256 * 1024;

/// A page of the contributions: HTML, never cached by anyone.
fn html(status: StatusCode, body: String) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .unwrap_or_default()
}

fn render(page: &impl Template) -> Result<String, HttpError> {
    page.render().map_err(HttpError::internal)
}

/// `303` to `path` under the root.
fn see_other(state: &AppState, path: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, state.pages.site.path(path))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::empty())
        .unwrap_or_default()
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

fn set_cookie(
    contrib: &Contrib,
    state: &AppState,
    name: &str,
    value: &str,
    max_age: u64,
) -> HeaderValue {
    let secure = if contrib.secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        state.pages.site.root
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The logged-in caller and the session's CSRF token, if any.
fn session(contrib: &Contrib, headers: &HeaderMap) -> Result<Option<(Caller, String)>, HttpError> {
    let Some(id) = cookie(headers, SESSION) else {
        return Ok(None);
    };
    Ok(contrib
        .sessions
        .get(id)
        .map_err(HttpError::internal)?
        .map(|(p, csrf)| (Caller::from(p), csrf)))
}

/// The caller of a page that needs a session: else `303` to the log-in.
fn logged_in(
    state: &AppState,
    contrib: &Contrib,
    headers: &HeaderMap,
) -> Result<Result<(Caller, String), Response>, HttpError> {
    Ok(session(contrib, headers)?.ok_or_else(|| see_other(state, "connexion")))
}

/// A form's fields.
async fn form(request: Request) -> Result<Vec<(String, String)>, HttpError> {
    let bytes = read_limited(request, MAX_FORM).await?;
    super::urlencoded::pairs(&bytes).map_err(|e| {
        HttpError::BadRequest(Message::new(
            format!("formulaire illisible : {}", e.fr),
            format!("unreadable form: {}", e.en),
        ))
    })
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// `403` unless the form's token is the expected one.
fn check_csrf(pairs: &[(String, String)], expected: &str) -> Result<(), HttpError> {
    let given = field(pairs, "csrf");
    if !expected.is_empty()
        && crate::accounts::constant_time_eq(given.as_bytes(), expected.as_bytes())
    {
        return Ok(());
    }
    Err(HttpError::Forbidden(Message::new(
        "formulaire expiré ou venu d'ailleurs (jeton CSRF absent ou faux) : rechargez la page et recommencez",
        "form expired or sent from elsewhere (missing or wrong CSRF token): reload the page and try again",
    )))
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The client's address, for the throttles: the socket's, as the server
/// records it (no proxy header is trusted).
fn address(request: &Request) -> String {
    request
        .extensions()
        .get::<super::server::Peer>()
        .and_then(|p| p.0)
        .map_or_else(|| "inconnue".to_owned(), |ip| ip.to_string())
}

/// `GET /connexion`.
pub(crate) async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    if session(&contrib, &headers)?.is_some() {
        return Ok(see_other(&state, "espace"));
    }
    login_form(&state, &contrib, String::new(), None, StatusCode::OK)
}

fn login_form(
    state: &AppState,
    contrib: &Contrib,
    login: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, HttpError> {
    let csrf = random_token();
    let mut response = html(
        status,
        render(&LoginPage {
            site: state.pages.site.clone(),
            login,
            error,
            csrf: csrf.clone(),
        })?,
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(contrib, state, LOGIN_CSRF, &csrf, 3600),
    );
    Ok(response)
}

/// `POST /connexion`: checks the password (throttled per login and per
/// address), then starts a session.
pub(crate) async fn login(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let peer = address(&request);
    let pairs = form(request).await?;
    check_csrf(&pairs, cookie(&headers, LOGIN_CSRF).unwrap_or(""))?;
    let login = field(&pairs, "login").trim().to_lowercase();
    let password = field(&pairs, "password");
    let throttles = [
        (&contrib.logins, format!("login:{login}")),
        (&contrib.addresses, format!("ip:{peer}")),
    ];
    for (throttle, key) in &throttles {
        if let Err(wait) = throttle.check(key) {
            let minutes = wait.as_secs().div_ceil(60);
            let mut response = login_form(
                &state,
                &contrib,
                login.clone(),
                Some(format!(
                    "Trop d'essais infructueux : réessayez dans {minutes} minute(s)."
                )),
                StatusCode::TOO_MANY_REQUESTS,
            )?;
            if let Ok(v) = HeaderValue::from_str(&wait.as_secs().to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(response);
        }
    }
    let accounts = contrib.accounts.clone();
    let (l, p) = (login.clone(), password.to_owned());
    let checked = blocking(move || accounts.login(&l, &p));
    match checked {
        Ok(principal) => {
            for (throttle, key) in &throttles {
                throttle.record_success(key);
            }
            let session = contrib
                .sessions
                .create(&principal)
                .map_err(HttpError::internal)?;
            let mut response = see_other(&state, "espace");
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(&contrib, &state, SESSION, &session.id, 8 * 3600),
            );
            headers.append(
                header::SET_COOKIE,
                set_cookie(&contrib, &state, LOGIN_CSRF, "", 0),
            );
            Ok(response)
        }
        Err(_) => {
            for (throttle, key) in &throttles {
                throttle.record_failure(key);
            }
            login_form(
                &state,
                &contrib,
                login,
                Some("Identifiant ou mot de passe incorrect (ou compte désactivé).".to_owned()),
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

/// `POST /deconnexion`.
pub(crate) async fn logout(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let pairs = form(request).await?;
    if let Some((_, csrf)) = session(&contrib, &headers)? {
        check_csrf(&pairs, &csrf)?;
        if let Some(id) = cookie(&headers, SESSION) {
            contrib.sessions.end(id);
        }
    }
    let mut response = see_other(&state, "");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&contrib, &state, SESSION, "", 0),
    );
    Ok(response)
}

/// The title of a record (as stored, restricted fields aside), for lists.
fn title(contrib: &Contrib, triples: &[Triple], record: &NamedNode) -> String {
    let subject = oxigraph::model::NamedOrBlankNode::from(record.clone());
    triples
        .iter()
        .filter(|t| t.subject == subject)
        .find_map(|t| {
            let named = [
                crate::vocab::dcterms::TITLE,
                crate::vocab::foaf::NAME,
                crate::vocab::schema::NAME,
                oxigraph::model::vocab::rdfs::LABEL,
            ]
            .contains(&t.predicate.as_ref());
            match &t.object {
                Term::Literal(l) if named => Some(l.value().to_owned()),
                _ => None,
            }
        })
        .or_else(|| {
            contrib
                .stores
                .public()
                .label(record.as_ref())
                .ok()
                .flatten()
        })
        .unwrap_or_else(|| record.as_str().to_owned())
}

fn line(state: &AppState, contrib: &Contrib, entry: &Entry) -> ChangeLine {
    let triples = if entry.after.is_empty() {
        &entry.before
    } else {
        &entry.after
    };
    ChangeLine::of(
        &state.pages.site,
        entry,
        title(contrib, triples, &entry.record),
        who(contrib, &entry.account),
    )
}

/// The name and login of the account behind a journal reference.
fn who(contrib: &Contrib, account: &str) -> String {
    contrib
        .accounts
        .users()
        .ok()
        .and_then(|users| {
            users
                .into_iter()
                .find(|u| super::state::account_ref(&u.login) == account)
                .map(|u| format!("{} ({})", u.name, u.login))
        })
        .unwrap_or_else(|| "compte supprimé".to_owned())
}

/// `GET /espace`: what the logged-in person can do, and their changes.
pub(crate) async fn space(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: axum::extract::RawQuery,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let (caller, csrf) = match logged_in(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let site = state.pages.site.clone();
    let page = blocking(|| -> Result<SpacePage, HttpError> {
        let public = contrib.stores.public();
        let mut changes: Vec<ChangeLine> = match &caller.organisation {
            Some(org) => contrib.stores.entries_by(org),
            None => Ok(Vec::new()),
        }
        .map_err(HttpError::internal)?
        .iter()
        .map(|e| line(&state, &contrib, e))
        .collect();
        changes.reverse();
        let mut records = Vec::new();
        let mut organisation = None;
        if let Some(org) = &caller.organisation {
            let name = public
                .label(org.as_ref())
                .map_err(HttpError::internal)?
                .unwrap_or_else(|| org.as_str().to_owned());
            organisation = Some((name, site.href(org.as_str())));
            records.push(org.clone());
            for p in [
                crate::vocab::bia::LED_BY,
                crate::vocab::schema::PROVIDER,
                crate::vocab::dcterms::PUBLISHER,
            ] {
                for s in public
                    .subjects(p, org.as_ref().into())
                    .map_err(HttpError::internal)?
                {
                    if let oxigraph::model::NamedOrBlankNode::NamedNode(s) = s
                        && site.base.record_of(s.as_ref()).as_ref() == Some(&s)
                    {
                        records.push(s);
                    }
                }
            }
        }
        records.sort();
        records.dedup();
        let records = records
            .into_iter()
            .map(|r| {
                let label = public
                    .label(r.as_ref())
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| r.as_str().to_owned());
                let rest = site
                    .base
                    .relative(r.as_str())
                    .and_then(|x| x.strip_prefix("id/"))
                    .unwrap_or("")
                    .to_owned();
                (
                    label,
                    site.href(r.as_str()),
                    site.path(&format!("espace/modifier/{rest}")),
                )
            })
            .collect();
        let creatable = Kind::ALL
            .into_iter()
            .filter(|k| caller.moderator || *k != Kind::Organisation)
            .map(|k| {
                (
                    k.segment().to_owned(),
                    format!("{} : nouvelle fiche", k.title()),
                )
            })
            .collect();
        Ok(SpacePage {
            site: site.clone(),
            name: caller.name.clone(),
            organisation,
            moderator: caller.moderator,
            publishes: caller.publishes(),
            creatable,
            records,
            changes,
            notice: notice(query.0.as_deref()),
            csrf: csrf.clone(),
        })
    })?;
    Ok(html(StatusCode::OK, render(&page)?))
}

/// The notice named by `?fait=…` after an action.
fn notice(query: Option<&str>) -> Option<String> {
    let done = query?.split('&').find_map(|p| p.strip_prefix("fait="))?;
    Some(
        match done {
            "publiee" => "Votre modification est publiée.",
            "attente" => "Votre modification est enregistrée : elle sera publiée quand l'équipe du réseau l'aura acceptée.",
            "acceptee" => "Modification acceptée et publiée.",
            "refusee" => "Modification refusée ; le contributeur verra la raison.",
            "traite" => "Signalement marqué comme traité.",
            "restauree" => "Version restaurée et publiée.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// `GET /espace/modifications/{id}`: one change and its diff; its authors'
/// organisation and the moderators only.
pub(crate) async fn change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let (caller, csrf) = match logged_in(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    change_page(&state, &contrib, &caller, &csrf, &id, None, StatusCode::OK)
}

fn change_page(
    state: &AppState,
    contrib: &Contrib,
    caller: &Caller,
    csrf: &str,
    id: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, HttpError> {
    let page = blocking(|| -> Result<Option<ChangePage>, HttpError> {
        let Some(entry) = contrib.stores.entry(id).map_err(HttpError::internal)? else {
            return Ok(None);
        };
        let own = caller.organisation.is_some() && caller.organisation == entry.organisation;
        if !caller.moderator && !own {
            return Ok(None);
        }
        let current = contrib
            .stores
            .record(&entry.record)
            .map_err(HttpError::internal)?;
        let stale = entry.state == "pending"
            && match (&entry.base, &current) {
                (Some(tag), Some(c)) => c.tag != *tag,
                (None, Some(_)) => true,
                (Some(_), None) => true,
                (None, None) => false,
            };
        let public = contrib.stores.public();
        let label = |t: &Term| labelled(&public, t);
        Ok(Some(ChangePage {
            site: state.pages.site.clone(),
            change: line(state, contrib, &entry),
            record: entry.record.as_str().to_owned(),
            rows: diff(&entry.before, &entry.after, &label),
            moderate: caller.moderator && entry.state == "pending",
            stale,
            csrf: csrf.to_owned(),
            error,
        }))
    })?;
    match page {
        Some(page) => Ok(html(status, render(&page)?)),
        None => Err(HttpError::NotFound(Message::new(
            format!("aucune modification {id} que vous puissiez voir"),
            format!("no change {id} you may see"),
        ))),
    }
}

/// A term as people read it: the label of an IRI in the projection (the
/// ontology's for a property), else the IRI.
fn labelled(public: &crate::store::PublicStore, term: &Term) -> String {
    match term {
        Term::NamedNode(n) => public
            .label(n.as_ref())
            .ok()
            .flatten()
            .unwrap_or_else(|| n.as_str().to_owned()),
        Term::Literal(l) => l.value().to_owned(),
        other => other.to_string(),
    }
}

/// The moderator of a page: `403` for anyone else.
fn moderator(
    state: &AppState,
    contrib: &Contrib,
    headers: &HeaderMap,
) -> Result<Result<(Caller, String), Response>, HttpError> {
    match logged_in(state, contrib, headers)? {
        Ok((caller, csrf)) if caller.moderator => Ok(Ok((caller, csrf))),
        Ok(_) => Err(HttpError::Forbidden(Message::new(
            "page réservée aux modérateurs du réseau",
            "page for the network's moderators only",
        ))),
        Err(redirect) => Ok(Err(redirect)),
    }
}

/// `GET /moderation`: the queue.
pub(crate) async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: axum::extract::RawQuery,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let (_, csrf) = match moderator(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let page = blocking(|| -> Result<ModerationPage, HttpError> {
        let stores = &contrib.stores;
        let pending = stores
            .entries_in("pending")
            .map_err(HttpError::internal)?
            .iter()
            .map(|e| line(&state, &contrib, e))
            .collect();
        let mut decided: Vec<ChangeLine> = ["accepted", "refused"]
            .iter()
            .map(|s| stores.entries_in(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(HttpError::internal)?
            .into_iter()
            .flatten()
            .map(|e| line(&state, &contrib, &e))
            .collect();
        decided.sort_by_key(|c| (c.id.len(), c.id.clone()));
        decided.reverse();
        decided.truncate(20);
        let reports = stores
            .reports(false)
            .map_err(HttpError::internal)?
            .into_iter()
            .map(|r| (r.id, r.page, r.message, r.email))
            .collect();
        Ok(ModerationPage {
            site: state.pages.site.clone(),
            pending,
            decided,
            reports,
            csrf: csrf.clone(),
            notice: notice(query.0.as_deref()),
        })
    })?;
    Ok(html(StatusCode::OK, render(&page)?))
}

/// `POST /moderation/{id}/accepter`.
pub(crate) async fn accept(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let (caller, csrf) = match moderator(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let pairs = form(request).await?;
    check_csrf(&pairs, &csrf)?;
    let stores = Arc::clone(&contrib.stores);
    let account = super::state::account_ref(&caller.login);
    let i = id.clone();
    match blocking(|| super::write::publishing(&state, || stores.accept(&i, &account))) {
        Ok(_) => Ok(see_other(&state, "moderation?fait=acceptee")),
        Err(crate::store::WriteError::NotConform(report)) => change_page(
            &state,
            &contrib,
            &caller,
            &csrf,
            &id,
            Some(format!(
                "La fiche ne serait plus conforme aux formes : {}",
                report.to_french_text(None)
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(crate::store::WriteError::Stale { .. }) => change_page(
            &state,
            &contrib,
            &caller,
            &csrf,
            &id,
            Some("La fiche a changé depuis cette modification : refusez-la.".to_owned()),
            StatusCode::CONFLICT,
        ),
        Err(e) => refused(e, None, &headers),
    }
}

/// `POST /moderation/{id}/refuser`.
pub(crate) async fn refuse(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let (caller, csrf) = match moderator(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let pairs = form(request).await?;
    check_csrf(&pairs, &csrf)?;
    let reason = field(&pairs, "reason").trim().to_owned();
    if reason.is_empty() {
        return change_page(
            &state,
            &contrib,
            &caller,
            &csrf,
            &id,
            Some("Indiquez la raison du refus : le contributeur la lira.".to_owned()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let stores = Arc::clone(&contrib.stores);
    let account = super::state::account_ref(&caller.login);
    match blocking(move || stores.refuse(&id, &account, &reason)) {
        Ok(()) => Ok(see_other(&state, "moderation?fait=refusee")),
        Err(e) => refused(e, None, &headers),
    }
}

/// `POST /moderation/signalements/{id}/traite`.
pub(crate) async fn close_report(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let (_, csrf) = match moderator(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let pairs = form(request).await?;
    check_csrf(&pairs, &csrf)?;
    let stores = Arc::clone(&contrib.stores);
    match blocking(move || stores.close_report(&id)) {
        Ok(()) => Ok(see_other(&state, "moderation?fait=traite")),
        Err(e) => refused(e, None, &headers),
    }
}

/// `POST /moderation/restaurer/{revision}`: brings the record back to that
/// revision, as a new revision.
pub(crate) async fn restore(
    State(state): State<AppState>,
    Path(revision): Path<String>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let (caller, csrf) = match moderator(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let pairs = form(request).await?;
    check_csrf(&pairs, &csrf)?;
    let stores = Arc::clone(&contrib.stores);
    let author = caller.author();
    let written = blocking(|| {
        super::write::publishing(&state, || stores.restore(&revision, &author))?;
        stores.entry(&revision).map_err(Into::into)
    });
    match written {
        Ok(Some(entry)) => {
            let rest = state
                .base
                .relative(entry.record.as_str())
                .and_then(|r| r.strip_prefix("id/"))
                .unwrap_or("")
                .to_owned();
            Ok(see_other(
                &state,
                &format!("historique/{rest}?fait=restauree"),
            ))
        }
        Ok(None) => Ok(see_other(&state, "moderation")),
        Err(e) => refused(e, None, &headers),
    }
}

/// `GET /signaler`: the error report form, about `?page=`.
pub(crate) async fn report_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: axum::extract::RawQuery,
) -> Result<Response, HttpError> {
    let page: String = query
        .0
        .as_deref()
        .and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v)
        })
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .filter(|p| same_site(&state, p))
        .unwrap_or_default();
    let contrib = contrib(&state)?;
    let csrf = random_token();
    let body = render(&ReportPage {
        site: state.pages.site.clone(),
        page,
        message: String::new(),
        email: String::new(),
        error: None,
        sent: false,
        csrf: csrf.clone(),
    })?;
    let mut response = html(StatusCode::OK, body);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&contrib, &state, REPORT_CSRF, &csrf, 3600),
    );
    Ok(response)
}

/// Whether a page address is one of this service (absolute under the
/// base, or a path under the root).
fn same_site(state: &AppState, page: &str) -> bool {
    page.starts_with(state.base.as_str())
        || (page.starts_with(&state.pages.site.root) && !page.starts_with("//"))
}

/// `POST /signaler`: keeps the report for the moderators. A filled
/// honeypot field is thanked and dropped; an address sending too many
/// reports gets `429`.
pub(crate) async fn report(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let peer = address(&request);
    let csrf = cookie(request.headers(), REPORT_CSRF)
        .unwrap_or("")
        .to_owned();
    let pairs = form(request).await?;
    check_csrf(&pairs, &csrf)?;
    let page = field(&pairs, "page").trim().to_owned();
    let message = field(&pairs, "message").trim().to_owned();
    let email = field(&pairs, "email").trim().to_owned();
    let again = |error: &str, status| -> Result<Response, HttpError> {
        Ok(html(
            status,
            render(&ReportPage {
                site: state.pages.site.clone(),
                page: page.clone(),
                message: message.clone(),
                email: email.clone(),
                error: Some(error.to_owned()),
                sent: false,
                csrf: csrf.clone(),
            })?,
        ))
    };
    if !field(&pairs, "site_web").is_empty() {
        // A robot filled the hidden field: thanked, not kept.
        return Ok(html(
            StatusCode::OK,
            render(&ReportPage {
                site: state.pages.site.clone(),
                page,
                message: String::new(),
                email: String::new(),
                error: None,
                sent: true,
                csrf: String::new(),
            })?,
        ));
    }
    if message.is_empty() {
        return again(
            "Décrivez l'erreur constatée.",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if message.chars().count() > 5000 {
        return again(
            "Le message dépasse 5 000 caractères : raccourcissez-le.",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if !page.is_empty() && !same_site(&state, &page) {
        return again(
            &format!(
                "La page doit être une page de ce site ({}).",
                state.base.as_str()
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if !email.is_empty()
        && (!email.contains('@') || email.len() > 254 || email.contains(char::is_whitespace))
    {
        return again(
            "Cette adresse électronique n'est pas valable.",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if let Err(wait) = contrib.reports.allow(&peer) {
        let mut response = again(
            &format!(
                "Trop de signalements depuis votre adresse : réessayez dans {} minute(s).",
                wait.as_secs().div_ceil(60)
            ),
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(response);
    }
    let stores = Arc::clone(&contrib.stores);
    let (p, m, e) = (page.clone(), message.clone(), email.clone());
    blocking(move || stores.report(&p, &m, Some(e.as_str()).filter(|e| !e.is_empty())))
        .map_err(HttpError::internal)?;
    Ok(html(
        StatusCode::OK,
        render(&ReportPage {
            site: state.pages.site.clone(),
            page,
            message: String::new(),
            email: String::new(),
            error: None,
            sent: true,
            csrf: String::new(),
        })?,
    ))
}

/// A revision of a record in public: its id, time, organisation and the
/// public part of the record after it.
struct PublicRevision {
    entry: Entry,
    before: Vec<Triple>,
    after: Vec<Triple>,
}

/// The revisions of a record whose public part changed, oldest first, and
/// the record's public part before the first of them (`None` when it was
/// created through the service).
fn public_revisions(
    contrib: &Contrib,
    record: &NamedNode,
) -> Result<Vec<PublicRevision>, HttpError> {
    let policy = &contrib.stores.model().policy;
    let graph = GraphName::from(record.clone());
    let project = |triples: &[Triple]| -> Vec<Triple> {
        let quads: Vec<_> = triples
            .iter()
            .map(|t| t.clone().in_graph(graph.clone()))
            .collect();
        let mut out: Vec<Triple> = policy
            .project(&quads)
            .into_iter()
            .map(Triple::from)
            .collect();
        out.sort_by_cached_key(ToString::to_string);
        out
    };
    Ok(contrib
        .stores
        .entries_of(record)
        .map_err(HttpError::internal)?
        .into_iter()
        .filter(Entry::is_revision)
        .map(|entry| PublicRevision {
            before: project(&entry.before),
            after: project(&entry.after),
            entry,
        })
        .filter(|r| r.before != r.after)
        .collect())
}

/// The path of a record after `/id/`, checked: `404` otherwise.
fn record_of_path(
    state: &AppState,
    kind: &str,
    slug: &str,
) -> Result<(NamedNode, String), HttpError> {
    let rest = format!("{kind}/{slug}");
    Ok((record_iri(state, &rest)?, rest))
}

/// `GET /historique/{kind}/{slug}`: the public history.
pub(crate) async fn history(
    State(state): State<AppState>,
    Path((kind, slug)): Path<(String, String)>,
    headers: HeaderMap,
    query: axum::extract::RawQuery,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let (record, rest) = record_of_path(&state, &kind, &slug)?;
    let viewer = session(&contrib, &headers)?;
    let site = state.pages.site.clone();
    let page = blocking(|| -> Result<HistoryPage, HttpError> {
        let public = contrib.stores.public();
        let label = |t: &Term| labelled(&public, t);
        let revisions = public_revisions(&contrib, &record)?;
        if revisions.is_empty()
            && !public
                .has_graph(record.as_ref())
                .map_err(HttpError::internal)?
        {
            return Err(HttpError::NotFound(Message::new(
                format!("aucune fiche {record}"),
                format!("no record {record}"),
            )));
        }
        let mut lines: Vec<RevisionLine> = revisions
            .iter()
            .map(|r| RevisionLine {
                id: r.entry.id.clone(),
                when: when(r.entry.submitted),
                by: r.entry.organisation.as_ref().map_or_else(
                    || "l'équipe du réseau".to_owned(),
                    |o| labelled(&public, &o.clone().into()),
                ),
                action: crate::html::contribute::action_fr(&r.entry.action, r.before.is_empty()),
                rows: diff(&r.before, &r.after, &label),
                memento: site.path(&format!("memento/{}/{rest}", r.entry.id)),
            })
            .collect();
        lines.reverse();
        let (restore, csrf) = match &viewer {
            Some((c, csrf)) if c.moderator => (true, csrf.clone()),
            _ => (false, String::new()),
        };
        Ok(HistoryPage {
            site: site.clone(),
            title: labelled(&public, &record.clone().into()),
            href: site.href(record.as_str()),
            rest: rest.clone(),
            revisions: lines,
            restore,
            csrf,
        })
    })?;
    let _ = query;
    let mut response = html(StatusCode::OK, render(&page)?);
    add_memento_links(&state, &mut response, &rest, None);
    Ok(response)
}

/// `Link` to the original resource, its TimeGate and TimeMap.
fn add_memento_links(state: &AppState, response: &mut Response, rest: &str, extra: Option<String>) {
    let site = &state.pages.site;
    let mut links = vec![
        format!(
            "<{}>; rel=\"original\"",
            state.base.join(&format!("id/{rest}")).as_str()
        ),
        format!(
            "<{}>; rel=\"timegate\"",
            site.path(&format!("timegate/{rest}"))
        ),
        format!(
            "<{}>; rel=\"timemap\"; type=\"application/link-format\"",
            site.path(&format!("timemap/{rest}"))
        ),
    ];
    links.extend(extra);
    if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
        response.headers_mut().append(header::LINK, v);
    }
}

/// The mementos of a record: (id, time), oldest first. The first is the
/// record before its first change through the service (`0`), when it was
/// imported, dated by the record's own `dcterms:modified` (or created), or
/// else by the journal's first entry.
fn mementos(contrib: &Contrib, record: &NamedNode) -> Result<Vec<(String, SystemTime)>, HttpError> {
    let revisions = public_revisions(contrib, record)?;
    let mut out = Vec::new();
    if let Some(first) = revisions.first()
        && !first.before.is_empty()
    {
        let dated = first.before.iter().find_map(|t| match &t.object {
            Term::Literal(l)
                if [
                    crate::vocab::dcterms::MODIFIED,
                    crate::vocab::dcterms::CREATED,
                ]
                .contains(&t.predicate.as_ref()) =>
            {
                date_of(l.value())
            }
            _ => None,
        });
        out.push((
            "0".to_owned(),
            dated.unwrap_or(first.entry.submitted - std::time::Duration::from_secs(1)),
        ));
    }
    out.extend(
        revisions
            .iter()
            .map(|r| (r.entry.id.clone(), r.entry.submitted)),
    );
    Ok(out)
}

/// The start of an `xsd:date` (`2026-03-01`) as a time.
fn date_of(xsd: &str) -> Option<SystemTime> {
    let mut parts = xsd.get(..10)?.split('-');
    let (y, m, d): (i64, i64, i64) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    let secs = u64::try_from(days_from_civil(y, m, d) * 86_400).ok()?;
    Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn http_time(time: SystemTime) -> String {
    httpdate::fmt_http_date(time)
}

/// `GET /timemap/{kind}/{slug}`: the record's mementos (RFC 7089 §5,
/// `application/link-format`).
pub(crate) async fn timemap(
    State(state): State<AppState>,
    Path((kind, slug)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let (record, rest) = record_of_path(&state, &kind, &slug)?;
    let list = blocking(|| mementos(&contrib, &record))?;
    let site = &state.pages.site;
    let mut links = vec![
        format!("<{}>; rel=\"original\"", record.as_str()),
        format!(
            "<{}>; rel=\"self\"; type=\"application/link-format\"",
            state.base.join(&format!("timemap/{rest}")).as_str()
        ),
        format!(
            "<{}>; rel=\"timegate\"",
            state.base.join(&format!("timegate/{rest}")).as_str()
        ),
    ];
    if let (Some(first), Some(last)) = (list.first(), list.last()) {
        links[1].push_str(&format!(
            "; from=\"{}\"; until=\"{}\"",
            http_time(first.1),
            http_time(last.1)
        ));
    }
    let n = list.len();
    for (i, (id, time)) in list.iter().enumerate() {
        let rel = match (i == 0, i + 1 == n) {
            (true, true) => "first last memento",
            (true, false) => "first memento",
            (false, true) => "last memento",
            (false, false) => "memento",
        };
        links.push(format!(
            "<{}>; rel=\"{rel}\"; datetime=\"{}\"",
            state.base.join(&format!("memento/{id}/{rest}")).as_str(),
            http_time(*time)
        ));
    }
    let _ = site;
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header(
            header::CONTENT_TYPE,
            "application/link-format; charset=utf-8",
        )
        .body(Body::from(links.join(",\n") + "\n"))
        .unwrap_or_default())
}

/// `GET /timegate/{kind}/{slug}`: `302` to the memento current at
/// `Accept-Datetime` (the latest without it), `Vary: accept-datetime`.
pub(crate) async fn timegate(
    State(state): State<AppState>,
    Path((kind, slug)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let (record, rest) = record_of_path(&state, &kind, &slug)?;
    let asked = match headers.get("accept-datetime").and_then(|v| v.to_str().ok()) {
        Some(v) => Some(httpdate::parse_http_date(v.trim()).map_err(|_| {
            HttpError::BadRequest(Message::new(
                format!(
                    "Accept-Datetime illisible : « {v} » (attendu : Sun, 01 Mar 2026 10:00:00 GMT)"
                ),
                format!(
                    "unreadable Accept-Datetime: “{v}” (expected: Sun, 01 Mar 2026 10:00:00 GMT)"
                ),
            ))
        })?),
        None => None,
    };
    let list = blocking(|| mementos(&contrib, &record))?;
    let chosen = match asked {
        Some(at) => list
            .iter()
            .rev()
            .find(|(_, t)| *t <= at)
            .or_else(|| list.first()),
        None => list.last(),
    };
    let location = match chosen {
        Some((id, _)) => state
            .base
            .join(&format!("memento/{id}/{rest}"))
            .as_str()
            .to_owned(),
        // Never changed through the service: the current version is the
        // only one.
        None => record.as_str().to_owned(),
    };
    let mut response = Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, &location)
        .header(header::VARY, "accept-datetime")
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(format!("Voir {location}\nSee {location}\n")))
        .unwrap_or_default();
    add_memento_links(&state, &mut response, &rest, None);
    Ok(response)
}

/// `GET /memento/{id}/{kind}/{slug}`: the record's public fields as that
/// revision left them (HTML, or Turtle by `Accept`), with
/// `Memento-Datetime`.
pub(crate) async fn memento(
    State(state): State<AppState>,
    Path((id, kind, slug)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let (record, rest) = record_of_path(&state, &kind, &slug)?;
    let found = blocking(|| -> Result<Option<(SystemTime, Vec<Triple>)>, HttpError> {
        let revisions = public_revisions(&contrib, &record)?;
        let times = mementos(&contrib, &record)?;
        let time = times.iter().find(|(i, _)| *i == id).map(|(_, t)| *t);
        let triples = if id == "0" {
            revisions.first().map(|r| r.before.clone())
        } else {
            revisions
                .iter()
                .find(|r| r.entry.id == id)
                .map(|r| r.after.clone())
        };
        Ok(time.zip(triples))
    })?;
    let Some((time, triples)) = found else {
        return Err(HttpError::NotFound(Message::new(
            format!("aucune version {id} de {record}"),
            format!("no version {id} of {record}"),
        )));
    };
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let wants_rdf = accept.contains("text/turtle") && !accept.contains("text/html");
    let mut response = if wants_rdf {
        let mut out = oxttl::TurtleSerializer::new();
        for (prefix, iri) in crate::vocab::PREFIXES {
            out = out
                .with_prefix(*prefix, *iri)
                .map_err(HttpError::internal)?;
        }
        let mut writer = out.for_writer(Vec::new());
        for t in &triples {
            writer.serialize_triple(t).map_err(HttpError::internal)?;
        }
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/turtle; charset=utf-8")
            .body(Body::from(writer.finish().map_err(HttpError::internal)?))
            .unwrap_or_default()
    } else {
        let site = state.pages.site.clone();
        let public = contrib.stores.public();
        let label = |t: &Term| labelled(&public, t);
        let title = title(&contrib, &triples, &record);
        html(
            StatusCode::OK,
            render(&MementoPage {
                href: site.href(record.as_str()),
                history: site.path(&format!("historique/{rest}")),
                site,
                title,
                when: when(time),
                fields: fields(&triples, &label),
            })?,
        )
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&http_time(time)) {
        headers.insert("memento-datetime", v);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    add_memento_links(&state, &mut response, &rest, None);
    Ok(response)
}

/// The placeholder a new record's form is read against, renamed to the
/// minted IRI once the title is known.
const NEW: &str = "urn:bibia:nouvelle-fiche";

/// The field of a record's form that names its organisation (its owner),
/// by the owner's property (`bia:ledBy` → `ledBy`).
fn owner_field(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Projet => Some("ledBy"),
        Kind::Solution => Some("provider"),
        Kind::Ressource => Some("publisher"),
        Kind::Organisation => None,
    }
}

/// The records a reference field may name: the instances of the class in
/// the projection, by label; none for a class with too many (territories):
/// the form then asks for an address.
fn choices(
    public: &crate::store::PublicStore,
) -> impl Fn(&NamedNode) -> Vec<(String, String)> + '_ {
    move |class: &NamedNode| {
        let Ok(instances) = public.instances(class.as_ref()) else {
            return Vec::new();
        };
        if instances.len() > 2000 {
            return Vec::new();
        }
        let mut out: Vec<(String, String)> = instances
            .into_iter()
            .map(|i| {
                let label = public
                    .label(i.as_ref())
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| i.as_str().to_owned());
                (i.as_str().to_owned(), label)
            })
            .collect();
        out.sort_by_cached_key(|(_, label)| crate::iri::fold(label));
        out
    }
}

/// A form page: the form of `kind`, with values, errors and advice.
#[allow(clippy::too_many_arguments)]
fn form_response(
    state: &AppState,
    contrib: &Contrib,
    kind: Kind,
    title: String,
    action: String,
    csrf: &str,
    values: &crate::contribute::Values,
    errors: &crate::contribute::FieldErrors,
    advice: &crate::contribute::FieldErrors,
    status: StatusCode,
) -> Result<Response, HttpError> {
    let form = contrib.forms.form(kind).ok_or_else(|| {
        HttpError::NotFound(Message::new(
            "aucun formulaire pour ces fiches",
            "no form for these records",
        ))
    })?;
    let public = contrib.stores.public();
    let choose = choices(&public);
    let page = crate::html::form_page(
        &state.pages.site,
        form,
        crate::html::FormPage {
            title,
            action,
            csrf: csrf.to_owned(),
            values,
            errors,
            advice,
            choices: &choose,
            submit: "Enregistrer".to_owned(),
        },
    )
    .map_err(HttpError::internal)?;
    Ok(html(status, page))
}

fn kind_of_segment(segment: &str) -> Result<Kind, HttpError> {
    Kind::from_segment(segment).ok_or_else(|| {
        HttpError::NotFound(Message::new(
            format!("pas de fiches « {segment} » à créer ici"),
            format!("no “{segment}” records to create here"),
        ))
    })
}

/// `GET /espace/nouveau/{kind}`: the empty form, its organisation filled.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let (caller, csrf) = match logged_in(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let kind = kind_of_segment(&segment)?;
    let mut values = crate::contribute::Values::default();
    if let (Some(field), Some(org)) = (owner_field(kind), &caller.organisation) {
        values.set(field, vec![org.as_str().to_owned()]);
    }
    let none = crate::contribute::FieldErrors::default();
    blocking(|| {
        form_response(
            &state,
            &contrib,
            kind,
            format!("{} : nouvelle fiche", kind.title()),
            state.pages.site.path(&format!("espace/nouveau/{segment}")),
            &csrf,
            &values,
            &none,
            &none,
            StatusCode::OK,
        )
    })
}

/// `POST /espace/nouveau/{kind}`: reads, checks and writes a new record;
/// the form again, with the errors beside their fields, when it does not
/// conform.
pub(crate) async fn create(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let (caller, csrf) = match logged_in(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let kind = kind_of_segment(&segment)?;
    let pairs = form(request).await?;
    check_csrf(&pairs, &csrf)?;
    let action = state.pages.site.path(&format!("espace/nouveau/{segment}"));
    let title = format!("{} : nouvelle fiche", kind.title());
    blocking(|| {
        let form = contrib
            .forms
            .form(kind)
            .ok_or_else(|| HttpError::NotFound(Message::new("aucun formulaire", "no form")))?;
        let placeholder = NamedNode::new_unchecked(NEW);
        let submission = form.read(&placeholder, &pairs);
        let none = crate::contribute::FieldErrors::default();
        let again = |errors: &crate::contribute::FieldErrors,
                     advice: &crate::contribute::FieldErrors,
                     status| {
            form_response(
                &state,
                &contrib,
                kind,
                title.clone(),
                action.clone(),
                &csrf,
                &submission.values,
                errors,
                advice,
                status,
            )
        };
        if !submission.errors.is_empty() {
            return again(&submission.errors, &none, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let name = record_title(&submission.triples, &placeholder).unwrap_or_default();
        if name.is_empty() {
            let mut errors = crate::contribute::FieldErrors::default();
            errors.push_general(
                "Donnez un titre (ou un nom) à la fiche : son adresse en est tirée.".to_owned(),
            );
            return again(&errors, &none, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let record = contrib
            .stores
            .mint(kind.segment(), &name)
            .map_err(HttpError::internal)?;
        let triples = stamped(
            super::write::rename(submission.triples.clone(), NEW, record.as_str()),
            &record,
            true,
        );
        if let Err(refusal) = super::write::authorize(&caller, &[], &triples, &record) {
            return again(&not_yours(kind, refusal), &none, StatusCode::FORBIDDEN);
        }
        let written = super::write::publishing(&state, || {
            contrib.stores.change(
                &record,
                Action::Put(triples),
                &Precondition::Absent,
                &caller.author(),
                caller.publishes(),
            )
        });
        match written {
            Ok(written) => Ok(after_change(&state, &written)),
            Err(WriteError::NotConform(report)) => again(
                &form.errors(&report, &record),
                &form.advice(&report, &record),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(e) => refused(e, Some(&record), &headers),
        }
    })
}

/// The errors of a refused ownership, on the form's organisation field.
fn not_yours(kind: Kind, refusal: HttpError) -> crate::contribute::FieldErrors {
    let mut errors = crate::contribute::FieldErrors::default();
    let message = format!(
        "{} Choisissez votre organisation, ou demandez à l'équipe du réseau.",
        refusal.message().fr
    );
    match owner_field(kind) {
        Some(field) => errors.push(field, message),
        None => errors.push_general(message),
    }
    errors
}

/// Stamps the record's dates: `dcterms:modified` today, and
/// `dcterms:created` today for a new record that has none.
fn stamped(mut triples: Vec<Triple>, record: &NamedNode, new: bool) -> Vec<Triple> {
    use crate::vocab::dcterms;
    let subject = oxigraph::model::NamedOrBlankNode::from(record.clone());
    let today = || {
        oxigraph::model::Literal::new_typed_literal(
            crate::time::today_xsd(),
            oxigraph::model::vocab::xsd::DATE,
        )
    };
    triples.retain(|t| !(t.subject == subject && t.predicate == dcterms::MODIFIED));
    triples.push(Triple::new(record.clone(), dcterms::MODIFIED, today()));
    if new
        && !triples
            .iter()
            .any(|t| t.subject == subject && t.predicate == dcterms::CREATED)
    {
        triples.push(Triple::new(record.clone(), dcterms::CREATED, today()));
    }
    triples
}

fn record_title(triples: &[Triple], record: &NamedNode) -> Option<String> {
    let subject = oxigraph::model::NamedOrBlankNode::from(record.clone());
    [
        crate::vocab::dcterms::TITLE,
        crate::vocab::foaf::NAME,
        crate::vocab::schema::NAME,
    ]
    .iter()
    .find_map(|p| {
        triples.iter().find_map(|t| match &t.object {
            Term::Literal(l) if t.subject == subject && t.predicate == *p => {
                Some(l.value().trim().to_owned())
            }
            _ => None,
        })
    })
}

/// `GET /espace/modifier/{kind}/{slug}`: the record's form, filled.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    Path((segment, slug)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let (caller, csrf) = match logged_in(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let kind = kind_of_segment(&segment)?;
    let (record, rest) = record_of_path(&state, &segment, &slug)?;
    blocking(|| {
        let current = stored(&contrib, &record)?;
        super::write::authorize(&caller, &current.triples, &current.triples, &record)?;
        let form = contrib
            .forms
            .form(kind)
            .ok_or_else(|| HttpError::NotFound(Message::new("aucun formulaire", "no form")))?;
        let graph = GraphName::from(record.clone());
        let quads: Vec<_> = current
            .triples
            .iter()
            .map(|t| t.clone().in_graph(graph.clone()))
            .collect();
        let values = form.values(&record, &quads);
        let none = crate::contribute::FieldErrors::default();
        form_response(
            &state,
            &contrib,
            kind,
            format!("Modifier : {}", title(&contrib, &current.triples, &record)),
            edit_action(&state, &rest, &current.tag),
            &csrf,
            &values,
            &none,
            &none,
            StatusCode::OK,
        )
    })
}

/// Where an edit form posts: the record, and the version it was filled
/// from (so that a change made meanwhile is not overwritten).
fn edit_action(state: &AppState, rest: &str, tag: &str) -> String {
    format!(
        "{}?version={}",
        state.pages.site.path(&format!("espace/modifier/{rest}")),
        crate::html::format::percent(tag)
    )
}

/// `POST /espace/modifier/{kind}/{slug}?version=…`: writes the edited
/// record, unless it changed since the form was filled.
pub(crate) async fn edit(
    State(state): State<AppState>,
    Path((segment, slug)): Path<(String, String)>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    request: Request,
) -> Result<Response, HttpError> {
    let contrib = contrib(&state)?;
    let headers = request.headers().clone();
    let (caller, csrf) = match logged_in(&state, &contrib, &headers)? {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect),
    };
    let kind = kind_of_segment(&segment)?;
    let (record, rest) = record_of_path(&state, &segment, &slug)?;
    let version =
        serde_urlencoded::from_str::<Vec<(String, String)>>(query.as_deref().unwrap_or(""))
            .ok()
            .and_then(|q| q.into_iter().find(|(k, _)| k == "version").map(|(_, v)| v))
            .unwrap_or_default();
    let pairs = form(request).await?;
    check_csrf(&pairs, &csrf)?;
    blocking(|| {
        let current = stored(&contrib, &record)?;
        let form = contrib
            .forms
            .form(kind)
            .ok_or_else(|| HttpError::NotFound(Message::new("aucun formulaire", "no form")))?;
        let submission = form.read(&record, &pairs);
        let none = crate::contribute::FieldErrors::default();
        let heading = format!("Modifier : {}", title(&contrib, &current.triples, &record));
        let action = edit_action(&state, &rest, &version);
        let again = |errors: &crate::contribute::FieldErrors,
                     advice: &crate::contribute::FieldErrors,
                     status| {
            form_response(
                &state,
                &contrib,
                kind,
                heading.clone(),
                action.clone(),
                &csrf,
                &submission.values,
                errors,
                advice,
                status,
            )
        };
        if !submission.errors.is_empty() {
            return again(&submission.errors, &none, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let triples = stamped(submission.triples.clone(), &record, false);
        if let Err(refusal) = super::write::authorize(&caller, &current.triples, &triples, &record)
        {
            return again(&not_yours(kind, refusal), &none, StatusCode::FORBIDDEN);
        }
        let written = super::write::publishing(&state, || {
            contrib.stores.change(
                &record,
                Action::Put(triples),
                &Precondition::Matches(version.clone()),
                &caller.author(),
                caller.publishes(),
            )
        });
        match written {
            Ok(written) => Ok(after_change(&state, &written)),
            Err(WriteError::NotConform(report)) => again(
                &form.errors(&report, &record),
                &form.advice(&report, &record),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(WriteError::Stale { .. }) => {
                let mut errors = crate::contribute::FieldErrors::default();
                errors.push_general(
                    "La fiche a été modifiée par quelqu'un d'autre depuis que vous avez ouvert ce formulaire : ouvrez-le à nouveau pour partir de la version actuelle (copiez d'abord vos changements)."
                        .to_owned(),
                );
                again(&errors, &none, StatusCode::CONFLICT)
            }
            Err(e) => refused(e, Some(&record), &headers),
        }
    })
}

/// After a form's change: the space, saying whether it is published or
/// waiting for a moderator.
fn after_change(state: &AppState, written: &Written) -> Response {
    match written {
        Written::Published { .. } => see_other(state, "espace?fait=publiee"),
        Written::Pending { .. } => see_other(state, "espace?fait=attente"),
    }
}

/// The stored record for a form, `404` if absent or withdrawn.
fn stored(contrib: &Contrib, record: &NamedNode) -> Result<crate::store::StoredRecord, HttpError> {
    contrib
        .stores
        .record(record)
        .map_err(HttpError::internal)?
        .filter(|r| !r.withdrawn)
        .ok_or_else(|| {
            HttpError::NotFound(Message::new(
                format!("aucune fiche {record}"),
                format!("no record {record}"),
            ))
        })
}
