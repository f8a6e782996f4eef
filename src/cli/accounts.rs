//! `bibia user`, `bibia token` and `bibia organisation`: the accounts,
//! their API tokens and the trusted organisations, in
//! `{data}/comptes/comptes.json`. They never open the RDF stores, so they
//! work while `bibia serve` runs (which sees their changes at once).

use super::Outcome;
use super::args::{OrganisationAction, StoreArgs, TokenAction, UserAction};
use crate::accounts::{Accounts, MIN_PASSWORD, NewUser, Role, normalize_login, organisation_iri};
use crate::config::base_or_local;
use std::io::{BufRead as _, IsTerminal as _};

/// Runs `bibia user …`.
pub(crate) fn user(action: UserAction) -> anyhow::Result<Outcome> {
    match action {
        UserAction::Add {
            store,
            login,
            name,
            organisation,
            moderator,
        } => {
            // Everything but the password is checked before asking for it.
            let login = normalize_login(&login)?;
            // clap lets through --organisation or --moderator, not both.
            let organisation = match organisation {
                Some(given) => Some(organisation_iri(&base(&store)?, &given)?),
                None => None,
            };
            let accounts = Accounts::open(&store.data_dir)?;
            if accounts.users()?.iter().any(|u| u.login == login) {
                return Err(crate::accounts::AccountError::Duplicate(login).into());
            }
            let role = if moderator {
                Role::Moderator
            } else {
                Role::Contributor
            };
            accounts.add_user(NewUser {
                login: login.clone(),
                name,
                role,
                organisation: organisation.clone(),
                password: password()?,
            })?;
            match organisation {
                Some(org) => eprintln!("Compte {login} créé : {role} de {org}."),
                None => eprintln!("Compte {login} créé : {role} du réseau."),
            }
        }
        UserAction::List { store } => {
            let users = Accounts::open(&store.data_dir)?.users()?;
            if users.is_empty() {
                eprintln!("Aucun compte. Créez-en un avec « bibia user add ».");
            } else {
                table(
                    &["identifiant", "nom", "rôle", "organisation", "état"],
                    users
                        .into_iter()
                        .map(|u| {
                            vec![
                                u.login,
                                u.name,
                                u.role.to_string(),
                                u.organisation.unwrap_or_else(|| "—".into()),
                                if u.disabled { "désactivé" } else { "actif" }.into(),
                            ]
                        })
                        .collect(),
                );
            }
        }
        UserAction::Disable { store, login } => {
            if Accounts::open(&store.data_dir)?.disable(&login)? {
                eprintln!(
                    "Compte {login} désactivé : il ne peut plus se connecter, ses sessions et ses jetons cessent de fonctionner."
                );
            } else {
                eprintln!("Le compte {login} était déjà désactivé.");
            }
        }
        UserAction::Enable { store, login } => {
            if Accounts::open(&store.data_dir)?.enable(&login)? {
                eprintln!("Compte {login} réactivé.");
            } else {
                eprintln!("Le compte {login} était déjà actif.");
            }
        }
        UserAction::Password { store, login } => {
            let accounts = Accounts::open(&store.data_dir)?;
            let login = login.trim().to_lowercase();
            if !accounts.users()?.iter().any(|u| u.login == login) {
                return Err(crate::accounts::AccountError::UnknownUser(login).into());
            }
            accounts.set_password(&login, &password()?)?;
            eprintln!("Mot de passe de {login} changé ; ses sessions en cours prennent fin.");
        }
    }
    Ok(Outcome::Success)
}

/// Runs `bibia token …`.
pub(crate) fn token(action: TokenAction) -> anyhow::Result<Outcome> {
    match action {
        TokenAction::Create {
            store,
            login,
            label,
        } => {
            let (id, secret) = Accounts::open(&store.data_dir)?.create_token(&login, &label)?;
            println!("{secret}");
            eprintln!(
                "Jeton {id} créé pour {}. Il ne sera plus jamais affiché : copiez-le maintenant.",
                login.trim().to_lowercase()
            );
        }
        TokenAction::List { store } => {
            let tokens = Accounts::open(&store.data_dir)?.tokens()?;
            if tokens.is_empty() {
                eprintln!("Aucun jeton. Créez-en un avec « bibia token create ».");
            } else {
                table(
                    &["jeton", "compte", "libellé", "créé le", "état"],
                    tokens
                        .into_iter()
                        .map(|t| {
                            vec![
                                t.id.to_string(),
                                t.login,
                                if t.label.is_empty() {
                                    "—".into()
                                } else {
                                    t.label
                                },
                                t.created,
                                t.revoked.map_or_else(
                                    || "actif".into(),
                                    |at| format!("révoqué le {at}"),
                                ),
                            ]
                        })
                        .collect(),
                );
            }
        }
        TokenAction::Revoke { store, id } => {
            if Accounts::open(&store.data_dir)?.revoke_token(&id)? {
                eprintln!("Jeton {id} révoqué : il ne permet plus d'écrire.");
            } else {
                eprintln!("Le jeton {id} était déjà révoqué.");
            }
        }
    }
    Ok(Outcome::Success)
}

/// Runs `bibia organisation …`.
pub(crate) fn organisation(action: OrganisationAction) -> anyhow::Result<Outcome> {
    match action {
        OrganisationAction::Trust {
            store,
            organisation,
        } => {
            let iri = organisation_iri(&base(&store)?, &organisation)?;
            if Accounts::open(&store.data_dir)?.trust(&iri, true)? {
                eprintln!("{iri} : ses contributeurs publient désormais sans modération.");
            } else {
                eprintln!("{iri} était déjà une organisation de confiance.");
            }
        }
        OrganisationAction::Untrust {
            store,
            organisation,
        } => {
            let iri = organisation_iri(&base(&store)?, &organisation)?;
            if Accounts::open(&store.data_dir)?.trust(&iri, false)? {
                eprintln!(
                    "{iri} : les contributions de ses membres passent désormais par la modération."
                );
            } else {
                eprintln!("{iri} n'était pas une organisation de confiance.");
            }
        }
        OrganisationAction::ListTrusted { store } => {
            let trusted = Accounts::open(&store.data_dir)?.trusted()?;
            if trusted.is_empty() {
                eprintln!("Aucune organisation de confiance.");
            }
            for iri in trusted {
                println!("{iri}");
            }
        }
    }
    Ok(Outcome::Success)
}

/// The base IRI of the flags (organisations are named under it).
fn base(store: &StoreArgs) -> anyhow::Result<crate::iri::BaseIri> {
    Ok(base_or_local(store.base_iri.as_deref(), None)?)
}

/// The password: `BIBIA_PASSWORD` if set, else one line of standard input
/// (asked for on stderr when it is a terminal). Only the line's end is
/// removed: spaces count.
fn password() -> anyhow::Result<String> {
    match std::env::var("BIBIA_PASSWORD") {
        Ok(password) => return Ok(password),
        Err(std::env::VarError::NotUnicode(_)) => {
            anyhow::bail!("BIBIA_PASSWORD n'est pas du texte UTF-8")
        }
        Err(std::env::VarError::NotPresent) => {}
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!(
            "Mot de passe (au moins {MIN_PASSWORD} caractères), puis Entrée. Il s'affiche en clair : définissez plutôt BIBIA_PASSWORD si l'écran est partagé."
        );
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line)?;
    anyhow::ensure!(
        read > 0,
        "aucun mot de passe : donnez-le sur l'entrée standard ou dans BIBIA_PASSWORD"
    );
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    Ok(line)
}

/// Prints rows under a header, in columns.
fn table(header: &[&str], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let text: String = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, width))| {
                if i == last {
                    (*cell).to_owned()
                } else {
                    format!("{cell}{}  ", " ".repeat(width - cell.chars().count()))
                }
            })
            .collect();
        println!("{text}");
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
}
