//! Matching spreadsheet values to the SKOS concept schemes: by preferred
//! label, alternative or hidden label, or notation, ignoring case, accents,
//! punctuation and spacing; then, failing that, by a looser key that also
//! ignores plural and feminine endings ("Terminé" / "Terminée", "Élus") and
//! one-letter words ("Communauté agglomération"). Built once per import from
//! the model's index of the concept schemes.

use super::normalize;
use crate::iri::fold;
use crate::model::ConceptSchemes;
use oxrdf::NamedNode;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// The concepts of every scheme, indexed by folded label.
#[derive(Debug, Default)]
pub(crate) struct Concepts {
    schemes: HashMap<String, Scheme>,
}

#[derive(Debug, Default)]
struct Scheme {
    exact: HashMap<String, NamedNode>,
    /// Loose keys; `None` marks a key two concepts share (never matched).
    loose: HashMap<String, Option<NamedNode>>,
    by_notation: HashMap<String, NamedNode>,
}

/// The loose key: folded, words shorter than two letters dropped, `e`/`s`
/// endings removed.
fn loose(text: &str) -> String {
    fold(text)
        .split(' ')
        .filter(|w| w.len() > 1)
        .map(|w| w.trim_end_matches(['s', 'e']))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Concepts {
    /// The matching keys of the model's concept schemes.
    pub(crate) fn new(index: &ConceptSchemes) -> Self {
        let mut concepts = Self::default();
        for (name, list) in index.schemes() {
            let scheme = concepts.schemes.entry(name.to_owned()).or_default();
            // Preferred labels first so they win over alternative labels.
            let preferred = list
                .iter()
                .flat_map(|c| c.pref_labels.iter().map(move |l| (c, l)));
            let others = list.iter().flat_map(|c| {
                c.other_labels
                    .iter()
                    .chain(c.notation.as_ref())
                    .map(move |l| (c, l))
            });
            for (c, label) in preferred.chain(others) {
                scheme
                    .exact
                    .entry(fold(label))
                    .or_insert_with(|| c.iri.clone());
                match scheme.loose.get(&loose(label)) {
                    None => {
                        scheme.loose.insert(loose(label), Some(c.iri.clone()));
                    }
                    Some(Some(other)) if *other != c.iri => {
                        scheme.loose.insert(loose(label), None);
                    }
                    Some(_) => {}
                }
            }
            for c in list {
                if let Some(n) = &c.notation {
                    scheme.by_notation.insert(n.clone(), c.iri.clone());
                }
            }
        }
        concepts
    }

    /// The concept of `scheme` with this notation.
    pub(crate) fn by_notation(&self, scheme: &str, notation: &str) -> Option<&NamedNode> {
        self.schemes.get(scheme)?.by_notation.get(notation)
    }

    /// The concept of `scheme` one value names, if any.
    pub(crate) fn find(&self, scheme: &str, value: &str) -> Option<&NamedNode> {
        let s = self.schemes.get(scheme)?;
        let key = fold(value);
        if key == "sans nom" {
            return None;
        }
        s.exact
            .get(&key)
            .or_else(|| s.loose.get(&loose(value)).and_then(Option::as_ref))
    }

    /// The concepts a multi-valued cell names, and the pieces that matched
    /// nothing. The cell is split on list separators; neighbouring pieces
    /// are glued back when together they make one label; a piece that
    /// matches nothing is tried once more split on bare dashes and slashes.
    pub(crate) fn find_many(&self, scheme: &str, raw: &str) -> (Vec<NamedNode>, Vec<String>) {
        let mut found: Vec<NamedNode> = Vec::new();
        let mut unmatched = Vec::new();
        let push = |c: &NamedNode, found: &mut Vec<NamedNode>| {
            if !found.contains(c) {
                found.push(c.clone());
            }
        };
        if let Some(c) = self.find(scheme, raw) {
            return (vec![c.clone()], unmatched);
        }
        let pieces = normalize::split_list(raw);
        // The first piece at or after each one that has a letter or digit.
        let mut next_word = vec![pieces.len(); pieces.len() + 1];
        for k in (0..pieces.len()).rev() {
            next_word[k] = if has_word(&pieces[k]) {
                k
            } else {
                next_word[k + 1]
            };
        }
        let mut i = 0;
        while i < pieces.len() {
            if let Some((j, c)) = self.longest_run(scheme, &pieces, &next_word, i) {
                push(c, &mut found);
                i = j;
                continue;
            }
            let sub: Vec<&str> = pieces[i]
                .split(['-', '/', '+'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let subs: Vec<Option<&NamedNode>> = sub.iter().map(|s| self.find(scheme, s)).collect();
            if sub.len() > 1 && subs.iter().all(Option::is_some) {
                for c in subs.into_iter().flatten() {
                    push(c, &mut found);
                }
            } else {
                unmatched.push(pieces[i].clone());
            }
            i += 1;
        }
        (found, unmatched)
    }

    /// The longest run of `pieces` from `from` that together name a
    /// concept of `scheme` (glued with spaces): where it ends, and the
    /// concept. [`Self::find`] sees only a text's folded key, so not every
    /// run is tried: a piece without a letter or digit leaves the key as it
    /// is (`next_word[k]` is the first piece at or after `k` that has one),
    /// and once the key is full ([`fold`] keeps 80 characters) no piece
    /// changes it. Trying every run was cubic in the pieces: a cell of two
    /// thousand commas took minutes.
    fn longest_run<'a>(
        &'a self,
        scheme: &str,
        pieces: &[String],
        next_word: &[usize],
        from: usize,
    ) -> Option<(usize, &'a NamedNode)> {
        let mut best = None;
        let mut glued = String::new();
        let mut end = from;
        while end < pieces.len() {
            // The next piece with a word: the runs that end after it or
            // after the wordless pieces that follow it have one key.
            let word = next_word[end];
            if word == pieces.len() {
                break;
            }
            if !glued.is_empty() {
                glued.push(' ');
            }
            glued.push_str(&pieces[word]);
            end = next_word[word + 1];
            let found = self.find(scheme, &glued);
            if let Some(c) = found {
                best = Some((end, c));
            }
            if fold(&format!("{glued} x")) == fold(&glued) {
                // The key is full: every longer run has this one.
                return found.map(|c| (pieces.len(), c)).or(best);
            }
        }
        best
    }
}

/// Whether a piece has a letter or digit that its folded key keeps (one
/// that decomposes to ASCII); a piece without leaves any key it is glued
/// into unchanged.
fn has_word(piece: &str) -> bool {
    piece.nfkd().any(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::skos;
    use oxrdf::{GraphName, Literal, Quad};

    fn concepts() -> Concepts {
        let mut quads = Vec::new();
        let mut add = |scheme: &str, notation: &str, pref: &str, alts: &[&str]| {
            let c = NamedNode::new_unchecked(format!("http://x/id/concept/{scheme}/{notation}"));
            let s = NamedNode::new_unchecked(format!("http://x/id/concept/{scheme}"));
            quads.push(Quad::new(
                c.clone(),
                skos::IN_SCHEME,
                s,
                GraphName::DefaultGraph,
            ));
            quads.push(Quad::new(
                c.clone(),
                skos::NOTATION,
                Literal::from(notation),
                GraphName::DefaultGraph,
            ));
            quads.push(Quad::new(
                c.clone(),
                skos::PREF_LABEL,
                Literal::new_language_tagged_literal_unchecked(pref, "fr"),
                GraphName::DefaultGraph,
            ));
            for a in alts {
                quads.push(Quad::new(
                    c.clone(),
                    skos::ALT_LABEL,
                    Literal::from(*a),
                    GraphName::DefaultGraph,
                ));
            }
        };
        add("statut", "terminee", "Terminée", &[]);
        add("statut", "abandonne", "Abandonné", &[]);
        add("audience", "elu", "Elu", &["Élus"]);
        add("audience", "agent", "Agent", &[]);
        add("audience", "grand-public", "Grand public", &[]);
        add(
            "theme",
            "citoyennete",
            "Citoyenneté, santé et solidarité",
            &[],
        );
        add("theme", "mobilites", "Mobilités", &[]);
        // A label whose key is full (80 characters): runs longer than it
        // name it too.
        add(
            "theme",
            "long",
            "Abcdefghijklmnopqrstuvwxyz0123456789 abcdefghijklmnopqrstuvwxyz0123456789 abcdefghij",
            &[],
        );
        add(
            "type-organisation",
            "communaute-d-agglomeration",
            "Communauté d'agglomération",
            &["CA"],
        );
        Concepts::new(&ConceptSchemes::from_quads(&quads))
    }

    #[test]
    fn labels_match_ignoring_case_accents_and_endings() {
        let c = concepts();
        let name = |s: &str, v: &str| {
            c.find(s, v)
                .map(|n| n.as_str().rsplit('/').next().unwrap_or_default().to_owned())
        };
        assert_eq!(name("statut", " terminé ").as_deref(), Some("terminee"));
        assert_eq!(name("statut", "ABANDONNEE").as_deref(), Some("abandonne"));
        assert_eq!(name("audience", "élu").as_deref(), Some("elu"));
        assert_eq!(
            name("type-organisation", "Communauté  d’Agglomération").as_deref(),
            Some("communaute-d-agglomeration")
        );
        assert_eq!(
            name("type-organisation", "ca").as_deref(),
            Some("communaute-d-agglomeration")
        );
        assert_eq!(name("statut", "Peut-être"), None);
        assert_eq!(name("inconnu", "Terminée"), None);
    }

    #[test]
    fn multi_valued_cells_split_and_glue() {
        let c = concepts();
        let (found, unmatched) = c.find_many("audience", "Agent, Élus - Grand public;Martiens");
        assert_eq!(found.len(), 3);
        assert_eq!(unmatched, ["Martiens"]);
        let (found, unmatched) =
            c.find_many("theme", "Citoyenneté, santé et solidarité, Mobilités");
        assert_eq!(found.len(), 2, "{found:?} {unmatched:?}");
        let (found, _) = c.find_many("audience", "Agent-Elu");
        assert_eq!(found.len(), 2);
    }

    /// The longest run of pieces from `i` naming a concept, as
    /// `find_many` first found it: every run tried, longest first.
    fn every_run<'a>(
        c: &'a Concepts,
        scheme: &str,
        pieces: &[String],
        i: usize,
    ) -> Option<(usize, &'a NamedNode)> {
        (i + 1..=pieces.len())
            .rev()
            .find_map(|j| c.find(scheme, &pieces[i..j].join(" ")).map(|n| (j, n)))
    }

    /// Found by fuzzing `import` (fuzz/, `csv_import`): a list cell of a
    /// thousand commas took 40 s, two thousand 3 min, every run of pieces
    /// tried and each glued again (cubic). Now linear.
    #[test]
    fn a_cell_of_many_pieces_is_matched_in_linear_time() {
        // No timed assertion (speed is measured by benchmarks, not tests): a
        // cubic matcher would make this test take hours instead of a second.
        let c = concepts();
        let cell = "zz,".repeat(20_000) + "Mobilités";
        let (found, unmatched) = c.find_many("theme", &cell);
        assert_eq!(found.len(), 1);
        assert_eq!(unmatched.len(), 20_000);
        let cell = ". , ".repeat(20_000) + "Mobilités";
        let (found, _) = c.find_many("theme", &cell);
        assert_eq!(found.len(), 1);
    }

    /// Pieces of list cells: labels, parts of labels, one letters (which
    /// loose keys drop), pieces without a letter or digit, long words (to
    /// fill a key's 80 characters).
    const PIECES: &[&str] = &[
        "Agent",
        "Élus",
        "Elu",
        "Grand",
        "public",
        "Grand public",
        "Citoyenneté",
        "santé et solidarité",
        "Mobilités",
        "Terminée",
        "Communauté",
        "d'agglomération",
        "CA",
        "a",
        "x",
        "-",
        ".",
        "😀",
        "\u{301}",
        "ab\u{301}c",
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "Martiens",
    ];

    /// Whether `longest_run` finds, from every piece, what trying every
    /// run finds.
    fn check_longest_runs(c: &Concepts, pieces: &[&str]) {
        let pieces: Vec<String> = pieces.iter().map(|p| (*p).to_owned()).collect();
        let mut next_word = vec![pieces.len(); pieces.len() + 1];
        for k in (0..pieces.len()).rev() {
            next_word[k] = if has_word(&pieces[k]) {
                k
            } else {
                next_word[k + 1]
            };
        }
        for scheme in ["audience", "theme", "type-organisation", "statut"] {
            for i in 0..pieces.len() {
                assert_eq!(
                    c.longest_run(scheme, &pieces, &next_word, i),
                    every_run(c, scheme, &pieces, i),
                    "{scheme} {pieces:?} from {i}"
                );
            }
        }
    }

    /// Runs that fill a key (and name the long label) for sure, which
    /// random pieces seldom make.
    #[test]
    fn the_longest_run_of_full_keys_is_the_one_trying_every_run_finds() {
        let c = concepts();
        let long = "abcdefghijklmnopqrstuvwxyz0123456789";
        check_longest_runs(&c, &[long, long, long]);
        check_longest_runs(&c, &["x", long, ".", long, long, "😀", long, "Mobilités"]);
        check_longest_runs(&c, &[".", long, long, "-", "a", "Agent"]);
    }

    static CONCEPTS: std::sync::LazyLock<Concepts> = std::sync::LazyLock::new(concepts);

    proptest::proptest! {
        #![proptest_config(crate::fuzzing::proptest_config())]

        #[test]
        fn the_longest_run_is_the_one_trying_every_run_finds(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..12),
        ) {
            check_longest_runs(&CONCEPTS, &pieces);
        }
    }
}
