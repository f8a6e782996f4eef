//! The form of a class, read from the shapes and the ontology: its groups
//! of fields (`sh:group`, `sh:order`), and for each field its name, label,
//! help, cardinality, access level and kind of input, decided by the
//! constraints of its property shapes (`sh:datatype`, `sh:or`,
//! `sh:nodeKind`, `sh:pattern`, `sh:class`, `sh:node`, `sh:in`).
//!
//! Nothing here names a property of bibia's model: a field exists because a
//! property shape of the class's node shapes says so.

use crate::iri::slug;
use crate::model::{AccessPolicy, ConceptSchemes, Model, as_node, french, list, number};
use crate::vocab::{self, dash, sh, skos};
use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{Graph, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef};
use std::collections::{BTreeMap, HashMap};

/// How deep nodes may nest inside a record (a record's algorithm record is
/// depth 1); a class met deeper, or again inside itself, is a reference.
const MAX_DEPTH: usize = 2;

/// The label of the group of the fields no shape places.
const OTHER: &str = "Autres informations";

/// The form of the records of one class.
#[derive(Debug, Clone)]
pub struct Form {
    /// The class of the records (`bia:UseCase`).
    pub class: NamedNode,
    /// The class's French label.
    pub label: String,
    /// Its groups of fields, in order; empty groups are left out.
    pub groups: Vec<Group>,
}

/// A group of fields (`sh:PropertyGroup`).
#[derive(Debug, Clone)]
pub struct Group {
    /// Its French label; "Autres informations" for the fields without a
    /// group, last.
    pub label: String,
    /// Its fields, in `sh:order`.
    pub fields: Vec<Field>,
}

/// One field: a property of the record (or of a node nested in it).
#[derive(Debug, Clone)]
pub struct Field {
    /// Its name in the form, from the property's local name (`title`);
    /// `prefix-local` when two properties of one node share a local name
    /// (`dcterms-license`, `doap-license`). A field of a nested node is
    /// named `{parent}.{block}.{name}` in the HTML form (see [`Node`]).
    pub name: String,
    /// The property.
    pub property: NamedNode,
    /// Its French label: `sh:name`, else the ontology's `rdfs:label`.
    pub label: String,
    /// What to write there: `sh:description`, else the ontology's
    /// `skos:definition` or `rdfs:comment`, in French.
    pub help: Option<String>,
    /// At least one value is required (`sh:minCount` ≥ 1).
    pub required: bool,
    /// A value is advised (`sh:minCount` ≥ 1 at severity warning): its
    /// absence is accepted with a warning.
    pub recommended: bool,
    /// Several values are allowed (no `sh:maxCount`, or more than one; a
    /// French text with `sh:uniqueLang` has one).
    pub repeatable: bool,
    /// The access policy does not publish it: only the organisation and
    /// the network's moderators see it.
    pub restricted: bool,
    /// The kind of input.
    pub input: Input,
    /// The property shapes it comes from (to place validation results).
    pub(super) shapes: Vec<NamedOrBlankNode>,
}

/// The kind of input of a field, and what its values become.
#[derive(Debug, Clone)]
pub enum Input {
    /// A text: `rdf:langString` is written in French (`@fr`), any other
    /// datatype as typed (`xsd:string`: no language).
    Text {
        /// The datatype of the literal.
        datatype: NamedNode,
        /// A text area (a French text without `dash:singleLine true`)
        /// rather than a one-line input.
        multiline: bool,
    },
    /// A date (`xsd:date`).
    Date,
    /// A date, a month or a year (`sh:or` of `xsd:date`, `xsd:gYearMonth`,
    /// `xsd:gYear`).
    PartialDate,
    /// A date and time (`xsd:dateTime`).
    DateTime,
    /// A decimal number (`xsd:decimal`), within optional bounds.
    Decimal {
        /// `sh:minInclusive`.
        min: Option<String>,
        /// `sh:maxInclusive`.
        max: Option<String>,
    },
    /// An integer (`xsd:integer`), within optional bounds.
    Integer {
        /// `sh:minInclusive`.
        min: Option<String>,
        /// `sh:maxInclusive`.
        max: Option<String>,
    },
    /// A web address (an IRI whose pattern is `^https?://`, or
    /// `xsd:anyURI`).
    Url,
    /// An e-mail address, written `mailto:` (an IRI whose pattern starts
    /// `^mailto:`).
    Email,
    /// A telephone number, written `tel:` (an IRI whose pattern starts
    /// `^tel:`).
    Telephone,
    /// Any other IRI.
    Iri,
    /// Yes or no (`xsd:boolean`).
    Boolean,
    /// A value of a list: a concept scheme's concepts (`sh:node
    /// bia:InScheme-…`), the values of `sh:in`, or the subclasses of the
    /// record's class. A select, or checkboxes when repeatable.
    Choice(Vec<Choice>),
    /// Another record of this class (`sh:class` with `sh:nodeKind
    /// sh:IRI`): a select whose options the caller supplies.
    Reference(NamedNode),
    /// A node of the record with its own fields (`sh:class` of a class
    /// with a node shape, without `sh:nodeKind sh:IRI`): a nested
    /// fieldset, one block per node.
    Node(Box<Node>),
}

/// One value of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The value (a concept, a literal).
    pub value: Term,
    /// Its French label.
    pub label: String,
}

impl Choice {
    /// The value as the form sends it: an IRI, or a literal's lexical form.
    pub fn key(&self) -> &str {
        term_key(&self.value)
    }
}

/// A node nested in a record (an algorithm record, a partnership, a
/// contact), with its own fields.
///
/// Each node is a block of the form named after the fragment of its IRI,
/// `{record}#{fragment}`: the field `partner` of the partnership
/// `…#partenariat-civitalis-ia` is named
/// `partnership.partenariat-civitalis-ia.partner`. A new block gets a
/// fragment made from [`Node::fragment`].
#[derive(Debug, Clone)]
pub struct Node {
    /// The class of the node.
    pub class: NamedNode,
    /// The class's French label.
    pub label: String,
    /// The node's groups of fields.
    pub groups: Vec<Group>,
    /// The start of the fragment of a new node's IRI: the slug of the
    /// linking property's label (`partenariat`).
    pub fragment: String,
    /// The node shapes of the class (to place validation results).
    pub(super) shapes: Vec<NamedOrBlankNode>,
}

impl Node {
    /// A fragment for a new block that none of `taken` has: the node's
    /// [`Node::fragment`], then `-2`, `-3`…; it is added to `taken`.
    pub fn fresh_fragment(&self, taken: &mut std::collections::HashSet<String>) -> String {
        let base = if self.fragment.is_empty() {
            "noeud"
        } else {
            self.fragment.as_str()
        };
        let mut candidate = base.to_owned();
        let mut n = 1;
        while taken.contains(&candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        taken.insert(candidate.clone());
        candidate
    }
}

impl Form {
    /// Every field of the form's own node, in order (nested nodes' fields
    /// are inside their field's [`Input::Node`]).
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.groups.iter().flat_map(|g| &g.fields)
    }

    /// The field of the form's own node named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields().find(|f| f.name == name)
    }
}

/// The value of a term as a form sends it.
pub(super) fn term_key(term: &Term) -> &str {
    match term {
        Term::NamedNode(n) => n.as_str(),
        Term::BlankNode(b) => b.as_str(),
        Term::Literal(l) => l.value(),
    }
}

/// What the forms are built from, read once.
pub(super) struct Builder<'a> {
    shapes: &'a Graph,
    ontology: Graph,
    policy: &'a AccessPolicy,
    concepts: &'a ConceptSchemes,
    /// The groups of the layout: IRI, label; the last is for the fields
    /// without a group.
    groups: Vec<(Option<NamedNode>, String)>,
    /// List shape (`bia:InScheme-theme`) → scheme name (`theme`).
    lists: HashMap<NamedNode, String>,
}

/// What the property shapes of one node say of one path.
#[derive(Default)]
struct Constraints {
    group: Option<NamedNode>,
    order: Option<f64>,
    required: bool,
    recommended: bool,
    max: Option<u64>,
    datatypes: Vec<NamedNode>,
    node_kind: Option<NamedNode>,
    class: Option<NamedNode>,
    list: Option<String>,
    values: Option<Vec<Term>>,
    pattern: Option<String>,
    min_inclusive: Option<String>,
    max_inclusive: Option<String>,
    unique_lang: bool,
    single_line: bool,
    name: Option<String>,
    description: Option<String>,
    shapes: Vec<NamedOrBlankNode>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(model: &'a Model) -> Self {
        let shapes = &model.shapes_graph;
        let mut groups: Vec<(Option<NamedNode>, String)> = model
            .layout
            .groups()
            .iter()
            .map(|g| (g.iri.clone(), g.label.clone()))
            .collect();
        if groups.last().is_none_or(|(iri, _)| iri.is_some()) {
            groups.push((None, OTHER.to_owned()));
        }
        Self {
            shapes,
            ontology: model.context().collect(),
            policy: &model.policy,
            concepts: &model.concepts,
            groups,
            lists: list_shapes(shapes),
        }
    }

    /// The form of `class`, if a node shape gives it fields.
    pub(super) fn form(&self, class: NamedNodeRef<'_>) -> Option<Form> {
        let (groups, _) = self.node_fields(class, false, &mut vec![class.into_owned()])?;
        Some(Form {
            class: class.into_owned(),
            label: self.label(class),
            groups,
        })
    }

    /// The node shapes that target `class`, in a stable order.
    fn node_shapes(&self, class: NamedNodeRef<'_>) -> Vec<NamedOrBlankNodeRef<'_>> {
        let mut shapes: Vec<_> = self
            .shapes
            .subjects_for_predicate_object(sh::TARGET_CLASS, class)
            .filter(|s| {
                !matches!(
                    self.shapes.object_for_subject_predicate(*s, sh::DEACTIVATED),
                    Some(TermRef::Literal(l)) if l.value() == "true"
                )
            })
            .collect();
        shapes.sort_by_key(ToString::to_string);
        shapes
    }

    fn has_fields(&self, class: NamedNodeRef<'_>) -> bool {
        self.node_shapes(class).into_iter().any(|s| {
            self.shapes
                .objects_for_subject_predicate(s, sh::PROPERTY)
                .next()
                .is_some()
        })
    }

    /// The groups of fields of the nodes of `class`, and its node shapes;
    /// `None` when no shape gives it a field. `stack` holds the classes
    /// of the enclosing nodes.
    fn node_fields(
        &self,
        class: NamedNodeRef<'_>,
        restricted: bool,
        stack: &mut Vec<NamedNode>,
    ) -> Option<(Vec<Group>, Vec<NamedOrBlankNode>)> {
        let node_shapes = self.node_shapes(class);
        let mut by_path: Vec<(NamedNode, Constraints)> = Vec::new();
        for node_shape in &node_shapes {
            let mut properties: Vec<_> = self
                .shapes
                .objects_for_subject_predicate(*node_shape, sh::PROPERTY)
                .filter_map(as_node)
                .collect();
            properties.sort_by_key(ToString::to_string);
            for shape in properties {
                let Some(TermRef::NamedNode(path)) =
                    self.shapes.object_for_subject_predicate(shape, sh::PATH)
                else {
                    // Inverse and complex paths: written from elsewhere
                    // (the link to a nested node is its parent's field).
                    continue;
                };
                let index = match by_path.iter().position(|(p, _)| p.as_ref() == path) {
                    Some(i) => i,
                    None => {
                        by_path.push((path.into_owned(), Constraints::default()));
                        by_path.len() - 1
                    }
                };
                self.read_shape(shape, &mut by_path[index].1);
            }
        }
        let mut fields: Vec<(usize, f64, Field)> = Vec::new();
        if let Some(category) = self.category(class, restricted) {
            fields.push((0, f64::MIN, category));
        }
        let has_shape_fields = !by_path.is_empty();
        for (path, c) in by_path {
            let group = c
                .group
                .as_ref()
                .and_then(|g| {
                    self.groups
                        .iter()
                        .position(|(iri, _)| iri.as_ref() == Some(g))
                })
                .unwrap_or(self.groups.len() - 1);
            let order = c.order.unwrap_or(f64::MAX);
            let field = self.field(path, c, restricted, stack);
            fields.push((group, order, field));
        }
        if !has_shape_fields {
            return None;
        }
        name_fields(&mut fields);
        let mut grouped: BTreeMap<usize, Vec<(f64, Field)>> = BTreeMap::new();
        for (group, order, field) in fields {
            grouped.entry(group).or_default().push((order, field));
        }
        let groups = grouped
            .into_iter()
            .map(|(index, mut fields)| {
                fields.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.label.cmp(&b.1.label)));
                Group {
                    label: self.groups[index].1.clone(),
                    fields: fields.into_iter().map(|(_, f)| f).collect(),
                }
            })
            .collect();
        Some((
            groups,
            node_shapes.into_iter().map(|s| s.into_owned()).collect(),
        ))
    }

    /// Adds what one property shape says to `c`.
    fn read_shape(&self, shape: NamedOrBlankNodeRef<'_>, c: &mut Constraints) {
        let g = self.shapes;
        let get = |p: NamedNodeRef<'_>| g.object_for_subject_predicate(shape, p);
        let text = |p: NamedNodeRef<'_>| match get(p) {
            Some(TermRef::Literal(l)) => Some(l.value().to_owned()),
            _ => None,
        };
        let warning =
            matches!(get(sh::SEVERITY), Some(TermRef::NamedNode(s)) if s != sh::VIOLATION);
        c.shapes.push(shape.into_owned());
        let min = text(sh::MIN_COUNT).and_then(|n| n.parse::<u64>().ok());
        if min.is_some_and(|n| n >= 1) {
            if warning {
                c.recommended = true;
            } else {
                c.required = true;
            }
        }
        if warning {
            // Advice only: it neither places nor shapes the field.
            return;
        }
        if c.group.is_none()
            && let Some(TermRef::NamedNode(group)) = get(sh::GROUP)
        {
            c.group = Some(group.into_owned());
            c.order = number(g, shape, sh::ORDER);
        }
        if c.order.is_none() {
            c.order = number(g, shape, sh::ORDER);
        }
        if let Some(max) = text(sh::MAX_COUNT).and_then(|n| n.parse::<u64>().ok()) {
            c.max = Some(c.max.map_or(max, |m| m.min(max)));
        }
        if let Some(TermRef::NamedNode(dt)) = get(sh::DATATYPE) {
            c.datatypes.push(dt.into_owned());
        }
        if let Some(head) = get(sh::OR) {
            for member in list(g, head).into_iter().filter_map(as_node) {
                if let Some(TermRef::NamedNode(dt)) =
                    g.object_for_subject_predicate(member, sh::DATATYPE)
                {
                    c.datatypes.push(dt.into_owned());
                }
            }
        }
        if let Some(TermRef::NamedNode(kind)) = get(sh::NODE_KIND) {
            c.node_kind = Some(kind.into_owned());
        }
        if let Some(TermRef::NamedNode(class)) = get(sh::CLASS) {
            c.class = Some(class.into_owned());
        }
        if let Some(TermRef::NamedNode(node)) = get(sh::NODE)
            && let Some(scheme) = self.lists.get(&node.into_owned())
        {
            c.list = Some(scheme.clone());
        }
        if let Some(head) = get(sh::IN) {
            c.values = Some(list(g, head).into_iter().map(TermRef::into_owned).collect());
        }
        if let Some(p) = text(sh::PATTERN) {
            c.pattern = Some(p);
        }
        c.min_inclusive = c.min_inclusive.take().or_else(|| text(sh::MIN_INCLUSIVE));
        c.max_inclusive = c.max_inclusive.take().or_else(|| text(sh::MAX_INCLUSIVE));
        c.unique_lang |= text(sh::UNIQUE_LANG).as_deref() == Some("true");
        c.single_line |= text(dash::SINGLE_LINE).as_deref() == Some("true");
        if c.name.is_none() {
            c.name = french(g, shape, sh::NAME);
        }
        if c.description.is_none() {
            c.description = french(g, shape, sh::DESCRIPTION);
        }
    }

    /// The field of `path` from what its shapes say.
    fn field(
        &self,
        path: NamedNode,
        c: Constraints,
        parent_restricted: bool,
        stack: &mut Vec<NamedNode>,
    ) -> Field {
        let restricted = parent_restricted || !self.policy.is_public(&path);
        let label = c.name.clone().unwrap_or_else(|| self.label(path.as_ref()));
        let help = c
            .description
            .clone()
            .or_else(|| self.definition(path.as_ref()));
        let input = self.input(&path, &c, &label, restricted, stack);
        let french_text =
            matches!(&input, Input::Text { datatype, .. } if datatype.as_ref() == rdf::LANG_STRING);
        let repeatable = c.max.is_none_or(|m| m > 1) && !(c.unique_lang && french_text);
        Field {
            name: local_name(path.as_str()),
            property: path,
            label,
            help,
            required: c.required,
            recommended: c.recommended && !c.required,
            repeatable,
            restricted,
            input,
            shapes: c.shapes,
        }
    }

    fn input(
        &self,
        path: &NamedNode,
        c: &Constraints,
        label: &str,
        restricted: bool,
        stack: &mut Vec<NamedNode>,
    ) -> Input {
        if let Some(scheme) = &c.list {
            return Input::Choice(
                self.concepts
                    .in_file_order(scheme)
                    .into_iter()
                    .map(|concept| Choice {
                        value: concept.iri.clone().into(),
                        label: if concept.label.is_empty() {
                            concept.iri.as_str().to_owned()
                        } else {
                            concept.label.clone()
                        },
                    })
                    .collect(),
            );
        }
        if let Some(values) = &c.values {
            return Input::Choice(
                values
                    .iter()
                    .map(|v| Choice {
                        value: v.clone(),
                        label: match v {
                            Term::NamedNode(n) => self.label(n.as_ref()),
                            other => term_key(other).to_owned(),
                        },
                    })
                    .collect(),
            );
        }
        if let Some(class) = &c.class {
            let iri_only = c.node_kind.as_ref().is_some_and(|k| k.as_ref() == sh::IRI);
            if !iri_only
                && stack.len() < MAX_DEPTH
                && !stack.contains(class)
                && self.has_fields(class.as_ref())
            {
                stack.push(class.clone());
                let nested = self.node_fields(class.as_ref(), restricted, stack);
                stack.pop();
                if let Some((groups, shapes)) = nested {
                    return Input::Node(Box::new(Node {
                        class: class.clone(),
                        label: self.label(class.as_ref()),
                        groups,
                        fragment: slug(label),
                        shapes,
                    }));
                }
            }
            return Input::Reference(class.clone());
        }
        if let Some(input) = datatype_input(&c.datatypes, c) {
            return input;
        }
        let iri = c
            .node_kind
            .as_ref()
            .is_some_and(|k| k.as_ref() == sh::IRI || k.as_ref() == sh::BLANK_NODE_OR_IRI);
        if iri {
            let pattern = c.pattern.as_deref().unwrap_or_default();
            return if pattern.starts_with("^mailto:") {
                Input::Email
            } else if pattern.starts_with("^tel:") {
                Input::Telephone
            } else if pattern.starts_with("^https?://") || pattern.starts_with("^http") {
                Input::Url
            } else {
                Input::Iri
            };
        }
        // A literal of no stated datatype: the ontology's range, else a
        // French text.
        let ranges: Vec<NamedNode> = [rdfs::RANGE, vocab::schema::RANGE_INCLUDES]
            .into_iter()
            .flat_map(|p| self.ontology.objects_for_subject_predicate(path, p))
            .filter_map(|o| match o {
                TermRef::NamedNode(n) if n.as_str().starts_with(XSD) || n == rdf::LANG_STRING => {
                    Some(n.into_owned())
                }
                _ => None,
            })
            .collect();
        datatype_input(&ranges, c).unwrap_or(Input::Text {
            datatype: rdf::LANG_STRING.into_owned(),
            multiline: !c.single_line,
        })
    }

    /// The field of the subclasses of `class` the ontology declares (an
    /// organisation's category), when there are some.
    fn category(&self, class: NamedNodeRef<'_>, restricted: bool) -> Option<Field> {
        let mut options: Vec<Choice> = self
            .ontology
            .subjects_for_predicate_object(rdfs::SUB_CLASS_OF, class)
            .filter_map(|s| match s {
                NamedOrBlankNodeRef::NamedNode(n) => Some(Choice {
                    value: n.into_owned().into(),
                    label: self.label(n),
                }),
                NamedOrBlankNodeRef::BlankNode(_) => None,
            })
            .collect();
        if options.is_empty() {
            return None;
        }
        options.sort_by(|a, b| a.label.cmp(&b.label));
        options.dedup();
        Some(Field {
            name: local_name(rdf::TYPE.as_str()),
            property: rdf::TYPE.into_owned(),
            label: "catégorie".to_owned(),
            help: self.definition(class),
            required: false,
            recommended: false,
            repeatable: false,
            restricted: restricted || !self.policy.is_public(&rdf::TYPE.into_owned()),
            input: Input::Choice(options),
            shapes: Vec::new(),
        })
    }

    /// The French label of a term in the ontology, else its local name.
    fn label(&self, term: NamedNodeRef<'_>) -> String {
        french(&self.ontology, term.into(), rdfs::LABEL)
            .unwrap_or_else(|| local_name(term.as_str()))
    }

    /// The French definition (or comment) of a term in the ontology.
    fn definition(&self, term: NamedNodeRef<'_>) -> Option<String> {
        french(&self.ontology, term.into(), skos::DEFINITION)
            .or_else(|| french(&self.ontology, term.into(), rdfs::COMMENT))
    }
}

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// The input of a field whose values have one of `datatypes`.
fn datatype_input(datatypes: &[NamedNode], c: &Constraints) -> Option<Input> {
    let is = |dt: NamedNodeRef<'_>| datatypes.iter().any(|d| d.as_ref() == dt);
    let first = datatypes.first()?;
    let bounds = || (c.min_inclusive.clone(), c.max_inclusive.clone());
    Some(
        if is(xsd::DATE) && (is(xsd::G_YEAR_MONTH) || is(xsd::G_YEAR)) {
            Input::PartialDate
        } else if is(xsd::DATE) {
            Input::Date
        } else if is(xsd::DATE_TIME) || is(xsd::DATE_TIME_STAMP) {
            Input::DateTime
        } else if is(xsd::DECIMAL) || is(xsd::DOUBLE) || is(xsd::FLOAT) {
            let (min, max) = bounds();
            Input::Decimal { min, max }
        } else if INTEGERS.iter().any(|i| is(*i)) {
            let (min, max) = bounds();
            Input::Integer { min, max }
        } else if is(xsd::BOOLEAN) {
            Input::Boolean
        } else if is(xsd::ANY_URI) {
            Input::Url
        } else if is(rdf::LANG_STRING) {
            Input::Text {
                datatype: rdf::LANG_STRING.into_owned(),
                multiline: !c.single_line,
            }
        } else {
            Input::Text {
                datatype: first.clone(),
                multiline: false,
            }
        },
    )
}

const INTEGERS: [NamedNodeRef<'static>; 8] = [
    xsd::INTEGER,
    xsd::INT,
    xsd::LONG,
    xsd::SHORT,
    xsd::NON_NEGATIVE_INTEGER,
    xsd::POSITIVE_INTEGER,
    xsd::NEGATIVE_INTEGER,
    xsd::NON_POSITIVE_INTEGER,
];

/// The list shapes (`bia:InScheme-theme`): node shapes with a property
/// `skos:inScheme` that has a value, with the name of that scheme.
fn list_shapes(shapes: &Graph) -> HashMap<NamedNode, String> {
    let mut out = HashMap::new();
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
                let name = scheme
                    .as_str()
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or_default();
                out.insert(shape.into_owned(), name.to_owned());
            }
        }
    }
    out
}

/// The local name of an IRI as a form name: after the last `#` or `/`,
/// anything but ASCII letters, digits, `_` and `-` made `-`.
fn local_name(iri: &str) -> String {
    let local = iri.rsplit(['#', '/']).next().unwrap_or_default();
    let name: String = local
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() {
        "champ".to_owned()
    } else {
        name
    }
}

/// Gives the fields that share a local name their prefixed name
/// (`dcterms-license`, `doap-license`): the prefix of the one prefix
/// table, else the last segment of the namespace.
fn name_fields(fields: &mut [(usize, f64, Field)]) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, _, f) in fields.iter() {
        *counts.entry(f.name.clone()).or_default() += 1;
    }
    for (_, _, f) in fields.iter_mut() {
        if counts.get(&f.name).copied().unwrap_or_default() < 2 {
            continue;
        }
        let iri = f.property.as_str();
        let known = vocab::PREFIXES
            .iter()
            .filter(|(_, ns)| iri.starts_with(ns))
            .max_by_key(|(_, ns)| ns.len())
            .map(|(p, _)| (*p).to_owned());
        let prefix = known.unwrap_or_else(|| {
            let namespace = iri.rsplit_once(['#', '/']).map_or(iri, |(ns, _)| ns);
            local_name(namespace)
        });
        f.name = format!("{prefix}-{}", f.name);
    }
}
