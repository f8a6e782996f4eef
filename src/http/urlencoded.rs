//! The `name=value` pairs of a form body or a SPARQL query string, read
//! strictly: text that is not UTF-8 once its `%XX` escapes are decoded is
//! refused. `serde_urlencoded` alone would replace it with U+FFFD, so that
//! a form (a report, a contribution) would be kept, or a query answered,
//! with other text than the client sent.

use super::Message;

/// The pairs of `encoded`, or why they cannot be read.
pub(crate) fn pairs(encoded: &[u8]) -> Result<Vec<(String, String)>, Message> {
    if std::str::from_utf8(&percent_decoded(encoded)).is_err() {
        return Err(Message::new(
            "le texte n'est pas de l'UTF-8 valide (octets ou séquences %XX) : encodez-le en UTF-8",
            "the text is not valid UTF-8 (bytes or %XX sequences): encode it in UTF-8",
        ));
    }
    serde_urlencoded::from_bytes(encoded).map_err(|e| Message::new(e.to_string(), e.to_string()))
}

/// `encoded` with its `%XX` escapes decoded (the separators `&`, `=` and
/// `+` are ASCII, so the whole is UTF-8 exactly when every name and value
/// is).
fn percent_decoded(encoded: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(encoded.len());
    let mut i = 0;
    while i < encoded.len() {
        let escaped = match encoded[i..] {
            [b'%', h, l, ..] => hex(h).zip(hex(l)),
            _ => None,
        };
        match escaped {
            Some((h, l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(u8::MAX));
                i += 3;
            }
            None => {
                out.push(encoded[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::pairs;

    #[test]
    fn utf8_is_read_and_anything_else_refused() {
        let read = pairs(b"q=caf%C3%A9+cr%C3%A8me&x=%41&y=100%").expect("UTF-8");
        assert_eq!(read[0], ("q".to_owned(), "café crème".to_owned()));
        assert_eq!(read[1].1, "A");
        assert_eq!(read[2].1, "100%", "a lone % is kept as it is");
        assert!(pairs("q=café".as_bytes()).is_ok(), "raw UTF-8 bytes");
        for bad in [&b"q=%FF"[..], b"q=%C3", b"q=%C3&r=%A9", b"q=\xff", b"%FF=x"] {
            let e = pairs(bad).expect_err("not UTF-8");
            assert!(e.fr.contains("UTF-8"), "{e}");
        }
    }
}
