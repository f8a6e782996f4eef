//! Partner cells as the network writes them: several names joined by bare
//! dashes (`Orange-Inria-CNRS`), hyphenated names that must stay whole
//! (`Saint-Étienne Métropole`, `Berger-Levrault`), and words that mean "no
//! partner" (`aucun`, `néant`, `/`, `NC`) or "built in-house" (`en régie`,
//! `interne`).
//!
//! A bare dash (no space on either side, outside parentheses) joins two
//! words of one name when a known name joins those two words the same way:
//! a territory of the reference data (every hyphenated commune, EPCI,
//! département and région), an organisation of the store, or an
//! organisation leading a project in the same file. It also does when one
//! of the words is a particle of French place names (`Saint`, `Sainte`, or
//! in lower case `sur`, `en`, `de`, `lès`…), a single letter or a number.
//! Any other bare dash separates two partners. So a known name inside a
//! dash-joined list stays whole: `Aix-Marseille-Provence-Inria` gives
//! `Aix-Marseille-Provence` and `Inria`.

use super::concepts::Concepts;
use super::interconnectes::{Field, Table};
use super::normalize;
use crate::iri::{BaseIri, fold};
use oxigraph::model::{Term, vocab::rdfs};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The scheme and notation of the delivery mode "developed in-house".
pub(crate) const IN_HOUSE: (&str, &str) = ("mise-en-oeuvre", "projet-developpe-en-interne");

/// Folded cells that mean "no partner".
const NOBODY: &[&str] = &[
    "aucun",
    "aucune",
    "aucun partenaire",
    "aucuns",
    "pas de partenaire",
    "pas de partenaires",
    "sans",
    "sans partenaire",
    "sans objet",
    "neant",
    "non",
    "nc",
    "n c",
    "na",
    "n a",
    "nr",
    "non renseigne",
    "non concerne",
    "ras",
    "rien",
    "x",
    "0",
];

/// Words that may start a hyphenated place name in any case.
const SAINTS: &[&str] = &["saint", "sainte", "saints", "saintes", "st", "ste"];

/// Particles of hyphenated place names, when written in lower case
/// (`Châlons-en-Champagne`, `Ille-et-Vilaine`, `Villeneuve-lès-Avignon`).
const PARTICLES: &[&str] = &[
    "de", "du", "des", "la", "le", "les", "en", "sur", "sous", "lès", "lez", "et", "aux", "au",
];

/// The pairs of words that bare dashes join in known names.
#[derive(Debug, Default)]
pub(crate) struct KnownNames {
    /// The reference territories' pairs, learnt once for every file.
    reference: Option<&'static KnownNames>,
    pairs: HashSet<(String, String)>,
}

/// The run of letters and digits that ends before `at` (or starts after it,
/// with `forward`).
fn word_beside(chars: &[char], at: usize, forward: bool) -> String {
    if forward {
        chars[at + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric())
            .collect()
    } else {
        let mut w: Vec<char> = chars[..at]
            .iter()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .copied()
            .collect();
        w.reverse();
        w.into_iter().collect()
    }
}

/// The positions of the bare dashes of `chars` outside parentheses: a `-`
/// with no space on either side.
fn bare_dashes(chars: &[char]) -> Vec<usize> {
    let mut depth = 0usize;
    let mut found = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '-' if depth == 0
                && i > 0
                && i + 1 < chars.len()
                && !chars[i - 1].is_whitespace()
                && !chars[i + 1].is_whitespace() =>
            {
                found.push(i);
            }
            _ => {}
        }
    }
    found
}

/// The names of the reference territories bundled with bibia that have a
/// dash (their `rdfs:label`), read once: they are known to every import,
/// whether or not the store holds the territories.
pub(crate) fn reference_names(base: &BaseIri) -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(
        || match crate::model::parse_group(crate::model::bundle::REFERENCE, base) {
            Ok(quads) => quads
                .into_iter()
                .filter(|q| q.predicate.as_ref() == rdfs::LABEL)
                .filter_map(|q| match q.object {
                    Term::Literal(l) if l.value().contains('-') => Some(l.value().to_owned()),
                    _ => None,
                })
                .collect(),
            Err(e) => {
                tracing::warn!("territoires de référence illisibles : {e}");
                Vec::new()
            }
        },
    )
}

impl KnownNames {
    /// The names whose dashes are not between two partners: territories,
    /// stored organisations (`stored`), and the file's own project leaders.
    pub(crate) fn for_file(base: &BaseIri, stored: Vec<String>, table: &Table) -> Self {
        // The territories' pairs, learnt once and shared, not copied
        // (thousands of names: most of the cleaning's time when learnt, or
        // copied, per file).
        static REFERENCE: OnceLock<KnownNames> = OnceLock::new();
        let reference = REFERENCE.get_or_init(|| {
            let mut names = Self::default();
            for name in reference_names(base) {
                names.add(name);
            }
            names
        });
        let mut names = Self {
            reference: Some(reference),
            pairs: HashSet::new(),
        };
        for name in stored {
            names.add(&name);
        }
        for row in &table.rows {
            names.add(row.get(Field::NomCollectivite));
        }
        names
    }

    /// Learns the dashes of a name (names without one teach nothing).
    pub(crate) fn add(&mut self, name: &str) {
        if !name.contains('-') {
            return;
        }
        let chars: Vec<char> = name.chars().collect();
        for at in bare_dashes(&chars) {
            let (left, right) = (
                word_beside(&chars, at, false),
                word_beside(&chars, at, true),
            );
            if !left.is_empty() && !right.is_empty() {
                self.pairs.insert((fold(&left), fold(&right)));
            }
        }
    }

    /// Whether a pair of folded words is joined in a known name.
    fn knows(&self, pair: &(String, String)) -> bool {
        self.pairs.contains(pair) || self.reference.is_some_and(|r| r.knows(pair))
    }

    /// Whether a bare dash between `left` and `right` is inside a name.
    fn joins(&self, left: &str, right: &str) -> bool {
        if left.is_empty() || right.is_empty() {
            return false;
        }
        let particle =
            |w: &str| w.chars().next().is_some_and(char::is_lowercase) && PARTICLES.contains(&w);
        let (l, r) = (fold(left), fold(right));
        left.chars().count() == 1
            || right.chars().count() == 1
            || left.chars().all(|c| c.is_ascii_digit())
            || right.chars().all(|c| c.is_ascii_digit())
            || SAINTS.contains(&l.as_str())
            || particle(left)
            || particle(right)
            || self.knows(&(l, r))
    }

    /// Splits a partner (already separated from the others by commas, line
    /// breaks, spaced dashes…) on the bare dashes that join no name.
    pub(crate) fn split(&self, piece: &str) -> Vec<String> {
        let chars: Vec<char> = piece.chars().collect();
        let mut parts = Vec::new();
        let mut from = 0;
        for at in bare_dashes(&chars) {
            let (left, right) = (
                word_beside(&chars, at, false),
                word_beside(&chars, at, true),
            );
            if !self.joins(&left, &right) {
                parts.push(chars[from..at].iter().collect::<String>());
                from = at + 1;
            }
        }
        parts.push(chars[from..].iter().collect());
        parts
            .into_iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    }
}

/// What a partner cell says once read.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct PartnerCell {
    /// The partners' names (with their role in parentheses, if any).
    pub(crate) names: Vec<String>,
    /// Whether the cell says the project was built in-house.
    pub(crate) in_house: bool,
    /// What was decided, for the editors.
    pub(crate) warnings: Vec<String>,
}

/// Reads a partner cell: splits it (see [`normalize::split_partners`] and
/// [`KnownNames::split`]), and drops the pieces that mean no partner or
/// in-house (those that name the in-house delivery mode of `concepts`).
pub(crate) fn read(raw: &str, known: &KnownNames, concepts: &Concepts) -> PartnerCell {
    let in_house = concepts.by_notation(IN_HOUSE.0, IN_HOUSE.1);
    let names_in_house =
        |piece: &str| in_house.is_some() && concepts.find(IN_HOUSE.0, piece) == in_house;
    let mut cell = PartnerCell::default();
    let raw = raw.trim();
    if !raw.is_empty() && !raw.chars().any(char::is_alphanumeric) {
        cell.warnings.push(format!(
            "Partenaires « {raw} » : lu comme « aucun partenaire », aucun partenaire enregistré"
        ));
        return cell;
    }
    for piece in normalize::split_partners(raw) {
        if !piece.chars().any(char::is_alphanumeric) || NOBODY.contains(&fold(&piece).as_str()) {
            cell.warnings.push(format!(
                "Partenaires « {piece} » : lu comme « aucun partenaire », aucun partenaire enregistré"
            ));
        } else if names_in_house(&piece) {
            cell.in_house = true;
            cell.warnings.push(format!(
                "Partenaires « {piece} » : projet réalisé en interne, aucun partenaire enregistré"
            ));
        } else {
            let parts = known.split(&piece);
            if parts.len() > 1 {
                cell.warnings.push(format!(
                    "Partenaires « {piece} » : noms joints par des tirets, lus comme {} partenaires ({})",
                    parts.len(),
                    parts.join(" ; ")
                ));
            }
            cell.names.extend(parts);
        }
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> KnownNames {
        let mut k = KnownNames::default();
        for name in [
            "Métropole d'Aix-Marseille-Provence",
            "Saint-Étienne Métropole",
            "Berger-Levrault",
            "Villeneuve-d'Ascq",
        ] {
            k.add(name);
        }
        k
    }

    #[test]
    fn dash_joined_lists_are_split_and_known_names_kept_whole() {
        let k = known();
        assert_eq!(
            k.split("Orange-Inria-CNRS-Mistral AI"),
            ["Orange", "Inria", "CNRS", "Mistral AI"]
        );
        for whole in [
            "Berger-Levrault",
            "Saint-Étienne Métropole",
            "Aix-Marseille Université",
            "Villeneuve-d'Ascq",
            "Ille-et-Vilaine",
            "Sainte-Foy-lès-Lyon",
            "Covid-19 Lab",
            "La Poste (co-financeur)",
        ] {
            assert_eq!(k.split(whole), [whole]);
        }
        // A known name inside a list stays whole.
        assert_eq!(
            k.split("Aix-Marseille-Provence-Inria-Berger-Levrault"),
            ["Aix-Marseille-Provence", "Inria", "Berger-Levrault"]
        );
        assert_eq!(
            k.split("Inria (laboratoire)-Orange"),
            ["Inria (laboratoire)", "Orange"]
        );
        // "La" in capitals starts a name, it is no particle.
        assert_eq!(k.split("Orange-La Poste"), ["Orange", "La Poste"]);
    }
}
