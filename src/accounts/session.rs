//! The web forms' sessions, in memory: a random identifier for the cookie,
//! a random token for the forms (CSRF), an expiry. The account is read
//! again on every request, so a disabled account, or one whose password
//! changed, loses its sessions at once. A restart ends them all.

use super::secret::{base64url, random};
use super::{AccountError, Accounts, PasswordStamp, Principal};
use sha2::Digest as _;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// The most sessions kept at once; past it, the expired ones go, then
/// those closest to expiring.
const MAX_SESSIONS: usize = 100_000;

/// When a session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// This long after it began, whatever happens.
    Fixed(Duration),
    /// This long after its last request.
    Sliding(Duration),
}

impl Default for Expiry {
    /// Eight hours after logging in: a working day.
    fn default() -> Self {
        Self::Fixed(Duration::from_secs(8 * 3600))
    }
}

impl Expiry {
    fn duration(self) -> Duration {
        match self {
            Self::Fixed(d) | Self::Sliding(d) => d,
        }
    }
}

/// A new session, for the cookie and the forms.
#[derive(Clone)]
pub struct Session {
    /// Its identifier, for the cookie: 32 random bytes in base64url.
    pub id: String,
    /// The token the forms send back (CSRF): 32 random bytes in base64url.
    pub csrf: String,
    /// When it ends, unless used again before with [`Expiry::Sliding`].
    pub expires: SystemTime,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &"…")
            .field("csrf", &"…")
            .field("expires", &self.expires)
            .finish()
    }
}

/// One live session.
#[derive(Debug, Clone)]
struct Entry {
    login: String,
    csrf: String,
    password: PasswordStamp,
    expires: Instant,
}

/// The live sessions, keyed by the SHA-256 of their identifier (a lookup's
/// time says nothing of the identifiers kept).
pub struct Sessions {
    accounts: Accounts,
    expiry: Expiry,
    live: Mutex<HashMap<[u8; 32], Entry>>,
}

impl std::fmt::Debug for Sessions {
    /// Their number, never their tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let live = self.live.lock().map_or(0, |live| live.len());
        f.debug_struct("Sessions")
            .field("expiry", &self.expiry)
            .field("live", &live)
            .finish_non_exhaustive()
    }
}

fn key(id: &str) -> [u8; 32] {
    sha2::Sha256::digest(id.as_bytes()).into()
}

impl Sessions {
    /// No session yet, over these accounts.
    pub fn new(accounts: Accounts, expiry: Expiry) -> Self {
        Self {
            accounts,
            expiry,
            live: Mutex::new(HashMap::new()),
        }
    }

    /// Begins a session for someone who has just logged in. Refused if
    /// their account was disabled or removed meanwhile.
    pub fn create(&self, principal: &Principal) -> Result<Session, AccountError> {
        self.create_at(principal, Instant::now())
    }

    fn create_at(&self, principal: &Principal, now: Instant) -> Result<Session, AccountError> {
        let Some((_, password)) = self.accounts.current(&principal.login)? else {
            return Err(AccountError::Disabled(principal.login.clone()));
        };
        let id = base64url(&random::<32>()?);
        let csrf = base64url(&random::<32>()?);
        let lifetime = self.expiry.duration();
        let entry = Entry {
            login: principal.login.clone(),
            csrf: csrf.clone(),
            password,
            expires: now + lifetime,
        };
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        if live.len() >= MAX_SESSIONS {
            live.retain(|_, e| e.expires > now);
        }
        if live.len() >= MAX_SESSIONS {
            // Still full of live sessions: the quarter closest to expiring go.
            let mut ends: Vec<Instant> = live.values().map(|e| e.expires).collect();
            let quarter = ends.len() / 4;
            let (_, cut, _) = ends.select_nth_unstable(quarter);
            let cut = *cut;
            live.retain(|_, e| e.expires > cut);
        }
        live.insert(key(&id), entry);
        Ok(Session {
            id,
            csrf,
            expires: SystemTime::now() + lifetime,
        })
    }

    /// Who a session's identifier stands for, as their account is now, and
    /// the session's form token. `None` (and the session dropped) when it
    /// is unknown, expired, or its account was disabled, removed or given
    /// a new password since.
    pub fn get(&self, id: &str) -> Result<Option<(Principal, String)>, AccountError> {
        self.get_at(id, Instant::now())
    }

    fn get_at(&self, id: &str, now: Instant) -> Result<Option<(Principal, String)>, AccountError> {
        let key = key(id);
        let entry = {
            let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
            match live.get_mut(&key) {
                None => return Ok(None),
                Some(e) if e.expires <= now => {
                    live.remove(&key);
                    return Ok(None);
                }
                Some(e) => {
                    if let Expiry::Sliding(d) = self.expiry {
                        e.expires = now + d;
                    }
                    e.clone()
                }
            }
        };
        match self.accounts.current(&entry.login)? {
            Some((principal, password)) if password == entry.password => {
                Ok(Some((principal, entry.csrf)))
            }
            _ => {
                self.end(id);
                Ok(None)
            }
        }
    }

    /// Ends a session (logging out); an unknown one is ignored.
    pub fn end(&self, id: &str) {
        self.live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{NewUser, Role};

    fn accounts() -> (tempfile::TempDir, Accounts, Principal) {
        let dir = tempfile::tempdir().expect("temp dir");
        let accounts = Accounts::open(dir.path()).expect("open");
        accounts
            .add_user(NewUser {
                login: "modo@reseau.fr".into(),
                name: "Modo".into(),
                role: Role::Moderator,
                organisation: None,
                password: "un mot de passe long".into(),
            })
            .expect("add");
        let principal = accounts
            .current("modo@reseau.fr")
            .expect("read")
            .expect("enabled")
            .0;
        (dir, accounts, principal)
    }

    #[test]
    fn a_session_lives_until_it_expires_or_ends() {
        let (_dir, accounts, principal) = accounts();
        let sessions = Sessions::new(accounts, Expiry::Fixed(Duration::from_secs(60)));
        let t0 = Instant::now();
        let session = sessions.create_at(&principal, t0).expect("create");
        assert_eq!(session.id.len(), 43);
        assert_ne!(session.id, session.csrf);
        let (who, csrf) = sessions
            .get_at(&session.id, t0)
            .expect("get")
            .expect("live");
        assert_eq!(who, principal);
        assert_eq!(csrf, session.csrf);
        assert!(sessions.get_at("autre", t0).expect("get").is_none());
        // Fixed: using it does not push its end.
        assert!(
            sessions
                .get_at(&session.id, t0 + Duration::from_secs(59))
                .expect("get")
                .is_some()
        );
        assert!(
            sessions
                .get_at(&session.id, t0 + Duration::from_secs(60))
                .expect("get")
                .is_none()
        );
        assert!(
            sessions.get_at(&session.id, t0).expect("get").is_none(),
            "dropped once expired"
        );

        let other = sessions.create_at(&principal, t0).expect("create");
        sessions.end(&other.id);
        assert!(sessions.get_at(&other.id, t0).expect("get").is_none());
    }

    #[test]
    fn a_sliding_session_lives_while_used() {
        let (_dir, accounts, principal) = accounts();
        let sessions = Sessions::new(accounts, Expiry::Sliding(Duration::from_secs(60)));
        let t0 = Instant::now();
        let session = sessions.create_at(&principal, t0).expect("create");
        for minute in 1..5 {
            let at = t0 + Duration::from_secs(50 * minute);
            assert!(sessions.get_at(&session.id, at).expect("get").is_some());
        }
        assert!(
            sessions
                .get_at(&session.id, t0 + Duration::from_secs(400))
                .expect("get")
                .is_none()
        );
    }

    #[test]
    fn disabling_an_account_or_changing_its_password_ends_its_sessions() {
        let (_dir, accounts, principal) = accounts();
        let sessions = Sessions::new(accounts.clone(), Expiry::default());
        let first = sessions.create(&principal).expect("create");
        accounts.disable("modo@reseau.fr").expect("disable");
        assert!(sessions.get(&first.id).expect("get").is_none());
        accounts.enable("modo@reseau.fr").expect("enable");
        assert!(
            sessions.get(&first.id).expect("get").is_none(),
            "gone for good"
        );
        let second = sessions.create(&principal).expect("create");
        assert!(sessions.get(&second.id).expect("get").is_some());
        accounts
            .set_password("modo@reseau.fr", "un autre mot de passe")
            .expect("password");
        assert!(sessions.get(&second.id).expect("get").is_none());
        accounts.disable("modo@reseau.fr").expect("disable");
        assert!(sessions.create(&principal).is_err());
    }
}
