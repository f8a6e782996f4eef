//! The documentation of bibia's model for people (`/def`): the ontology's
//! classes and properties with their labels, definitions, domains, ranges
//! and access levels, and the constraints the shapes put on each property,
//! said in French words (« obligatoire », « une seule valeur », « une date
//! (AAAA-MM-JJ) », « une valeur de la liste … »).
//!
//! Everything is read from the bundled files ([`Sources`]), once, into
//! [`Documentation`], which also holds the concept schemes' pages
//! ([`super::vocab`]) and the triples each document publishes. Every term
//! of the ontology gets an anchor: a `bia:` term its local name (so that
//! `https://w3id.org/bibia/def#UseCase` lands on `/def#UseCase`), a reused
//! term `prefix-local` (`dcterms-title`); the class and property shapes
//! (`bia:UseCaseShape-title`) and the list shapes (`bia:InScheme-theme`)
//! get theirs too, where they are described.

use super::Site;
use super::vocab::{SchemeEntry, VocabIndexPage, VocabPage, schemes};
use crate::model::{Sources, as_node, list};
use crate::vocab::{self, bia, sh, skos};
use askama::Template;
use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{
    Graph, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, TermRef, Triple,
};
use std::collections::{BTreeMap, HashMap, HashSet};

const OWL: &str = "http://www.w3.org/2002/07/owl#";
const SCHEMA: &str = "http://schema.org/";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Prefixes of the namespaces the ontology names besides those of
/// [`vocab::PREFIXES`] (for anchors and labels only).
const MORE_PREFIXES: &[(&str, &str)] = &[
    ("void", "http://rdfs.org/ns/void#"),
    ("vann", "http://purl.org/vocab/vann/"),
    ("airo", "https://w3id.org/airo#"),
    ("dpv", "https://w3id.org/dpv#"),
    ("dpv-ai", "https://w3id.org/dpv/ai#"),
    ("eu-aiact", "https://w3id.org/dpv/legal/eu/aiact#"),
    ("mls", "http://www.w3.org/ns/mls#"),
];

/// A term named on a page: its label, and where it is documented (an
/// anchor of `/def`, a `/vocab` page, or the IRI itself).
#[derive(Debug, Clone)]
pub struct TermLink {
    /// What the link says.
    pub label: String,
    /// Where it goes.
    pub href: String,
}

/// One constraint in words: a text, then maybe a link (a class, a list)
/// and a piece of code (a pattern).
#[derive(Debug, Clone)]
pub struct Rule {
    /// The words (« obligatoire », « une valeur de la liste »).
    pub text: String,
    /// What the words name, linked.
    pub link: Option<TermLink>,
    /// A pattern, as written in the shapes.
    pub code: Option<String>,
}

impl Rule {
    fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            link: None,
            code: None,
        }
    }

    /// The rule as plain text (inside an alternative).
    fn plain(&self) -> String {
        let mut out = self.text.clone();
        if let Some(l) = &self.link {
            out.push(' ');
            out.push_str(&l.label);
        }
        if let Some(c) = &self.code {
            out.push(' ');
            out.push_str(c);
        }
        out
    }
}

/// Whether a property is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `bia:public`: in pages, SPARQL, dumps.
    Public,
    /// `bia:restreint`: for the network's members only.
    Restricted,
}

impl Access {
    /// The word the pages show.
    pub fn label(self) -> &'static str {
        match self {
            Access::Public => "Public",
            Access::Restricted => "Restreint",
        }
    }

    /// What it means, in a sentence.
    pub fn explain(self) -> &'static str {
        match self {
            Access::Public => "ses valeurs sont publiées (pages, SPARQL, exports).",
            Access::Restricted => {
                "ses valeurs sont réservées aux membres du réseau et ne sont jamais publiées."
            }
        }
    }

    /// Its CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Restricted => "restricted",
        }
    }
}

/// One field of a class: a property (or its inverse) with the constraints
/// of the class's shapes on it.
#[derive(Debug, Clone)]
pub struct Field {
    /// The anchors of the property shapes that describe it.
    pub ids: Vec<String>,
    /// The class.
    pub class: TermLink,
    /// The property.
    pub property: TermLink,
    /// Whether the path goes from the value to the node (`sh:inversePath`).
    pub inverse: bool,
    /// The group of fields it is shown in (`sh:group`).
    pub group: String,
    /// The constraints, in words.
    pub rules: Vec<Rule>,
    /// The shapes' messages (French).
    pub messages: Vec<String>,
    /// The property's access level.
    pub access: Option<Access>,
    path: NamedNode,
    order: (f64, f64),
}

/// A rule of a whole node (an abandoned project says why).
#[derive(Debug, Clone)]
pub struct NodeRule {
    /// The anchor of its shape.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its message.
    pub message: String,
    /// Whether breaking it is only a warning.
    pub warning: bool,
}

/// One term of the ontology.
#[derive(Debug, Clone)]
pub struct TermDoc {
    /// Its anchor.
    pub id: String,
    /// Its IRI.
    pub iri: String,
    /// Its French label.
    pub label: String,
    /// Its English label.
    pub label_en: Option<String>,
    /// What it is (« classe », « propriété d'objet »…).
    pub kind: &'static str,
    /// Its French definition.
    pub definition: Option<String>,
    /// Its French scope note (the network's field it carries).
    pub note: Option<String>,
    /// Facts, as (heading, terms): domain, range, super-classes…
    pub facts: Vec<(&'static str, Vec<TermLink>)>,
    /// A property's access level.
    pub access: Option<Access>,
    /// A class: the anchor of its shape, if it has one.
    pub shape: Option<String>,
    /// A class: its fields; a property: the classes that constrain it.
    pub fields: Vec<Field>,
    /// A class: the rules of the whole node.
    pub rules: Vec<NodeRule>,
}

/// A section of the page: a heading and its terms.
#[derive(Debug, Clone)]
pub struct TermSection {
    /// Its anchor.
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// What it holds, in a sentence.
    pub intro: &'static str,
    /// Its terms.
    pub terms: Vec<TermDoc>,
    /// Whether its terms are classes (their fields in a table).
    pub classes: bool,
}

/// `/def`: the ontology for people.
#[derive(Debug, Clone, Template)]
#[template(path = "def.html", config = "src/html/askama.toml")]
pub struct DefPage {
    /// The site.
    pub site: Site,
    /// The ontology's title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// Its IRI.
    pub iri: String,
    /// The namespace of its terms.
    pub namespace: &'static str,
    /// Its version.
    pub version: Option<String>,
    /// Its licence.
    pub licence: Option<String>,
    /// The sections, in order.
    pub sections: Vec<TermSection>,
    /// The concept schemes.
    pub schemes: Vec<SchemeEntry>,
    /// The RDF documents: (format name, media type, path).
    pub alternates: Vec<(&'static str, &'static str, String)>,
}

/// The documentation of the bundled model, built once: the `/def` page,
/// the `/vocab` pages, and the triples `/def`, `/shapes` and `/vocab/…`
/// publish.
#[derive(Debug)]
pub struct Documentation {
    ontology: Vec<Triple>,
    shapes: Vec<Triple>,
    def: DefPage,
    index: VocabIndexPage,
    schemes: BTreeMap<String, (VocabPage, Vec<Triple>)>,
}

impl Documentation {
    /// Reads the bundled files into their documentation.
    pub fn new(sources: &Sources, site: &Site) -> Self {
        let (index, schemes) = schemes(&sources.vocabularies, site);
        let shapes: Graph = sources.shapes.iter().collect();
        let in_scheme = list_shapes(&shapes);
        let mut entries = index.schemes.clone();
        for e in &mut entries {
            e.shape = in_scheme
                .iter()
                .find(|(_, s)| s.as_str() == e.iri)
                .map(|(shape, _)| anchor(shape.as_str()));
        }
        let def = def_page(sources, site, &shapes, &in_scheme, &entries);
        Self {
            ontology: sources.ontology.clone(),
            shapes: sources.shapes.clone(),
            def,
            index,
            schemes,
        }
    }

    /// The ontology's triples, as bundled.
    pub fn ontology(&self) -> &[Triple] {
        &self.ontology
    }

    /// The shapes' triples, as bundled.
    pub fn shapes(&self) -> &[Triple] {
        &self.shapes
    }

    /// The `/def` page.
    pub fn def_page(&self) -> &DefPage {
        &self.def
    }

    /// The `/vocab` page.
    pub fn vocab_index(&self) -> &VocabIndexPage {
        &self.index
    }

    /// The page of a concept scheme and its triples (the scheme's and its
    /// concepts'), by name (`theme`).
    pub fn scheme(&self, name: &str) -> Option<(&VocabPage, &[Triple])> {
        self.schemes.get(name).map(|(p, t)| (p, t.as_slice()))
    }
}

/// The prefixed name of an IRI (`dcterms:title`), if its namespace is known.
pub(crate) fn compact(iri: &str) -> Option<(&'static str, &str)> {
    vocab::PREFIXES
        .iter()
        .chain(MORE_PREFIXES)
        .filter(|(_, ns)| iri.starts_with(ns))
        .max_by_key(|(_, ns)| ns.len())
        .map(|(p, ns)| (*p, &iri[ns.len()..]))
        .filter(|(_, local)| !local.is_empty())
}

/// The anchor of a term on `/def`: a `bia:` term's local name, another
/// term's `prefix-local`.
pub(crate) fn anchor(iri: &str) -> String {
    if let Some(local) = iri.strip_prefix(vocab::BIA) {
        return local.to_owned();
    }
    match compact(iri) {
        Some((prefix, local)) => format!("{prefix}-{local}"),
        None => iri
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect(),
    }
}

pub(crate) use crate::model::{french, in_language};

/// A literal in `language` only.
pub(crate) fn only_in(
    graph: &Graph,
    subject: NamedOrBlankNodeRef<'_>,
    predicate: NamedNodeRef<'_>,
    language: &str,
) -> Option<String> {
    graph
        .objects_for_subject_predicate(subject, predicate)
        .find_map(|o| match o {
            TermRef::Literal(l) if l.language() == Some(language) => Some(l.value().to_owned()),
            _ => None,
        })
}

fn named(iri: &str) -> NamedNodeRef<'_> {
    NamedNodeRef::new_unchecked(iri)
}

/// The words of a datatype (« une date (AAAA-MM-JJ) »).
pub(crate) fn datatype_words(dt: NamedNodeRef<'_>) -> String {
    let words = if dt == xsd::DATE {
        "une date (AAAA-MM-JJ)"
    } else if dt == xsd::G_YEAR_MONTH {
        "un mois (AAAA-MM)"
    } else if dt == xsd::G_YEAR {
        "une année (AAAA)"
    } else if dt == xsd::DATE_TIME {
        "une date et une heure"
    } else if dt == xsd::DECIMAL {
        "un nombre décimal"
    } else if dt == xsd::INTEGER {
        "un nombre entier"
    } else if dt == xsd::BOOLEAN {
        "oui ou non (true ou false)"
    } else if dt == xsd::STRING {
        "un texte sans langue"
    } else if dt == rdf::LANG_STRING {
        "un texte avec sa langue (par exemple @fr)"
    } else if dt == xsd::ANY_URI {
        "une adresse (xsd:anyURI)"
    } else {
        return format!("une valeur de type {}", short(dt.as_str()));
    };
    words.to_owned()
}

/// The prefixed name of an IRI, or the IRI.
fn short(iri: &str) -> String {
    compact(iri).map_or_else(|| iri.to_owned(), |(p, l)| format!("{p}:{l}"))
}

/// « a, b ou c ».
pub(crate) fn either(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} ou {last}", rest.join(", ")),
    }
}

fn language_name(code: &str) -> String {
    match code {
        "fr" => "en français (@fr)".to_owned(),
        "en" => "en anglais (@en)".to_owned(),
        other => format!("@{other}"),
    }
}

/// What the documentation knows to name terms: the ontology's labels, the
/// concept schemes, the list shapes.
struct Names<'a> {
    site: &'a Site,
    ontology: &'a Graph,
    shapes: &'a Graph,
    /// List shape → concept scheme.
    in_scheme: &'a [(NamedNode, NamedNode)],
    schemes: &'a [SchemeEntry],
}

impl Names<'_> {
    /// A term as a link: to its anchor on `/def` when the ontology
    /// documents it, else to the IRI.
    fn term(&self, iri: NamedNodeRef<'_>) -> TermLink {
        match french(self.ontology, iri.into(), rdfs::LABEL) {
            Some(label) => TermLink {
                label,
                href: format!("{}#{}", self.site.path("def"), anchor(iri.as_str())),
            },
            None => TermLink {
                label: short(iri.as_str()),
                href: iri.as_str().to_owned(),
            },
        }
    }

    /// A range or a domain: datatypes in words, classes as links.
    fn value(&self, term: TermRef<'_>) -> TermLink {
        match term {
            TermRef::NamedNode(n) if n.as_str().starts_with(XSD) || n == rdf::LANG_STRING => {
                TermLink {
                    label: datatype_words(n),
                    href: n.as_str().to_owned(),
                }
            }
            TermRef::NamedNode(n) if n == rdfs::RESOURCE => TermLink {
                label: "toute ressource (une adresse)".to_owned(),
                href: n.as_str().to_owned(),
            },
            TermRef::NamedNode(n) => self.term(n),
            other => TermLink {
                label: other.to_string(),
                href: String::new(),
            },
        }
    }

    /// The constraints of one shape (a property shape, or a member of an
    /// `sh:or`), in words.
    fn rules(&self, shape: NamedOrBlankNodeRef<'_>) -> Vec<Rule> {
        let g = self.shapes;
        let get = |p: NamedNodeRef<'_>| g.object_for_subject_predicate(shape, p);
        let number = |p: NamedNodeRef<'_>| match get(p) {
            Some(TermRef::Literal(l)) => Some(l.value().to_owned()),
            _ => None,
        };
        let warning = get(sh::SEVERITY) == Some(sh::WARNING.into());
        let mut rules = Vec::new();
        let min = number(sh::MIN_COUNT).and_then(|n| n.parse::<u64>().ok());
        let max = number(sh::MAX_COUNT).and_then(|n| n.parse::<u64>().ok());
        match min {
            Some(1) if warning => rules.push(Rule::text(
                "conseillé (son absence donne un avertissement, la fiche est acceptée)",
            )),
            Some(1) => rules.push(Rule::text("obligatoire")),
            Some(n) if n > 1 => rules.push(Rule::text(format!("au moins {n} valeurs"))),
            _ => {}
        }
        match max {
            Some(0) => rules.push(Rule::text("aucune valeur")),
            Some(1) => rules.push(Rule::text("une seule valeur")),
            Some(n) => rules.push(Rule::text(format!("au plus {n} valeurs"))),
            None => {}
        }
        if let Some(TermRef::NamedNode(dt)) = get(sh::DATATYPE) {
            rules.push(Rule::text(datatype_words(dt)));
        }
        if let Some(head) = get(sh::OR) {
            let alternatives: Vec<String> = list(g, head)
                .into_iter()
                .filter_map(as_node)
                .map(|m| {
                    self.rules(m)
                        .iter()
                        .map(Rule::plain)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect();
            rules.push(Rule::text(either(&alternatives)));
        }
        if let Some(head) = get(sh::LANGUAGE_IN) {
            let languages: Vec<String> = list(g, head)
                .into_iter()
                .filter_map(|t| match t {
                    TermRef::Literal(l) => Some(language_name(l.value())),
                    _ => None,
                })
                .collect();
            rules.push(Rule::text(either(&languages)));
        }
        if matches!(get(sh::UNIQUE_LANG), Some(TermRef::Literal(l)) if l.value() == "true") {
            rules.push(Rule::text("une valeur par langue au plus"));
        }
        let class = get(sh::CLASS);
        let node = get(sh::NODE);
        let pattern = number(sh::PATTERN);
        let web = pattern.as_deref() == Some("^https?://");
        match get(sh::NODE_KIND) {
            Some(TermRef::NamedNode(k)) if k == sh::IRI && web => rules.push(Rule::text(
                "une adresse web commençant par http:// ou https://",
            )),
            Some(TermRef::NamedNode(k)) if k == sh::IRI && class.is_none() && node.is_none() => {
                rules.push(Rule::text("une adresse (IRI)"));
            }
            Some(TermRef::NamedNode(k)) if k == sh::LITERAL => {
                rules.push(Rule::text("un texte ou une autre valeur littérale"));
            }
            Some(TermRef::NamedNode(k)) if k == sh::BLANK_NODE => {
                rules.push(Rule::text("un nœud anonyme"));
            }
            _ => {}
        }
        if let Some(p) = pattern.filter(|_| !web) {
            rules.push(Rule {
                text: "de la forme".to_owned(),
                link: None,
                code: Some(p),
            });
        }
        let bound = |p: NamedNodeRef<'_>| number(p);
        match (bound(sh::MIN_INCLUSIVE), bound(sh::MAX_INCLUSIVE)) {
            (Some(a), Some(b)) => rules.push(Rule::text(format!("entre {a} et {b}"))),
            (Some(a), None) => rules.push(Rule::text(format!("au moins {a}"))),
            (None, Some(b)) => rules.push(Rule::text(format!("au plus {b}"))),
            (None, None) => {}
        }
        if let Some(a) = bound(sh::MIN_EXCLUSIVE) {
            rules.push(Rule::text(format!("plus grand que {a}")));
        }
        if let Some(b) = bound(sh::MAX_EXCLUSIVE) {
            rules.push(Rule::text(format!("plus petit que {b}")));
        }
        if let Some(n) = bound(sh::MIN_LENGTH) {
            rules.push(Rule::text(format!("au moins {n} caractères")));
        }
        if let Some(n) = bound(sh::MAX_LENGTH) {
            rules.push(Rule::text(format!("au plus {n} caractères")));
        }
        if let Some(head) = get(sh::IN) {
            let values: Vec<String> = list(g, head)
                .into_iter()
                .map(|t| match t {
                    TermRef::Literal(l) => format!("« {} »", l.value()),
                    TermRef::NamedNode(n) => self.value(n.into()).label,
                    other => other.to_string(),
                })
                .collect();
            rules.push(Rule::text(format!(
                "une valeur parmi : {}",
                values.join(", ")
            )));
        }
        if let Some(v) = get(sh::HAS_VALUE) {
            let words = match v {
                TermRef::Literal(l) => format!("« {} »", l.value()),
                TermRef::NamedNode(n) => self.value(n.into()).label,
                other => other.to_string(),
            };
            rules.push(Rule::text(format!("vaut {words}")));
        }
        if let Some(TermRef::NamedNode(c)) = class {
            rules.push(Rule {
                text: "une fiche de type".to_owned(),
                link: Some(self.term(c)),
                code: None,
            });
        }
        if let Some(TermRef::NamedNode(n)) = node {
            rules.push(self.node_rule(n));
        }
        if matches!(
            g.object_for_subject_predicate(shape, sh::BIA_LUHN),
            Some(TermRef::Literal(l)) if l.value() == "true"
        ) {
            rules.push(Rule::text("clé de contrôle (Luhn) juste"));
        }
        if let (Some(TermRef::Literal(n)), Some(inner)) = (
            get(sh::QUALIFIED_MIN_COUNT),
            get(sh::QUALIFIED_VALUE_SHAPE).and_then(as_node),
        ) {
            let words: Vec<String> = self.rules(inner).iter().map(Rule::plain).collect();
            let n = n.value();
            let values = if n == "1" { "valeur" } else { "valeurs" };
            rules.push(Rule::text(format!(
                "au moins {} {values} {}",
                if n == "1" { "une" } else { n },
                words.join(", ")
            )));
        }
        if warning && min != Some(1) && !rules.is_empty() {
            rules.push(Rule::text("(avertissement seulement)"));
        }
        rules
    }

    /// `sh:node`: a list shape names its list (linked to its `/vocab`
    /// page), another shape its label.
    fn node_rule(&self, shape: NamedNodeRef<'_>) -> Rule {
        if let Some((_, scheme)) = self.in_scheme.iter().find(|(s, _)| s.as_ref() == shape)
            && let Some(entry) = self.schemes.iter().find(|e| e.iri == scheme.as_str())
        {
            return Rule {
                text: "une valeur de la liste".to_owned(),
                link: Some(TermLink {
                    label: entry.label.clone(),
                    href: entry.href.clone(),
                }),
                code: None,
            };
        }
        let label =
            french(self.shapes, shape.into(), rdfs::LABEL).unwrap_or_else(|| short(shape.as_str()));
        Rule {
            text: "conforme à la forme".to_owned(),
            link: Some(TermLink {
                label,
                href: format!("{}#{}", self.site.path("def"), anchor(shape.as_str())),
            }),
            code: None,
        }
    }
}

/// The list shapes (`bia:InScheme-theme`): node shapes whose only
/// property is `skos:inScheme` with a value, paired with that scheme.
fn list_shapes(shapes: &Graph) -> Vec<(NamedNode, NamedNode)> {
    let mut out = Vec::new();
    for s in shapes.subjects_for_predicate_object(rdf::TYPE, sh::NODE_SHAPE) {
        let NamedOrBlankNodeRef::NamedNode(shape) = s else {
            continue;
        };
        for p in shapes.objects_for_subject_predicate(s, sh::PROPERTY) {
            let Some(p) = as_node(p) else { continue };
            if shapes.object_for_subject_predicate(p, sh::PATH) == Some(skos::IN_SCHEME.into())
                && let Some(TermRef::NamedNode(scheme)) =
                    shapes.object_for_subject_predicate(p, sh::HAS_VALUE)
            {
                out.push((shape.into_owned(), scheme.into_owned()));
            }
        }
    }
    out.sort();
    out
}

/// The path of a property shape: a property, or its inverse.
fn path(shapes: &Graph, shape: NamedOrBlankNodeRef<'_>) -> Option<(NamedNode, bool)> {
    match shapes.object_for_subject_predicate(shape, sh::PATH)? {
        TermRef::NamedNode(p) => Some((p.into_owned(), false)),
        TermRef::BlankNode(b) => match shapes.object_for_subject_predicate(b, sh::INVERSE_PATH)? {
            TermRef::NamedNode(p) => Some((p.into_owned(), true)),
            _ => None,
        },
        TermRef::Literal(_) => None,
    }
}

/// What the shapes say of one class: the anchor of its node shape (the
/// one with the fields), and the rules of its whole nodes.
#[derive(Debug, Default)]
struct ClassShapes {
    shape: Option<String>,
    rules: Vec<NodeRule>,
}

/// The fields of each target class, and what its node shapes say.
fn fields(
    names: &Names<'_>,
    policy: &HashMap<NamedNode, Access>,
) -> (
    HashMap<NamedNode, Vec<Field>>,
    HashMap<NamedNode, ClassShapes>,
) {
    let shapes = names.shapes;
    let number = |s: NamedOrBlankNodeRef<'_>, p: NamedNodeRef<'_>| match shapes
        .object_for_subject_predicate(s, p)
    {
        Some(TermRef::Literal(l)) => l.value().parse::<f64>().ok(),
        _ => None,
    };
    let mut by_class: HashMap<NamedNode, Vec<Field>> = HashMap::new();
    let mut node_rules: HashMap<NamedNode, ClassShapes> = HashMap::new();
    let mut targets: Vec<_> = shapes.triples_for_predicate(sh::TARGET_CLASS).collect();
    targets.sort_by_key(|t| t.subject.to_string());
    for t in targets {
        let TermRef::NamedNode(class) = t.object else {
            continue;
        };
        let class = class.into_owned();
        let node = t.subject;
        let entry = node_rules.entry(class.clone()).or_default();
        let has_properties = shapes
            .objects_for_subject_predicate(node, sh::PROPERTY)
            .next()
            .is_some();
        if has_properties
            && entry.shape.is_none()
            && let NamedOrBlankNodeRef::NamedNode(n) = node
        {
            entry.shape = Some(anchor(n.as_str()));
        }
        let constrains_node = [sh::OR, sh::AND, sh::NOT, sh::XONE, sh::CLASS, sh::NODE]
            .into_iter()
            .any(|p| shapes.object_for_subject_predicate(node, p).is_some());
        if constrains_node && let NamedOrBlankNodeRef::NamedNode(n) = node {
            entry.rules.push(NodeRule {
                id: anchor(n.as_str()),
                label: french(shapes, node, rdfs::LABEL).unwrap_or_else(|| short(n.as_str())),
                message: french(shapes, node, sh::MESSAGE).unwrap_or_default(),
                warning: shapes.object_for_subject_predicate(node, sh::SEVERITY)
                    == Some(sh::WARNING.into()),
            });
        }
        let list = by_class.entry(class.clone()).or_default();
        // By IRI: the advice `…-contactPointRecommended` after the rules
        // of `…-contactPoint`, whatever the order of the graph.
        let mut properties: Vec<_> = shapes
            .objects_for_subject_predicate(node, sh::PROPERTY)
            .filter_map(as_node)
            .collect();
        properties.sort_by_key(|p| p.to_string());
        for p in properties {
            let Some((property, inverse)) = path(shapes, p) else {
                continue;
            };
            let group = match shapes.object_for_subject_predicate(p, sh::GROUP) {
                Some(TermRef::NamedNode(g)) => Some((
                    french(shapes, g.into(), rdfs::LABEL).unwrap_or_default(),
                    number(g.into(), sh::ORDER).unwrap_or(f64::MAX),
                )),
                _ => None,
            };
            let order = number(p, sh::ORDER).unwrap_or(f64::MAX);
            let id = match p {
                NamedOrBlankNodeRef::NamedNode(n) => Some(anchor(n.as_str())),
                NamedOrBlankNodeRef::BlankNode(_) => None,
            };
            let rules = names.rules(p);
            let message = french(shapes, p, sh::MESSAGE);
            let field = match list
                .iter_mut()
                .find(|f| f.inverse == inverse && f.path == property)
            {
                Some(f) => f,
                None => {
                    list.push(Field {
                        ids: Vec::new(),
                        class: names.term(class.as_ref()),
                        property: names.term(property.as_ref()),
                        inverse,
                        group: String::new(),
                        rules: Vec::new(),
                        messages: Vec::new(),
                        access: policy.get(&property).copied(),
                        path: property.clone(),
                        order: (f64::MAX, f64::MAX),
                    });
                    list.last_mut().expect("just pushed")
                }
            };
            field.ids.extend(id);
            for r in rules {
                if !field.rules.iter().any(|x| x.plain() == r.plain()) {
                    field.rules.push(r);
                }
            }
            field.messages.extend(message);
            if let Some((label, group_order)) = group
                && field.group.is_empty()
            {
                field.group = label;
                field.order = (group_order, order);
            } else if field.group.is_empty() {
                field.order.1 = field.order.1.min(order);
            }
        }
        list.sort_by(|a, b| {
            a.order
                .0
                .total_cmp(&b.order.0)
                .then(a.order.1.total_cmp(&b.order.1))
                .then(a.property.label.cmp(&b.property.label))
        });
    }
    (by_class, node_rules)
}

/// The subjects of `triples` in the order they first appear.
fn subjects_in_order(triples: &[Triple]) -> Vec<NamedNode> {
    let mut seen = HashSet::new();
    triples
        .iter()
        .filter_map(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(n) if seen.insert(n.clone()) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

fn def_page(
    sources: &Sources,
    site: &Site,
    shapes: &Graph,
    in_scheme: &[(NamedNode, NamedNode)],
    schemes: &[SchemeEntry],
) -> DefPage {
    let ontology: Graph = sources.ontology.iter().collect();
    let names = Names {
        site,
        ontology: &ontology,
        shapes,
        in_scheme,
        schemes,
    };
    let mut policy = HashMap::new();
    for t in ontology.triples_for_predicate(bia::ACCESS_LEVEL) {
        if let NamedOrBlankNodeRef::NamedNode(p) = t.subject {
            let level = if t.object == bia::PUBLIC.into() {
                Access::Public
            } else {
                Access::Restricted
            };
            // Marked both ways: restricted, as the access policy reads it.
            let entry = policy.entry(p.into_owned()).or_insert(level);
            if level == Access::Restricted {
                *entry = level;
            }
        }
    }
    let (mut by_class, mut node_rules) = fields(&names, &policy);
    let mut by_property: HashMap<NamedNode, Vec<Field>> = HashMap::new();
    let mut classes_in_order: Vec<NamedNode> = subjects_in_order(&sources.ontology);
    classes_in_order.extend(by_class.keys().cloned());
    let mut seen = HashSet::new();
    for class in classes_in_order {
        if !seen.insert(class.clone()) {
            continue;
        }
        for f in by_class.get(&class).into_iter().flatten() {
            by_property
                .entry(f.path.clone())
                .or_default()
                .push(f.clone());
        }
    }
    let ontology_iri = vocab::ONTOLOGY;
    let typed = |s: NamedNodeRef<'_>, class: &str| {
        ontology.contains(oxrdf::TripleRef::new(s, rdf::TYPE, named(class)))
    };
    let mut sections: Vec<TermSection> = vec![
        TermSection {
            id: "classes",
            title: "Classes de bibia",
            intro: "Les classes propres à bibia, avec les champs que les formes SHACL attendent de leurs fiches.",
            terms: Vec::new(),
            classes: true,
        },
        TermSection {
            id: "classes-reprises",
            title: "Classes reprises d'autres vocabulaires",
            intro: "Les classes de vocabulaires standard que bibia utilise, avec leurs libellés français et les champs de leurs fiches.",
            terms: Vec::new(),
            classes: true,
        },
        TermSection {
            id: "proprietes",
            title: "Propriétés de bibia",
            intro: "Les propriétés propres à bibia, avec leur niveau d'accès et les contraintes des formes par classe.",
            terms: Vec::new(),
            classes: false,
        },
        TermSection {
            id: "proprietes-reprises",
            title: "Propriétés reprises d'autres vocabulaires",
            intro: "Les propriétés standard que les fiches de bibia utilisent : un niveau d'accès décide si leurs valeurs sont publiées.",
            terms: Vec::new(),
            classes: false,
        },
        TermSection {
            id: "individus",
            title: "Niveaux d'accès et autres termes",
            intro: "Les valeurs nommées de l'ontologie.",
            terms: Vec::new(),
            classes: false,
        },
    ];
    for subject in subjects_in_order(&sources.ontology) {
        if subject.as_ref() == ontology_iri {
            continue;
        }
        let s = subject.as_ref();
        let own = subject.as_str().starts_with(vocab::BIA);
        let is_class = typed(s, &format!("{OWL}Class"));
        let kind = if is_class {
            "classe"
        } else if typed(s, &format!("{OWL}ObjectProperty")) {
            "propriété d'objet"
        } else if typed(s, &format!("{OWL}DatatypeProperty")) {
            "propriété de données"
        } else if typed(s, &format!("{OWL}AnnotationProperty")) {
            "propriété d'annotation"
        } else if typed(s, rdf::PROPERTY.as_str()) {
            "propriété"
        } else if typed(s, &format!("{OWL}NamedIndividual")) {
            "valeur nommée"
        } else {
            "terme"
        };
        let is_property = kind.starts_with("propriété");
        let links = |p: NamedNodeRef<'_>| -> Vec<TermLink> {
            ontology
                .objects_for_subject_predicate(s, p)
                .map(|o| names.value(o))
                .collect()
        };
        let mut facts: Vec<(&'static str, Vec<TermLink>)> = vec![
            ("Sous-classe de", links(rdfs::SUB_CLASS_OF)),
            ("Domaine", links(rdfs::DOMAIN)),
            (
                "Utilisée sur",
                links(named(&format!("{SCHEMA}domainIncludes"))),
            ),
            ("Valeurs", links(rdfs::RANGE)),
            (
                "Valeurs attendues",
                links(named(&format!("{SCHEMA}rangeIncludes"))),
            ),
        ];
        if is_class {
            let mut subclasses: Vec<TermLink> = ontology
                .subjects_for_predicate_object(rdfs::SUB_CLASS_OF, s)
                .filter_map(|c| match c {
                    NamedOrBlankNodeRef::NamedNode(n) => Some(names.term(n)),
                    NamedOrBlankNodeRef::BlankNode(_) => None,
                })
                .collect();
            subclasses.sort_by(|a, b| a.label.cmp(&b.label));
            facts.push(("Sous-classes", subclasses));
        }
        facts.push(("Voir aussi", links(rdfs::SEE_ALSO)));
        if !own {
            facts.push(("Défini par", links(rdfs::IS_DEFINED_BY)));
        }
        facts.retain(|(_, v)| !v.is_empty());
        let ClassShapes { shape, rules } = node_rules.remove(&subject).unwrap_or_default();
        let fields = if is_class {
            by_class.remove(&subject).unwrap_or_default()
        } else {
            by_property.remove(&subject).unwrap_or_default()
        };
        let doc = TermDoc {
            id: anchor(subject.as_str()),
            iri: subject.as_str().to_owned(),
            label: french(&ontology, s.into(), rdfs::LABEL)
                .unwrap_or_else(|| short(subject.as_str())),
            label_en: only_in(&ontology, s.into(), rdfs::LABEL, "en"),
            kind,
            definition: french(&ontology, s.into(), skos::DEFINITION)
                .or_else(|| french(&ontology, s.into(), rdfs::COMMENT)),
            note: only_in(
                &ontology,
                s.into(),
                named(&format!("{}scopeNote", skos_ns())),
                "fr",
            ),
            facts,
            access: policy.get(&subject).copied(),
            shape: if is_class { shape } else { None },
            fields,
            rules,
        };
        let section = match (is_class, is_property, own) {
            (true, _, true) => 0,
            (true, _, false) => 1,
            (_, true, true) => 2,
            (_, true, false) => 3,
            _ => 4,
        };
        sections[section].terms.push(doc);
    }
    let alternates = crate::iri::DOCUMENTS
        .iter()
        .map(|(name, media, suffix)| (*name, *media, site.path(&format!("def.{suffix}"))))
        .collect();
    let o = ontology_iri.into();
    DefPage {
        site: site.clone(),
        title: french(&ontology, o, crate::vocab::dcterms::TITLE)
            .unwrap_or_else(|| "Ontologie de bibia".to_owned()),
        description: french(&ontology, o, crate::vocab::dcterms::DESCRIPTION)
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
        iri: ontology_iri.as_str().to_owned(),
        namespace: vocab::BIA,
        version: french(&ontology, o, named(&format!("{OWL}versionInfo"))),
        licence: match ontology.object_for_subject_predicate(o, crate::vocab::dcterms::LICENSE) {
            Some(TermRef::NamedNode(l)) => Some(l.as_str().to_owned()),
            _ => None,
        },
        sections,
        schemes: schemes.to_vec(),
        alternates,
    }
}

fn skos_ns() -> &'static str {
    skos::CONCEPT.as_str().trim_end_matches("Concept")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iri::BaseIri;

    fn documentation() -> Documentation {
        let base = BaseIri::parse("http://localhost:8080/").unwrap();
        let site = Site::new(base.clone(), "x@example.org".into());
        Documentation::new(&Sources::bundled(&base).unwrap(), &site)
    }

    fn term<'a>(doc: &'a Documentation, id: &str) -> &'a TermDoc {
        doc.def_page()
            .sections
            .iter()
            .flat_map(|s| &s.terms)
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("no term {id}"))
    }

    fn words(field: &Field) -> Vec<String> {
        field.rules.iter().map(Rule::plain).collect()
    }

    #[test]
    fn the_constraints_of_a_use_case_read_in_french() {
        let doc = documentation();
        let use_case = term(&doc, "UseCase");
        let field = |id: &str| {
            use_case
                .fields
                .iter()
                .find(|f| f.ids.iter().any(|i| i == id))
                .unwrap_or_else(|| panic!("no field {id}"))
        };
        assert_eq!(
            words(field("UseCaseShape-title")),
            [
                "obligatoire",
                "une seule valeur",
                "un texte avec sa langue (par exemple @fr)",
                "en français (@fr) ou en anglais (@en)"
            ]
        );
        assert_eq!(
            words(field("UseCaseShape-startDate")),
            [
                "obligatoire",
                "une seule valeur",
                "une date (AAAA-MM-JJ), un mois (AAAA-MM) ou une année (AAAA)"
            ]
        );
        let theme = field("UseCaseShape-theme");
        let list = theme.rules.iter().find_map(|r| r.link.as_ref()).unwrap();
        assert_eq!(list.href, "/vocab/theme");
        assert_eq!(list.label, "Thèmes de politique publique");
        let led = field("UseCaseShape-ledBy");
        let class = led.rules.iter().find_map(|r| r.link.as_ref()).unwrap();
        assert_eq!(class.href, "/def#org-Organization");
        let contact = field("UseCaseShape-contactPoint");
        assert_eq!(contact.ids.len(), 2, "the advice merges with the field");
        assert_eq!(words(contact)[0], "une fiche de type Contact");
        assert!(words(contact)[1].starts_with("conseillé"));
        assert_eq!(contact.access, Some(Access::Restricted));
        assert_eq!(use_case.rules[0].id, "UseCaseShape-abandonRule");
    }

    #[test]
    fn a_property_says_which_classes_constrain_it() {
        let doc = documentation();
        let siren = term(&doc, "siren");
        assert_eq!(siren.access, Some(Access::Public));
        let classes: Vec<&str> = siren
            .fields
            .iter()
            .map(|f| f.class.label.as_str())
            .collect();
        assert_eq!(
            classes,
            ["Territoire", "Organisation"],
            "in the order of the ontology"
        );
        assert!(words(&siren.fields[0]).contains(&"clé de contrôle (Luhn) juste".to_owned()));
        let algorithm = term(&doc, "algorithm");
        assert!(algorithm.fields.iter().any(|f| f.inverse));
    }
}
