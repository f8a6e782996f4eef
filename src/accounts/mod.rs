//! The accounts of the people who write: contributors (each of one
//! organisation) and moderators (of the network), their API tokens, the
//! organisations trusted to publish without moderation; the web forms'
//! sessions ([`Sessions`]) and the throttles of log-in and of the
//! anonymous forms ([`Throttle`], [`RateLimit`]).
//!
//! - **Outside the RDF stores**: in `{data}/comptes/comptes.json`, mode
//!   0600 in a folder 0700, so no export, dump or backup of the stores
//!   ever holds them.
//! - **One writer at a time, readers never blocked**: each change reads,
//!   modifies and writes the whole file under an exclusive lock on
//!   `comptes.lock`, through a temporary file flushed to disk and renamed
//!   over the old one.
//! - **Seen at once**: every read first compares the file's stamp (inode,
//!   size, times) with what it last read, so a running `bibia serve` sees
//!   what `bibia user …` changed, a disabled account losing its sessions
//!   and tokens on its next request.
//! - **No secret in clear**: passwords as Argon2id PHC strings, tokens as
//!   the SHA-256 of their secret, shown once when made.
//!
//! Knows no HTTP type and never prints.

mod file;
mod secret;
mod session;
mod throttle;

pub use secret::constant_time_eq;
pub use session::{Expiry, Session, Sessions};
pub use throttle::{RateLimit, Throttle};

use crate::iri::BaseIri;
use file::{Data, Folder, Stamp, Token, User};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD: usize = 12;
/// The longest password accepted, in characters.
pub const MAX_PASSWORD: usize = 1024;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes the records of their own organisation.
    Contributor,
    /// Writes every record and moderates the contributions; belongs to the
    /// network, not to an organisation.
    Moderator,
}

impl Role {
    /// The role in French, as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Contributor => "contributeur",
            Self::Moderator => "modérateur",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// An account to create.
#[derive(Clone)]
pub struct NewUser {
    /// The log-in, an e-mail address (trimmed and lowercased when stored).
    pub login: String,
    /// The person's name.
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// The IRI of a contributor's organisation (see [`organisation_iri`]);
    /// `None` for a moderator.
    pub organisation: Option<String>,
    /// The password, at least [`MIN_PASSWORD`] characters.
    pub password: String,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("login", &self.login)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("organisation", &self.organisation)
            .field("password", &"…")
            .finish()
    }
}

/// An account as listed: everything but its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    /// The log-in.
    pub login: String,
    /// The person's name.
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// A contributor's organisation (IRI).
    pub organisation: Option<String>,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// When it was created (RFC 3339, UTC).
    pub created: String,
}

/// The public identifier of an API token (8 hexadecimal digits, also
/// found in the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenId(String);

impl TokenId {
    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TokenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An API token as listed: everything but its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSummary {
    /// Its public identifier.
    pub id: TokenId,
    /// The account it acts for.
    pub login: String,
    /// What it is for.
    pub label: String,
    /// When it was created (RFC 3339, UTC).
    pub created: String,
    /// When it was revoked, if it was.
    pub revoked: Option<String>,
}

/// Who is acting: an enabled account, as read when it authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The log-in.
    pub login: String,
    /// The person's name.
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// A contributor's organisation (IRI); `None` for a moderator.
    pub organisation: Option<String>,
    /// Whether what they write is published without moderation: a
    /// moderator, or a contributor of a trusted organisation.
    pub trusted: bool,
}

impl Principal {
    /// Whether this is a moderator.
    pub fn is_moderator(&self) -> bool {
        self.role == Role::Moderator
    }

    /// Whether they may write a record owned by the organisation `owner`
    /// (its IRI; `None` for a record no organisation owns): a moderator
    /// every record, a contributor those of their own organisation only.
    pub fn may_write(&self, owner: Option<&str>) -> bool {
        match self.role {
            Role::Moderator => true,
            Role::Contributor => owner.is_some() && self.organisation.as_deref() == owner,
        }
    }
}

/// Why an accounts operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// Reading or writing a file failed.
    #[error("fichier des comptes {}", crate::datadir::io_message(path, source))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The accounts file is not what bibia writes.
    #[error(
        "fichier des comptes {path} illisible, ligne {line}, colonne {column} : {message} (corrigez-le ou restaurez-le ; rien n'a été modifié)",
        path = path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line of the error (from 1).
        line: usize,
        /// The column of the error (from 1).
        column: usize,
        /// What the JSON reader said.
        message: String,
    },
    /// The accounts file was written by another version of bibia.
    #[error(
        "fichier des comptes {path} : format version {version}, que cette version de bibia ne lit pas",
        path = path.display()
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// The version it declares.
        version: u32,
    },
    /// The data directory is of another layout (see [`crate::datadir`]).
    #[error(transparent)]
    Layout(#[from] crate::datadir::LayoutError),
    /// No account has this log-in.
    #[error("aucun compte « {0} »")]
    UnknownUser(String),
    /// An account has this log-in already.
    #[error("le compte « {0} » existe déjà")]
    Duplicate(String),
    /// The log-in is no e-mail address.
    #[error(
        "identifiant « {0} » invalide : attendu une adresse électronique, par exemple prenom.nom@exemple.fr"
    )]
    InvalidLogin(String),
    /// The name is empty.
    #[error("le nom de la personne ne peut pas être vide")]
    EmptyName,
    /// The password is too short.
    #[error("mot de passe trop court : il faut au moins {MIN_PASSWORD} caractères")]
    WeakPassword,
    /// The password is too long.
    #[error("mot de passe trop long : au plus {MAX_PASSWORD} caractères")]
    LongPassword,
    /// A contributor without an organisation.
    #[error("le contributeur « {0} » doit être rattaché à une organisation")]
    NoOrganisation(String),
    /// A moderator with an organisation.
    #[error(
        "le modérateur « {0} » appartient au réseau, pas à une organisation : ne donnez pas d'organisation"
    )]
    ModeratorOrganisation(String),
    /// Not an organisation's IRI or slug.
    #[error(
        "organisation « {given} » invalide : attendu son identifiant court (par exemple mairie-de-x) ou son IRI {base}id/organisation/…"
    )]
    InvalidOrganisation {
        /// What was given.
        given: String,
        /// The base IRI its IRI must start with.
        base: String,
    },
    /// No token has this identifier.
    #[error("aucun jeton « {0} »")]
    UnknownToken(String),
    /// The account is disabled.
    #[error("le compte « {0} » est désactivé")]
    Disabled(String),
    /// Hashing a password failed.
    #[error("calcul de l'empreinte du mot de passe impossible : {0}")]
    Hash(String),
    /// The system's random generator failed.
    #[error("générateur aléatoire du système indisponible : {0}")]
    Random(String),
}

/// Why logging in failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Unknown log-in or wrong password (the message does not say which).
    #[error("identifiant ou mot de passe incorrect")]
    Invalid,
    /// Right password, but the account is disabled.
    #[error("ce compte est désactivé : adressez-vous à la modération du réseau")]
    Disabled,
    /// The accounts could not be read.
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// The log-in as stored: trimmed and lowercased, checked to look like an
/// e-mail address (one `@` with text on both sides, a dot in the domain,
/// no space, at most 254 characters).
pub fn normalize_login(raw: &str) -> Result<String, AccountError> {
    let login = raw.trim().to_lowercase();
    let valid = login.len() <= 254
        && login.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !login
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c));
    if valid {
        Ok(login)
    } else {
        Err(AccountError::InvalidLogin(raw.trim().to_owned()))
    }
}

/// The IRI of an organisation given by its slug (`mairie-x`, read as
/// `{base}id/organisation/mairie-x`) or by its IRI, which must be of that
/// form.
pub fn organisation_iri(base: &BaseIri, given: &str) -> Result<String, AccountError> {
    let given = given.trim();
    let prefix = format!("{}id/organisation/", base.as_str());
    let iri = if given.contains("://") {
        given.to_owned()
    } else {
        format!("{prefix}{given}")
    };
    let valid = iri.strip_prefix(&prefix).is_some_and(|slug| {
        !slug.is_empty()
            && slug
                .chars()
                .all(|c| c.is_alphanumeric() || "-_.~%".contains(c))
    }) && oxrdf::NamedNode::new(iri.as_str()).is_ok();
    if valid {
        Ok(iri)
    } else {
        Err(AccountError::InvalidOrganisation {
            given: given.to_owned(),
            base: base.as_str().to_owned(),
        })
    }
}

/// Checks the length of a new password.
fn check_password(password: &str) -> Result<(), AccountError> {
    match password.chars().count() {
        n if n < MIN_PASSWORD => Err(AccountError::WeakPassword),
        n if n > MAX_PASSWORD => Err(AccountError::LongPassword),
        _ => Ok(()),
    }
}

/// A fingerprint of an account's password hash: a session made before the
/// password changed no longer matches it.
pub(crate) type PasswordStamp = [u8; 32];

/// The accounts of one data directory. Cheap to clone: the clones share
/// one cache of the file.
#[derive(Debug, Clone)]
pub struct Accounts {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    folder: Folder,
    /// The file as last read or written, with its stamp.
    cache: Mutex<(Data, Option<Stamp>)>,
}

impl Accounts {
    /// Opens the accounts of the data directory `data_dir` (its folder
    /// `comptes/` is made if missing; no file means no accounts yet).
    pub fn open(data_dir: &Path) -> Result<Self, AccountError> {
        // A directory of another layout is left as it is.
        crate::datadir::check(data_dir)?;
        let folder = Folder::open(data_dir)?;
        let cache = folder.read()?;
        Ok(Self {
            shared: Arc::new(Shared {
                folder,
                cache: Mutex::new(cache),
            }),
        })
    }

    /// The accounts file (`{data}/comptes/comptes.json`).
    pub fn path(&self) -> &Path {
        self.shared.folder.path()
    }

    /// Calls `f` on the accounts as they are on disk now: read again if
    /// the file changed since last time (a `stat` otherwise).
    fn read<T>(&self, f: impl FnOnce(&Data) -> T) -> Result<T, AccountError> {
        let folder = &self.shared.folder;
        let stamp = folder.stamp()?;
        let mut cache = self
            .shared
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if cache.1 != stamp {
            *cache = folder.read()?;
        }
        Ok(f(&cache.0))
    }

    /// Changes the accounts: under the lock, reads the file, lets `f`
    /// change it, writes it back (unless `f` fails, or says it changed
    /// nothing by returning `false` with its result).
    fn update<T>(
        &self,
        f: impl FnOnce(&mut Data) -> Result<(T, bool), AccountError>,
    ) -> Result<T, AccountError> {
        let folder = &self.shared.folder;
        let _lock = folder.lock()?;
        let (mut data, stamp) = folder.read()?;
        let (out, changed) = f(&mut data)?;
        let stamp = if changed { folder.write(&data)? } else { stamp };
        *self
            .shared
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = (data, stamp);
        Ok(out)
    }

    /// Creates an account. Refused: a log-in that is no e-mail address or
    /// that an account has already, an empty name, a contributor without
    /// an organisation or a moderator with one, a password shorter than
    /// [`MIN_PASSWORD`] characters.
    pub fn add_user(&self, user: NewUser) -> Result<(), AccountError> {
        let login = normalize_login(&user.login)?;
        let name = user.name.trim().to_owned();
        if name.is_empty() {
            return Err(AccountError::EmptyName);
        }
        let organisation = user
            .organisation
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty());
        match (user.role, &organisation) {
            (Role::Contributor, None) => return Err(AccountError::NoOrganisation(login)),
            (Role::Moderator, Some(_)) => return Err(AccountError::ModeratorOrganisation(login)),
            _ => {}
        }
        check_password(&user.password)?;
        if self.read(|data| data.users.iter().any(|u| u.login == login))? {
            return Err(AccountError::Duplicate(login));
        }
        // Hashed before the lock is taken: it takes a while.
        let password = secret::hash_password(&user.password)?;
        self.update(|data| {
            let at = match data.users.binary_search_by(|u| u.login.cmp(&login)) {
                Ok(_) => return Err(AccountError::Duplicate(login)),
                Err(at) => at,
            };
            data.users.insert(
                at,
                User {
                    login,
                    name,
                    role: user.role,
                    organisation,
                    password,
                    disabled: false,
                    created: crate::time::now_xsd(),
                },
            );
            Ok(((), true))
        })
    }

    /// Every account, by log-in, without its password.
    pub fn users(&self) -> Result<Vec<UserSummary>, AccountError> {
        self.read(|data| {
            data.users
                .iter()
                .map(|u| UserSummary {
                    login: u.login.clone(),
                    name: u.name.clone(),
                    role: u.role,
                    organisation: u.organisation.clone(),
                    disabled: u.disabled,
                    created: u.created.clone(),
                })
                .collect()
        })
    }

    /// Changes one account with `f`, which says whether it changed it.
    fn update_user<T>(
        &self,
        login: &str,
        f: impl FnOnce(&mut User) -> (T, bool),
    ) -> Result<T, AccountError> {
        let login = login.trim().to_lowercase();
        self.update(|data| {
            let user = data
                .users
                .iter_mut()
                .find(|u| u.login == login)
                .ok_or(AccountError::UnknownUser(login))?;
            Ok(f(user))
        })
    }

    /// Disables an account: it can no longer log in, its sessions end and
    /// its tokens stop working (until [`Accounts::enable`]). Whether it
    /// was enabled.
    pub fn disable(&self, login: &str) -> Result<bool, AccountError> {
        self.update_user(login, |u| {
            let changed = !u.disabled;
            u.disabled = true;
            (changed, changed)
        })
    }

    /// Enables a disabled account again. Whether it was disabled.
    pub fn enable(&self, login: &str) -> Result<bool, AccountError> {
        self.update_user(login, |u| {
            let changed = u.disabled;
            u.disabled = false;
            (changed, changed)
        })
    }

    /// Gives an account a new password (at least [`MIN_PASSWORD`]
    /// characters); its web sessions end.
    pub fn set_password(&self, login: &str, password: &str) -> Result<(), AccountError> {
        check_password(password)?;
        let login = login.trim().to_lowercase();
        if !self.read(|data| data.users.iter().any(|u| u.login == login))? {
            return Err(AccountError::UnknownUser(login));
        }
        let phc = secret::hash_password(password)?;
        self.update_user(&login, |u| {
            u.password = phc;
            ((), true)
        })
    }

    /// Makes an API token for an enabled account: its identifier and the
    /// secret to present (`bibia_{id}_{64 hexadecimal digits}`), which is
    /// kept only as a hash and cannot be shown again.
    pub fn create_token(
        &self,
        login: &str,
        label: &str,
    ) -> Result<(TokenId, String), AccountError> {
        let login = login.trim().to_lowercase();
        let label = label.trim().to_owned();
        self.update(|data| {
            let user = data
                .users
                .iter()
                .find(|u| u.login == login)
                .ok_or_else(|| AccountError::UnknownUser(login.clone()))?;
            if user.disabled {
                return Err(AccountError::Disabled(login));
            }
            let (id, token) = loop {
                let (id, token) = secret::new_token()?;
                if !data.tokens.iter().any(|t| t.id == id) {
                    break (id, token);
                }
            };
            data.tokens.push(Token {
                id: id.clone(),
                hash: secret::sha256_hex(&token),
                login,
                label,
                created: crate::time::now_xsd(),
                revoked: None,
            });
            Ok(((TokenId(id), token), true))
        })
    }

    /// Revokes a token for good. Whether it was still valid.
    pub fn revoke_token(&self, id: &str) -> Result<bool, AccountError> {
        let id = id.trim().to_lowercase();
        self.update(|data| {
            let token = data
                .tokens
                .iter_mut()
                .find(|t| t.id == id)
                .ok_or(AccountError::UnknownToken(id))?;
            if token.revoked.is_some() {
                return Ok((false, false));
            }
            token.revoked = Some(crate::time::now_xsd());
            Ok((true, true))
        })
    }

    /// Every token, oldest first, without its hash.
    pub fn tokens(&self) -> Result<Vec<TokenSummary>, AccountError> {
        self.read(|data| {
            data.tokens
                .iter()
                .map(|t| TokenSummary {
                    id: TokenId(t.id.clone()),
                    login: t.login.clone(),
                    label: t.label.clone(),
                    created: t.created.clone(),
                    revoked: t.revoked.clone(),
                })
                .collect()
        })
    }

    /// Trusts an organisation (its IRI) to publish without moderation, or
    /// stops trusting it. Whether that changed anything.
    pub fn trust(&self, organisation: &str, trusted: bool) -> Result<bool, AccountError> {
        let organisation = organisation.trim().to_owned();
        self.update(|data| {
            let changed = if trusted {
                data.trusted.insert(organisation)
            } else {
                data.trusted.remove(&organisation)
            };
            Ok((changed, changed))
        })
    }

    /// Whether an organisation (its IRI) is trusted.
    pub fn is_trusted(&self, organisation: &str) -> Result<bool, AccountError> {
        self.read(|data| data.trusted.contains(organisation.trim()))
    }

    /// The trusted organisations' IRIs, sorted.
    pub fn trusted(&self) -> Result<Vec<String>, AccountError> {
        self.read(|data| data.trusted.iter().cloned().collect())
    }

    /// Logs in with a password. An unknown log-in costs as long as a
    /// wrong password (checked against a dummy hash) and gets the same
    /// answer; a disabled account is refused, once its password is right.
    pub fn login(&self, login: &str, password: &str) -> Result<Principal, AuthError> {
        let login = login.trim().to_lowercase();
        let found = self.read(|data| {
            data.users
                .iter()
                .find(|u| u.login == login)
                .map(|u| (principal(data, u), u.password.clone(), u.disabled))
        })?;
        let Some((principal, phc, disabled)) = found else {
            secret::verify_dummy(password);
            return Err(AuthError::Invalid);
        };
        if password.chars().count() > MAX_PASSWORD || !secret::verify_password(password, &phc) {
            return Err(AuthError::Invalid);
        }
        if disabled {
            return Err(AuthError::Disabled);
        }
        Ok(principal)
    }

    /// Who a presented API token acts for: `None` unless it is a token
    /// made here, not revoked, of an enabled account. Its SHA-256 is
    /// compared in constant time.
    pub fn bearer(&self, token: &str) -> Result<Option<Principal>, AccountError> {
        let token = token.trim();
        let Some(id) = secret::token_id(token) else {
            return Ok(None);
        };
        let hash = secret::sha256_hex(token);
        self.read(|data| {
            let stored = data.tokens.iter().find(|t| t.id == id)?;
            if !constant_time_eq(stored.hash.as_bytes(), hash.as_bytes())
                || stored.revoked.is_some()
            {
                return None;
            }
            let user = data.users.iter().find(|u| u.login == stored.login)?;
            (!user.disabled).then(|| principal(data, user))
        })
    }

    /// An enabled account as it is now, with the fingerprint of its
    /// password (for the sessions, which check it on every request).
    pub(crate) fn current(
        &self,
        login: &str,
    ) -> Result<Option<(Principal, PasswordStamp)>, AccountError> {
        self.read(|data| {
            let user = data.users.iter().find(|u| u.login == login)?;
            (!user.disabled).then(|| {
                let stamp: PasswordStamp = sha2::Sha256::digest(user.password.as_bytes()).into();
                (principal(data, user), stamp)
            })
        })
    }
}

/// An account as a [`Principal`].
fn principal(data: &Data, user: &User) -> Principal {
    Principal {
        login: user.login.clone(),
        name: user.name.clone(),
        role: user.role,
        organisation: user.organisation.clone(),
        trusted: user.role == Role::Moderator
            || user
                .organisation
                .as_ref()
                .is_some_and(|o| data.trusted.contains(o)),
    }
}

#[cfg(test)]
mod tests;
