//! Secrets: random bytes from the system, passwords hashed with Argon2id,
//! API tokens (`bibia_{id}_{secret}`) kept as SHA-256 hashes, and an
//! equality whose time does not depend on where two values differ.

use super::AccountError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use sha2::Digest as _;
use std::sync::OnceLock;

/// What every API token starts with.
const TOKEN_PREFIX: &str = "bibia_";
/// Random bytes of a token's public identifier (8 hexadecimal digits).
const TOKEN_ID_BYTES: usize = 4;
/// Random bytes of a token's secret part (64 hexadecimal digits).
const TOKEN_SECRET_BYTES: usize = 32;

/// `N` bytes from the operating system's generator.
pub(super) fn random<const N: usize>() -> Result<[u8; N], AccountError> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).map_err(|e| AccountError::Random(e.to_string()))?;
    Ok(bytes)
}

/// Lowercase hexadecimal.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Base64url without padding (RFC 4648 §5): safe in cookies and URLs.
pub(super) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// SHA-256 of `text`, in hexadecimal.
pub(super) fn sha256_hex(text: &str) -> String {
    hex(&sha2::Sha256::digest(text.as_bytes()))
}

/// Whether `a` and `b` are equal, in a time that depends on their lengths
/// only, not on where they differ: for comparing a presented secret (a
/// token's hash, a form's CSRF token) with the expected one.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// The Argon2id PHC string of `password`, with the argon2 crate's default
/// parameters (19 MiB, 2 passes, 1 lane: OWASP's recommendation) and a
/// random 16-byte salt.
pub(super) fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt =
        SaltString::encode_b64(&random::<16>()?).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` is the one `phc` was made from (the parameters are
/// read from `phc`). A malformed `phc` matches nothing.
pub(super) fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Checks a password against a hash nobody knows the password of, so that
/// logging in as an unknown account costs as long as with a wrong password.
pub(super) fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        random::<32>()
            .ok()
            .and_then(|bytes| hash_password(&hex(&bytes)).ok())
    });
    if let Some(phc) = dummy {
        std::hint::black_box(verify_password(password, phc));
    }
}

/// A new token: its public identifier and the whole secret
/// (`bibia_{id}_{64 hexadecimal digits}`).
pub(super) fn new_token() -> Result<(String, String), AccountError> {
    let id = hex(&random::<TOKEN_ID_BYTES>()?);
    let secret = hex(&random::<TOKEN_SECRET_BYTES>()?);
    let token = format!("{TOKEN_PREFIX}{id}_{secret}");
    Ok((id, token))
}

/// The public identifier of a presented token, if it has a token's shape.
pub(super) fn token_id(token: &str) -> Option<&str> {
    let (id, secret) = token.strip_prefix(TOKEN_PREFIX)?.split_once('_')?;
    let hex_digits = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    (hex_digits(id, 2 * TOKEN_ID_BYTES) && hex_digits(secret, 2 * TOKEN_SECRET_BYTES)).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let phc = hash_password("correct horse battery").expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterY", &phc));
        assert!(!verify_password("correct horse battery", "pas un hash"));
        let again = hash_password("correct horse battery").expect("hash");
        assert_ne!(phc, again, "each hash has its own salt");
    }

    #[test]
    fn base64url_follows_rfc_4648_without_padding() {
        // RFC 4648 §10's vectors, padding removed.
        for (input, expected) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(input.as_bytes()), expected);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url(&[0; 32]).len(), 43);
    }

    #[test]
    fn tokens_have_one_shape() {
        let (id, token) = new_token().expect("token");
        assert_eq!(token_id(&token), Some(id.as_str()));
        assert_eq!(token.len(), "bibia_".len() + 8 + 1 + 64);
        for bad in [
            "",
            "bibia_",
            "bibia_0123abcd",
            "bibia_0123abcd_",
            "bibia_0123ABCD_0000000000000000000000000000000000000000000000000000000000000000",
            "bibia_0123abc_00000000000000000000000000000000000000000000000000000000000000000",
            "jeton_0123abcd_0000000000000000000000000000000000000000000000000000000000000000",
        ] {
            assert_eq!(token_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn constant_time_eq_is_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
