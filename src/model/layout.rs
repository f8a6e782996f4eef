//! How a record is laid out for people: the groups of fields of each class
//! and their order, read from the shapes' non-validating `sh:group` and
//! `sh:order` (SHACL §2.3.2). Pages follow it now and forms will: a change
//! to the shapes moves a field on both with no code change.

use super::{as_node as node, french, number};
use crate::vocab::sh;
use oxrdf::vocab::rdfs;
use oxrdf::{Graph, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, TermRef};
use std::collections::HashMap;

/// A group of fields (`sh:PropertyGroup`).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Its IRI in the shapes.
    pub iri: Option<NamedNode>,
    /// Its French label.
    pub label: String,
    /// Its order among the groups.
    pub order: f64,
}

/// Where a field goes: its group (an index in [`Layout::groups`]) and its
/// order in the group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// Index of the group.
    pub group: usize,
    /// Order within the group.
    pub order: f64,
}

/// The groups of the shapes, plus "Autres informations" last, for the
/// fields no shape places.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    groups: Vec<Group>,
    places: HashMap<(NamedNode, NamedNode), Place>,
}

const OTHER: &str = "Autres informations";

impl Layout {
    /// Reads the groups and the places of the fields of each target class.
    pub fn from_shapes(shapes: &Graph) -> Self {
        let mut groups: Vec<Group> = shapes
            .subjects_for_predicate_object(
                oxrdf::vocab::rdf::TYPE,
                NamedNodeRef::new_unchecked("http://www.w3.org/ns/shacl#PropertyGroup"),
            )
            .filter_map(|g| match g {
                NamedOrBlankNodeRef::NamedNode(n) => Some(Group {
                    iri: Some(n.into_owned()),
                    label: french(shapes, g, rdfs::LABEL).unwrap_or_default(),
                    order: number(shapes, g, sh::ORDER).unwrap_or(0.0),
                }),
                NamedOrBlankNodeRef::BlankNode(_) => None,
            })
            .collect();
        groups.sort_by(|a, b| a.order.total_cmp(&b.order).then(a.label.cmp(&b.label)));
        groups.push(Group {
            iri: None,
            label: OTHER.to_owned(),
            order: f64::MAX,
        });
        let mut places = HashMap::new();
        for t in shapes.triples_for_predicate(sh::TARGET_CLASS) {
            let TermRef::NamedNode(class) = t.object else {
                continue;
            };
            for property in shapes.objects_for_subject_predicate(t.subject, sh::PROPERTY) {
                let Some(shape) = node(property) else {
                    continue;
                };
                let Some(TermRef::NamedNode(path)) =
                    shapes.object_for_subject_predicate(shape, sh::PATH)
                else {
                    continue;
                };
                let Some(TermRef::NamedNode(group)) =
                    shapes.object_for_subject_predicate(shape, sh::GROUP)
                else {
                    continue;
                };
                let Some(index) = groups
                    .iter()
                    .position(|g| g.iri.as_ref().is_some_and(|i| i.as_ref() == group))
                else {
                    continue;
                };
                let order = number(shapes, shape, sh::ORDER).unwrap_or(0.0);
                places.insert(
                    (class.into_owned(), path.into_owned()),
                    Place {
                        group: index,
                        order,
                    },
                );
            }
        }
        Self { groups, places }
    }

    /// The groups, in order; the last is "Autres informations".
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// Where a property of a node of these classes goes: the place the
    /// first class with a shape for it gives, else last in the last group.
    pub fn place<'a>(
        &self,
        classes: impl IntoIterator<Item = &'a NamedNode>,
        property: &NamedNode,
    ) -> Place {
        classes
            .into_iter()
            .find_map(|c| self.places.get(&(c.clone(), property.clone())).copied())
            .unwrap_or(Place {
                group: self.groups.len().saturating_sub(1),
                order: f64::MAX,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iri::BaseIri;
    use crate::vocab::{bia, dcat};

    #[test]
    fn use_case_fields_follow_the_groups_of_the_shapes() {
        let base = BaseIri::parse("http://localhost:8080/").unwrap();
        let quads = crate::model::parse_group(crate::model::bundle::SHAPES, &base).unwrap();
        let graph: Graph = quads.into_iter().map(oxrdf::Triple::from).collect();
        let layout = Layout::from_shapes(&graph);
        let labels: Vec<&str> = layout.groups().iter().map(|g| g.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Informations générales",
                "Méthodes et moyens",
                "Algorithme et données",
                "Évaluation",
                "Transparence",
                "Métadonnées de la fiche",
                "Autres informations"
            ]
        );
        let use_case = [bia::USE_CASE.into_owned()];
        let theme = layout.place(&use_case, &dcat::THEME.into_owned());
        assert_eq!(theme.group, 0);
        let record = [bia::ALGORITHM_RECORD.into_owned()];
        let risk = layout.place(&record, &bia::AI_ACT_RISK_CATEGORY.into_owned());
        assert_eq!(layout.groups()[risk.group].label, "Évaluation");
        let unknown = layout.place(&use_case, &NamedNode::new_unchecked("http://e/x"));
        assert_eq!(unknown.group, 6);
    }
}
