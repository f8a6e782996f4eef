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
        let mut i = 0;
        while i < pieces.len() {
            let glued = (i + 1..=pieces.len())
                .rev()
                .find_map(|j| self.find(scheme, &pieces[i..j].join(" ")).map(|c| (j, c)));
            if let Some((j, c)) = glued {
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
}
