//! The page of one thing (`/page/{kind}/{slug}`): its public fields grouped
//! as the shapes lay them out, the parts of its record (an algorithm record
//! gets its own section, a partnership shows inside its row), what links to
//! it, its schema.org JSON-LD and its alternates.

use super::{Site, format};
use crate::browse::{Facet, Filters, Index, Kind, Sort};
use crate::model::Layout;
use crate::store::{PublicStore, StoreError};
use crate::vocab::{self, bia, dcterms, geo, skos};
use askama::Template;
use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, HashMap};

/// At most this many things linking to a page are listed per heading.
const INCOMING_SHOWN: usize = 200;

/// A value of a field.
#[derive(Debug, Clone)]
pub enum Value {
    /// Another page of the service, or an outside IRI, with its label.
    Link {
        /// Where it goes.
        href: String,
        /// What it says.
        label: String,
    },
    /// Text (a date, a number, a sentence) as people read it.
    Text(String),
    /// A part of the record (a partnership): its own fields, with an anchor.
    Part {
        /// The fragment of its hash IRI (`partenariat-x`), if any.
        id: String,
        /// Its fields.
        rows: Vec<Row>,
    },
}

/// One field and its values.
#[derive(Debug, Clone)]
pub struct Row {
    /// The property's label, capitalised.
    pub label: String,
    /// The property's IRI (shown as a tooltip-free link in the data).
    pub property: String,
    /// Its values, in a stable order.
    pub values: Vec<Value>,
}

/// A group of fields (`sh:PropertyGroup`).
#[derive(Debug, Clone)]
pub struct Section {
    /// The group's label.
    pub label: String,
    /// Its fields.
    pub rows: Vec<Row>,
}

/// A part of the record shown as a section of its own (an algorithm
/// record), with the anchor of its hash IRI.
#[derive(Debug, Clone)]
pub struct PartSection {
    /// The fragment (`algorithme`).
    pub id: String,
    /// Its heading.
    pub title: String,
    /// Its groups of fields.
    pub sections: Vec<Section>,
}

/// Things that link to the page's thing with one property.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The heading ("Projets portés").
    pub label: String,
    /// How many there are in all.
    pub total: usize,
    /// The first of them, by label.
    pub items: Vec<(String, String)>,
}

/// The page of a thing.
#[derive(Debug, Template)]
#[template(path = "entity.html", config = "src/html/askama.toml")]
pub struct EntityPage {
    /// The site.
    pub site: Site,
    /// The thing's IRI.
    pub iri: String,
    /// The page's own path.
    pub page: String,
    /// Its kind, in words ("Projet").
    pub kind: String,
    /// Its name.
    pub title: String,
    /// Its description, when it has one.
    pub description: Option<String>,
    /// Whether the data say it is fictitious.
    pub fictitious: bool,
    /// Its fields, grouped.
    pub sections: Vec<Section>,
    /// Parts with their own section.
    pub parts: Vec<PartSection>,
    /// What links to it.
    pub incoming: Vec<Incoming>,
    /// The lists filtered on it: (text, link).
    pub lists: Vec<(String, String)>,
    /// The data documents: (format name, media type, path).
    pub alternates: Vec<(&'static str, &'static str, String)>,
    /// schema.org JSON-LD, safe to embed.
    pub json_ld: String,
    /// "Signaler une erreur".
    pub report: String,
    /// The record's history page, for a record (not a nested node).
    pub history: Option<String>,
}

/// Properties shown elsewhere on the page than in its groups.
const HEADER_PROPERTIES: [NamedNodeRef<'static>; 5] = [
    rdf::TYPE,
    dcterms::TITLE,
    dcterms::DESCRIPTION,
    vocab::foaf::NAME,
    vocab::schema::NAME,
];

/// Classes whose nodes inside a record get a section of their own.
const SECTION_CLASSES: [NamedNodeRef<'static>; 1] = [bia::ALGORITHM_RECORD];

/// Builds the page of `thing` (an IRI of this deployment) from the public
/// projection; `None` when the projection says nothing about it. `index`
/// counts the lists filtered on a facet's value (a theme, a région): the
/// page of one links to them; without it, no counts, no such links.
pub fn entity_page(
    store: &PublicStore,
    layout: &Layout,
    index: Option<&Index>,
    site: &Site,
    thing: &NamedNode,
) -> Result<Option<EntityPage>, StoreError> {
    let Some(graph) = site.base.record_of(thing.as_ref()) else {
        return Ok(None);
    };
    let triples = store.describe(thing.as_ref(), graph.as_ref())?;
    if !triples.iter().any(|t| t.subject == thing.clone().into()) {
        return Ok(None);
    }
    let mut labels = Labels::new(store);
    let by_subject = group_by_subject(&triples);
    let subject = NamedOrBlankNode::from(thing.clone());
    let own = by_subject.get(&subject).cloned().unwrap_or_default();
    let classes = types(&own);
    let text_of = |p: NamedNodeRef<'_>| {
        crate::store::best_text_of(own.iter().filter(|t| t.predicate == p).map(|t| &t.object))
    };
    let kind = kind_label(store, &classes)?;
    let title = text_of(dcterms::TITLE)
        .or_else(|| text_of(vocab::foaf::NAME))
        .or_else(|| text_of(vocab::schema::NAME))
        .or_else(|| text_of(skos::PREF_LABEL))
        .or_else(|| text_of(rdfs::LABEL))
        .unwrap_or_else(|| thing.as_str().to_owned());
    let description = text_of(dcterms::DESCRIPTION).or_else(|| text_of(skos::DEFINITION));
    let fictitious = own.iter().any(|t| {
        t.predicate == bia::IS_FICTITIOUS
            && matches!(&t.object, Term::Literal(l) if l.value() == "true")
    });
    let mut parts = Vec::new();
    let sections = sections(
        layout,
        site,
        &mut labels,
        &by_subject,
        &own,
        &classes,
        &mut parts,
    )?;
    let incoming = incoming(store, site, &mut labels, thing)?;
    let page = site.href(thing.as_str());
    let rel = site
        .base
        .relative(thing.as_str())
        .and_then(|r| r.strip_prefix("id/"))
        .unwrap_or_default();
    let alternates = crate::iri::DOCUMENTS
        .iter()
        .map(|(name, media, suffix)| (*name, *media, site.path(&format!("data/{rel}.{suffix}"))))
        .collect();
    let json_ld = json_ld(
        site,
        thing,
        &classes,
        &title,
        description.as_deref(),
        &own,
        &mut labels,
    )?;
    let report = site.report_href(thing.as_str());
    let history = site
        .base
        .relative(thing.as_str())
        .and_then(|r| r.strip_prefix("id/"))
        .filter(|r| r.split('/').count() == 2 && !r.contains('#') && !r.starts_with("concept/"))
        .map(|r| site.path(&format!("historique/{r}")));
    let lists = lists(index, site, rel);
    Ok(Some(EntityPage {
        site: site.clone(),
        iri: thing.as_str().to_owned(),
        page,
        kind,
        title,
        description,
        fictitious,
        sections,
        parts,
        incoming,
        lists,
        alternates,
        json_ld,
        report,
        history,
    }))
}

/// The lists filtered on this thing (a concept or a territory that is a
/// facet's value), with how many records they hold.
fn lists(index: Option<&Index>, site: &Site, rel: &str) -> Vec<(String, String)> {
    let mut lists = index.map_or_else(Vec::new, |index| filtered_lists(index, site, rel));
    // A list or one of its values: its documentation on `/vocab`.
    if let Some(rest) = rel.strip_prefix("concept/") {
        let href = match rest.split_once('/') {
            Some((scheme, code)) => format!("{}#{code}", site.path(&format!("vocab/{scheme}"))),
            None => site.path(&format!("vocab/{rest}")),
        };
        lists.push(("Documentation de la liste contrôlée".to_owned(), href));
    }
    lists
}

/// The lists of records filtered on the thing, when it is a facet value.
fn filtered_lists(index: &Index, site: &Site, rel: &str) -> Vec<(String, String)> {
    let Some((facet, key)) = Facet::of_thing(rel) else {
        return Vec::new();
    };
    Kind::ALL
        .iter()
        .filter(|k| k.facets().contains(&facet))
        .filter_map(|kind| {
            let filters: Filters = [(facet, vec![key.to_owned()])].into_iter().collect();
            let n = index.select(*kind, &filters, Sort::Title).entries.len();
            (n > 0).then(|| {
                (
                    format!("{} {} (liste filtrée)", n, kind.title().to_lowercase()),
                    format!("{}?{}={key}", site.path(kind.path()), facet.param()),
                )
            })
        })
        .collect()
}

fn group_by_subject(triples: &[Triple]) -> HashMap<NamedOrBlankNode, Vec<Triple>> {
    let mut map: HashMap<NamedOrBlankNode, Vec<Triple>> = HashMap::new();
    for t in triples {
        map.entry(t.subject.clone()).or_default().push(t.clone());
    }
    map
}

fn types(triples: &[Triple]) -> Vec<NamedNode> {
    let mut out: Vec<NamedNode> = triples
        .iter()
        .filter(|t| t.predicate == rdf::TYPE)
        .filter_map(|t| match &t.object {
            Term::NamedNode(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    // bibia's own classes first: they carry the layout and the kind.
    out.sort_by_key(|c| (!c.as_str().starts_with(vocab::BIA), c.as_str().to_owned()));
    out
}

/// Kinds named here rather than by the ontology: the INSEE and SKOS
/// classes the ontology does not label, and the most specific ones first.
const KIND_NAMES: [(&str, &str); 7] = [
    ("http://rdf.insee.fr/def/geo#Region", "Région"),
    ("http://rdf.insee.fr/def/geo#Departement", "Département"),
    (
        "http://rdf.insee.fr/def/geo#Intercommunalite",
        "Intercommunalité",
    ),
    ("http://rdf.insee.fr/def/geo#Commune", "Commune"),
    (
        "http://www.w3.org/2004/02/skos/core#Concept",
        "Valeur d'une liste contrôlée",
    ),
    (
        "http://www.w3.org/2004/02/skos/core#ConceptScheme",
        "Liste contrôlée",
    ),
    ("http://www.w3.org/ns/dcat#Dataset", "Jeu de données"),
];

fn kind_label(store: &PublicStore, classes: &[NamedNode]) -> Result<String, StoreError> {
    if let Some((_, name)) = KIND_NAMES
        .iter()
        .find(|(iri, _)| classes.iter().any(|c| c.as_str() == *iri))
    {
        return Ok((*name).to_owned());
    }
    for c in classes {
        if let Some(l) = store.label(c.as_ref())? {
            return Ok(format::capitalize(&l));
        }
    }
    Ok("Fiche".to_owned())
}

/// The fields of one node, in the groups of the layout.
fn sections(
    layout: &Layout,
    site: &Site,
    labels: &mut Labels<'_>,
    by_subject: &HashMap<NamedOrBlankNode, Vec<Triple>>,
    own: &[Triple],
    classes: &[NamedNode],
    parts: &mut Vec<PartSection>,
) -> Result<Vec<Section>, StoreError> {
    let mut placed: BTreeMap<(usize, u64, String), Row> = BTreeMap::new();
    for t in own {
        if HEADER_PROPERTIES.contains(&t.predicate.as_ref()) {
            continue;
        }
        let place = layout.place(classes, &t.predicate);
        let label = format::capitalize(&labels.of(&t.predicate)?);
        let key = (place.group, place.order.to_bits(), label.clone());
        let value = match &t.object {
            Term::NamedNode(n) if by_subject.contains_key(&n.clone().into()) => {
                let node = NamedOrBlankNode::from(n.clone());
                let part = &by_subject[&node];
                let id = n.as_str().split_once('#').map_or("", |(_, f)| f).to_owned();
                let part_classes = types(part);
                if part_classes
                    .iter()
                    .any(|c| SECTION_CLASSES.contains(&c.as_ref()))
                {
                    let title = kind_label(labels.store, &part_classes)?;
                    let mut nested = Vec::new();
                    let sections = sections(
                        layout,
                        site,
                        labels,
                        by_subject,
                        part,
                        &part_classes,
                        &mut nested,
                    )?;
                    parts.push(PartSection {
                        id: id.clone(),
                        title: title.clone(),
                        sections,
                    });
                    parts.extend(nested);
                    Value::Link {
                        href: format!("#{id}"),
                        label: format!("Voir la section « {title} » ci-dessous"),
                    }
                } else {
                    Value::Part {
                        id,
                        rows: part_rows(layout, site, labels, part)?,
                    }
                }
            }
            Term::BlankNode(b) => {
                let node = NamedOrBlankNode::from(b.clone());
                let part = by_subject.get(&node).map(Vec::as_slice).unwrap_or_default();
                Value::Part {
                    id: String::new(),
                    rows: part_rows(layout, site, labels, part)?,
                }
            }
            other => value(site, labels, other)?,
        };
        placed
            .entry(key)
            .or_insert_with(|| Row {
                label,
                property: t.predicate.as_str().to_owned(),
                values: Vec::new(),
            })
            .values
            .push(value);
    }
    let mut out: Vec<Section> = Vec::new();
    let mut current: Option<usize> = None;
    for ((group, _, _), mut row) in placed {
        row.values.sort_by_key(sort_key);
        if current != Some(group) {
            out.push(Section {
                label: layout.groups()[group].label.clone(),
                rows: Vec::new(),
            });
            current = Some(group);
        }
        if let Some(s) = out.last_mut() {
            s.rows.push(row);
        }
    }
    Ok(out)
}

fn sort_key(v: &Value) -> String {
    match v {
        Value::Link { label, .. } | Value::Text(label) => label.to_lowercase(),
        Value::Part { id, .. } => id.clone(),
    }
}

/// The fields of a part shown inside a row (a partnership).
fn part_rows(
    layout: &Layout,
    site: &Site,
    labels: &mut Labels<'_>,
    part: &[Triple],
) -> Result<Vec<Row>, StoreError> {
    let classes = types(part);
    let mut rows: Vec<(u64, Row)> = Vec::new();
    for t in part.iter().filter(|t| t.predicate != rdf::TYPE) {
        let order = layout.place(&classes, &t.predicate).order.to_bits();
        let v = value(site, labels, &t.object)?;
        match rows
            .iter_mut()
            .find(|(_, r)| r.property == t.predicate.as_str())
        {
            Some((_, r)) => r.values.push(v),
            None => rows.push((
                order,
                Row {
                    label: format::capitalize(&labels.of(&t.predicate)?),
                    property: t.predicate.as_str().to_owned(),
                    values: vec![v],
                },
            )),
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.label.cmp(&b.1.label)));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

fn value(site: &Site, labels: &mut Labels<'_>, term: &Term) -> Result<Value, StoreError> {
    Ok(match term {
        Term::NamedNode(n) => Value::Link {
            href: site.href(n.as_str()),
            label: labels.of(n)?,
        },
        Term::Literal(l) if l.datatype() == xsd::ANY_URI => Value::Link {
            href: l.value().to_owned(),
            label: l.value().to_owned(),
        },
        Term::Literal(l) => Value::Text(format::literal(l)),
        Term::BlankNode(_) => Value::Text(String::new()),
    })
}

/// Headings for what links to a thing, by property.
fn incoming_heading(property: &NamedNode, label: &str) -> String {
    let known = [
        ("https://w3id.org/bibia/def#ledBy", "Projets portés"),
        (
            "https://w3id.org/bibia/def#partner",
            "Partenaire des projets",
        ),
        (
            "https://w3id.org/bibia/def#usesSolution",
            "Projets qui l'utilisent",
        ),
        (
            "https://w3id.org/bibia/def#hasResource",
            "Projets qui s'en servent",
        ),
        ("http://schema.org/provider", "Solutions fournies"),
        ("http://purl.org/dc/terms/publisher", "Ressources publiées"),
        (
            "https://w3id.org/bibia/def#territory",
            "Organisations de ce territoire",
        ),
        (
            "http://rdf.insee.fr/def/geo#subdivisionDe",
            "Territoires qu'il contient",
        ),
        ("https://w3id.org/bibia/def#memberOf", "Communes membres"),
        ("http://rdf.insee.fr/def/geo#chefLieu", "Chef-lieu de"),
        (
            "http://www.w3.org/2004/02/skos/core#broader",
            "Concepts plus précis",
        ),
        (
            "http://www.w3.org/2004/02/skos/core#inScheme",
            "Concepts de cette liste",
        ),
    ];
    known
        .iter()
        .find(|(p, _)| *p == property.as_str())
        .map_or_else(
            || format!("Fiches dont c'est le champ « {label} »"),
            |(_, h)| (*h).to_owned(),
        )
}

/// What links to `thing` from other records, by property; a link from a
/// part of a record (a partnership) counts as a link from its record.
fn incoming(
    store: &PublicStore,
    site: &Site,
    labels: &mut Labels<'_>,
    thing: &NamedNode,
) -> Result<Vec<Incoming>, StoreError> {
    let own = site.base.record_of(thing.as_ref());
    let mut groups: BTreeMap<String, (NamedNode, Vec<NamedNode>)> = BTreeMap::new();
    for r in store.referrers(thing.as_ref().into(), usize::MAX)? {
        let NamedOrBlankNode::NamedNode(s) = &r.subject else {
            continue;
        };
        let Some(record) = site.base.record_of(s.as_ref()) else {
            continue;
        };
        // A concept's scheme is its record, but the concepts of a scheme
        // are things of their own.
        let from = if s.as_str().contains('#') {
            record
        } else {
            s.clone()
        };
        if Some(&from) == own.as_ref() && from == *thing {
            continue;
        }
        let label = labels.of(&r.predicate)?;
        let mut heading = incoming_heading(&r.predicate, &label);
        if r.predicate.as_str() == "http://rdf.insee.fr/def/geo#subdivisionDe" {
            let types = labels.store.objects(from.as_ref(), rdf::TYPE)?;
            if let Some((_, name)) = KIND_NAMES.iter().find(|(iri, _)| {
                types
                    .iter()
                    .any(|t| matches!(t, Term::NamedNode(n) if n.as_str() == *iri))
            }) {
                heading = format!("{name}s de ce territoire");
            }
        }
        let entry = groups
            .entry(heading)
            .or_insert_with(|| (r.predicate.clone(), Vec::new()));
        if !entry.1.contains(&from) {
            entry.1.push(from);
        }
    }
    let mut out = Vec::new();
    for (heading, (_, things)) in groups {
        let total = things.len();
        let mut items = Vec::new();
        for t in things {
            items.push((labels.of(&t)?, site.href(t.as_str())));
        }
        items.sort_by_key(|(l, _)| l.to_lowercase());
        items.truncate(INCOMING_SHOWN);
        out.push(Incoming {
            label: heading,
            total,
            items,
        });
    }
    Ok(out)
}

/// The schema.org description embedded in the page.
fn json_ld(
    site: &Site,
    thing: &NamedNode,
    classes: &[NamedNode],
    title: &str,
    description: Option<&str>,
    own: &[Triple],
    labels: &mut Labels<'_>,
) -> Result<String, StoreError> {
    let has = |c: NamedNodeRef<'_>| classes.iter().any(|k| k.as_ref() == c);
    let kind = if has(bia::USE_CASE) {
        "Project"
    } else if has(bia::LOCAL_AUTHORITY) {
        "GovernmentOrganization"
    } else if has(vocab::org::ORGANIZATION) {
        "Organization"
    } else if has(bia::SOLUTION) {
        "SoftwareApplication"
    } else if has(bia::TECHNICAL_RESOURCE) {
        "CreativeWork"
    } else if has(bia::TERRITORY) {
        "AdministrativeArea"
    } else if has(skos::CONCEPT) {
        "DefinedTerm"
    } else {
        "Thing"
    };
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": kind,
        "@id": thing.as_str(),
        "name": title,
        "url": format!("{}{}", site.base.as_str(), site.href(thing.as_str()).trim_start_matches(&site.root)),
    });
    if let Some(d) = description {
        value["description"] = d.into();
    }
    let first = |p: NamedNodeRef<'_>| own.iter().find(|t| t.predicate == p).map(|t| &t.object);
    if let (Some(Term::Literal(lat)), Some(Term::Literal(long))) =
        (first(geo::LAT), first(geo::LONG))
    {
        value["geo"] = serde_json::json!({
            "@type": "GeoCoordinates",
            "latitude": lat.value(),
            "longitude": long.value(),
        });
    }
    if let Some(Term::NamedNode(org)) = first(bia::LED_BY) {
        value["sponsor"] = serde_json::json!({
            "@type": "Organization",
            "@id": org.as_str(),
            "name": labels.of(org)?,
        });
    }
    if let Some(Term::NamedNode(same)) = first(vocab::owl::SAME_AS) {
        value["sameAs"] = same.as_str().into();
    }
    Ok(format::script_json(&value))
}

/// Labels looked up once per page.
struct Labels<'a> {
    store: &'a PublicStore,
    known: HashMap<NamedNode, String>,
}

impl<'a> Labels<'a> {
    fn new(store: &'a PublicStore) -> Self {
        Self {
            store,
            known: HashMap::new(),
        }
    }

    /// The label of a node, else the end of its IRI.
    fn of(&mut self, node: &NamedNode) -> Result<String, StoreError> {
        if let Some(l) = self.known.get(node) {
            return Ok(l.clone());
        }
        let label = match self.store.label(node.as_ref())? {
            Some(l) => l,
            // A term of a vocabulary: its local name; a web page: its
            // address, which says more than its last segment.
            None if node.as_str().contains('#')
                || crate::iri::minted_base(node.as_str()).is_some() =>
            {
                local_name(node.as_str()).to_owned()
            }
            None => node.as_str().to_owned(),
        };
        self.known.insert(node.clone(), label.clone());
        Ok(label)
    }
}

fn local_name(iri: &str) -> &str {
    iri.rsplit(['#', '/'])
        .find(|s| !s.is_empty())
        .unwrap_or(iri)
}
