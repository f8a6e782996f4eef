//! Cleaning the values of the network's spreadsheets: spaces and line
//! breaks, SIRET/SIREN (length, Luhn, La Poste exception), partial dates,
//! coordinates in France (decimal commas accepted), URLs, and the splitting
//! of multi-valued cells.

use crate::siren;
use std::fmt;

/// One line of text: every run of white space (line breaks, tabs,
/// non-breaking spaces) becomes one space; trimmed.
pub(crate) fn inline(raw: &str) -> String {
    raw.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A paragraph: line breaks kept (as `\n`), spaces at line ends and blank
/// lines beyond one removed, trimmed.
pub(crate) fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank = 0;
    for line in raw.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
        let line = line.replace('\u{a0}', " ");
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out.trim().to_owned()
}

/// An establishment (SIRET) or legal-entity (SIREN) identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identifier {
    /// 14 digits.
    Siret(String),
    /// 9 digits (a SIREN given where a SIRET was asked).
    Siren(String),
}

impl Identifier {
    /// The SIREN: the first nine digits.
    pub(crate) fn siren(&self) -> &str {
        match self {
            Self::Siret(s) => &s[..9],
            Self::Siren(s) => s,
        }
    }

    /// The SIRET, when one was given.
    pub(crate) fn siret(&self) -> Option<&str> {
        match self {
            Self::Siret(s) => Some(s),
            Self::Siren(_) => None,
        }
    }
}

/// Why a SIRET cell was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SiretError {
    /// Not 14 (or 9) digits once spaces are removed.
    Length(usize),
    /// Letters or other signs among the digits.
    NotDigits,
    /// Written in scientific notation by a spreadsheet (digits lost).
    Scientific,
    /// The Luhn check fails: a digit was mistyped.
    Checksum,
}

impl fmt::Display for SiretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length(n) => write!(f, "{n} chiffres au lieu de 14"),
            Self::NotDigits => f.write_str("contient autre chose que des chiffres"),
            Self::Scientific => {
                f.write_str("écrit en notation scientifique par un tableur (chiffres perdus)")
            }
            Self::Checksum => {
                f.write_str("clé de contrôle (Luhn) fausse : un chiffre est probablement erroné")
            }
        }
    }
}

/// Reads a SIRET cell: spaces, dots and dashes removed, 14 digits checked
/// with Luhn ([`crate::siren`]: La Poste's digit sum multiple of 5). A valid 9-digit SIREN is
/// accepted too. `Ok(None)` for an empty cell.
pub(crate) fn siret(raw: &str) -> Result<Option<Identifier>, SiretError> {
    let compact: String = raw
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '.' | '-' | '\u{a0}' | '\u{202f}' | '\'')))
        .collect();
    if compact.is_empty() {
        return Ok(None);
    }
    if compact.contains(['E', 'e']) && compact.contains('+') || compact.contains(',') {
        return Err(SiretError::Scientific);
    }
    if !compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SiretError::NotDigits);
    }
    match compact.len() {
        14 if siren::has_valid_key(&compact) => Ok(Some(Identifier::Siret(compact))),
        9 if siren::has_valid_key(&compact) => Ok(Some(Identifier::Siren(compact))),
        9 | 14 => Err(SiretError::Checksum),
        n => Err(SiretError::Length(n)),
    }
}

/// A date as precise as the spreadsheet gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartialDate {
    /// `AAAA`.
    Year(i32),
    /// `MM/AAAA`.
    YearMonth(i32, u32),
    /// `JJ/MM/AAAA`.
    Date(i32, u32, u32),
}

impl PartialDate {
    /// The XSD lexical form.
    pub(crate) fn lexical(self) -> String {
        match self {
            Self::Year(y) => format!("{y:04}"),
            Self::YearMonth(y, m) => format!("{y:04}-{m:02}"),
            Self::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
        }
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads `JJ/MM/AAAA`, `MM/AAAA`, `AAAA`, `AAAA-MM-JJ`, `AAAA-MM` (also with
/// `-` or `.` between French-ordered parts, and two-digit years as 20xx).
/// `None` when the text is no date or an impossible one.
pub(crate) fn date(raw: &str) -> Option<PartialDate> {
    let s = raw.trim();
    // A time part ("2024-03-01 00:00:00", "2024-03-01T…") is dropped.
    let s = s.split(['T', ' ']).next().unwrap_or(s);
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let year = |p: &str| -> Option<i32> {
        let y: i32 = p.parse().ok()?;
        match p.len() {
            4 => Some(y),
            2 => Some(2000 + y),
            _ => None,
        }
    };
    let num = |p: &str| -> Option<u32> { if p.len() <= 2 { p.parse().ok() } else { None } };
    let d = match parts.as_slice() {
        [y] if y.len() == 4 => PartialDate::Year(year(y)?),
        [y, m] if y.len() == 4 => PartialDate::YearMonth(year(y)?, num(m)?),
        [m, y] => PartialDate::YearMonth(year(y)?, num(m)?),
        [y, m, d] if y.len() == 4 => PartialDate::Date(year(y)?, num(m)?, num(d)?),
        [d, m, y] => PartialDate::Date(year(y)?, num(m)?, num(d)?),
        _ => return None,
    };
    let ok = match d {
        PartialDate::Year(y) => (1900..=2200).contains(&y),
        PartialDate::YearMonth(y, m) => (1900..=2200).contains(&y) && (1..=12).contains(&m),
        PartialDate::Date(y, m, day) => {
            (1900..=2200).contains(&y)
                && (1..=12).contains(&m)
                && day >= 1
                && day <= days_in_month(y, m)
        }
    };
    ok.then_some(d)
}

/// A coordinate cell as an `xsd:decimal` lexical form and its value: decimal
/// comma accepted, degree sign and spaces dropped. `None` when it is no
/// number.
pub(crate) fn coordinate(raw: &str) -> Option<(String, f64)> {
    let s: String = raw
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '°' | '\u{a0}')))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let body = s.strip_prefix(['-', '+']).unwrap_or(&s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // The canonical form (as the store gives it back): no leading or
    // trailing zeros, no fraction when it is zero, no sign on zero.
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let mut lexical = String::new();
    if s.starts_with('-') && !(int.is_empty() && frac.is_empty()) {
        lexical.push('-');
    }
    lexical.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        lexical.push('.');
        lexical.push_str(frac);
    }
    let value = lexical.parse().ok()?;
    Some((lexical, value))
}

/// Latitude/longitude boxes of metropolitan France and the overseas
/// territories where a collectivité may sit (with a little margin).
const FRANCE: &[(&str, f64, f64, f64, f64)] = &[
    ("France métropolitaine", 41.2, 51.2, -5.5, 9.8),
    ("Guadeloupe", 15.8, 16.6, -61.9, -60.9),
    ("Saint-Martin et Saint-Barthélemy", 17.8, 18.2, -63.2, -62.7),
    ("Martinique", 14.3, 14.95, -61.3, -60.75),
    ("Guyane", 2.0, 5.9, -54.7, -51.5),
    ("La Réunion", -21.45, -20.8, 55.15, 55.9),
    ("Mayotte", -13.1, -12.55, 44.95, 45.35),
    ("Saint-Pierre-et-Miquelon", 46.7, 47.2, -56.5, -56.05),
    ("Polynésie française", -28.0, -7.5, -155.0, -134.0),
    ("Nouvelle-Calédonie", -23.0, -18.9, 163.5, 168.5),
    ("Wallis-et-Futuna", -14.5, -13.1, -178.3, -176.0),
];

/// Where in France a point lies, if it does.
pub(crate) fn french_area(lat: f64, long: f64) -> Option<&'static str> {
    FRANCE
        .iter()
        .find(|(_, la0, la1, lo0, lo1)| {
            (*la0..=*la1).contains(&lat) && (*lo0..=*lo1).contains(&long)
        })
        .map(|(name, ..)| *name)
}

/// A URL cell as an absolute http(s) IRI (`www.…` gets `https://`), or
/// `None` when it is not one.
pub(crate) fn url(raw: &str) -> Option<String> {
    let s = raw.trim();
    let s = if s.starts_with("www.") {
        format!("https://{s}")
    } else {
        s.to_owned()
    };
    let lower = s.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://"))
        || s.contains(char::is_whitespace)
    {
        return None;
    }
    oxrdf::NamedNode::new(&s).is_ok().then_some(s)
}

/// Splits a list cell (sub-themes, audiences) on commas, semicolons, line
/// breaks, bullets and spaced dashes. Concept matching later glues back
/// neighbours whose union is one label ("Citoyenneté, santé et solidarité").
pub(crate) fn split_list(raw: &str) -> Vec<String> {
    split_on(raw, &[",", ";", "\n", "\r", "|", "•", " - ", " – ", " — "])
}

/// Splits a partner cell on line breaks, semicolons, commas and dashes that
/// touch a space (" - ", "X -Y", "X- Y"), never inside parentheses; leading
/// bullets and dashes are dropped. Bare dashes ("Aix-Marseille-Provence",
/// "Orange-Inria") are left to [`super::partners::KnownNames::split`].
pub(crate) fn split_partners(raw: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let chars: Vec<char> = raw.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev_space = i == 0 || chars[i - 1].is_whitespace();
        let next_space = i + 1 == chars.len() || chars[i + 1].is_whitespace();
        let cut = match c {
            '(' | '[' => {
                depth += 1;
                false
            }
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                false
            }
            '\n' | '\r' | ';' | '•' | '|' => true,
            ',' => depth == 0,
            '-' | '–' | '—' => depth == 0 && (prev_space || next_space),
            _ => false,
        };
        if cut {
            pieces.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    pieces.push(cur);
    pieces
        .into_iter()
        .map(|p| inline(p.trim_start_matches(['*', '-', '•', ' '])))
        .filter(|p| !p.is_empty())
        .collect()
}

fn split_on(raw: &str, seps: &[&str]) -> Vec<String> {
    let mut pieces = vec![raw.to_owned()];
    for sep in seps {
        pieces = pieces
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_owned).collect::<Vec<_>>())
            .collect();
    }
    pieces
        .into_iter()
        .map(|p| inline(&p))
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siret_spaces_luhn_and_la_poste() {
        assert_eq!(
            siret(" 200 046 977 00019 ").unwrap().unwrap().siren(),
            "200046977"
        );
        assert_eq!(siret("20004697700012"), Err(SiretError::Checksum));
        assert_eq!(siret("2000469770001"), Err(SiretError::Length(13)));
        assert_eq!(siret("2,00047E+13"), Err(SiretError::Scientific));
        // La Poste: digit sum multiple of 5, Luhn false.
        assert_eq!(
            siret("35600000049837").unwrap().unwrap().siren(),
            siren::LA_POSTE
        );
        assert_eq!(
            siret("200046977").unwrap(),
            Some(Identifier::Siren("200046977".into()))
        );
        assert_eq!(siret("  ").unwrap(), None);
    }

    #[test]
    fn dates_in_every_spelling() {
        assert_eq!(date("03/2023"), Some(PartialDate::YearMonth(2023, 3)));
        assert_eq!(
            date("3/2023").map(PartialDate::lexical).as_deref(),
            Some("2023-03")
        );
        assert_eq!(
            date("15/09/2022").map(PartialDate::lexical).as_deref(),
            Some("2022-09-15")
        );
        assert_eq!(
            date("2022-09-15 00:00:00"),
            Some(PartialDate::Date(2022, 9, 15))
        );
        assert_eq!(date("2021"), Some(PartialDate::Year(2021)));
        assert_eq!(date("31/02/2022"), None);
        assert_eq!(date("bientôt"), None);
        assert_eq!(date("13/2022"), None);
    }

    #[test]
    fn coordinates_and_france() {
        assert_eq!(coordinate("45,764").map(|c| c.0).as_deref(), Some("45.764"));
        assert_eq!(coordinate(" -0.57 ").map(|c| c.0).as_deref(), Some("-0.57"));
        assert!(coordinate("N45").is_none());
        assert_eq!(
            coordinate("045,7640").map(|c| c.0).as_deref(),
            Some("45.764")
        );
        assert_eq!(coordinate("5,0").map(|c| c.0).as_deref(), Some("5"));
        assert_eq!(coordinate("-0,0").map(|c| c.0).as_deref(), Some("0"));
        assert_eq!(french_area(45.76, 4.83), Some("France métropolitaine"));
        assert_eq!(french_area(-21.1, 55.5), Some("La Réunion"));
        assert_eq!(french_area(-22.27, 166.45), Some("Nouvelle-Calédonie"));
        assert_eq!(french_area(4.83, 45.76), None);
    }

    #[test]
    fn partners_split_on_spaced_dashes_only() {
        assert_eq!(
            split_partners(
                "Aix-Marseille Université - Inria -Orange\nCNRS; La Poste (financeur, mécène)"
            ),
            [
                "Aix-Marseille Université",
                "Inria",
                "Orange",
                "CNRS",
                "La Poste (financeur, mécène)"
            ]
        );
        assert_eq!(
            split_partners("- Saint-Étienne Métropole\n- ENSM"),
            ["Saint-Étienne Métropole", "ENSM"]
        );
    }

    #[test]
    fn text_cleaning() {
        assert_eq!(inline("  Métropole\nde  Lyon\u{a0} "), "Métropole de Lyon");
        assert_eq!(text("Un  \r\n\r\n\r\nDeux  "), "Un\n\nDeux");
        assert_eq!(
            split_list("Agent, Elu - Grand public"),
            ["Agent", "Elu", "Grand public"]
        );
        assert_eq!(url("www.lyon.fr").as_deref(), Some("https://www.lyon.fr"));
        assert_eq!(url("lyon point fr"), None);
    }
}
