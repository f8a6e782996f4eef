//! Shapes graph → compiled shapes: every shape, target, path and parameter is
//! read and checked once; constants are interned so that validation resolves
//! them to data-graph ids with one lookup each.

use std::collections::{HashMap, HashSet};

use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{Graph, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef};
use regex::Regex;

use super::path::{CompiledPath, Path};
use super::{Severity, Shapes, ShapesError};
use crate::vocab::sh;

/// Index of a constant term in [`Consts`].
pub(crate) type ConstId = u32;
/// Index of a shape in [`Shapes`].
pub(crate) type ShapeId = u32;

/// The constant terms that shapes mention (classes, predicates, values).
#[derive(Debug, Default, Clone)]
pub(crate) struct Consts {
    pub(crate) terms: Vec<Term>,
    map: HashMap<Term, ConstId>,
}

impl Consts {
    /// Interns a term.
    pub(crate) fn intern(&mut self, term: Term) -> ConstId {
        if let Some(&id) = self.map.get(&term) {
            return id;
        }
        let id = ConstId::try_from(self.terms.len()).unwrap_or(ConstId::MAX);
        self.terms.push(term.clone());
        self.map.insert(term, id);
        id
    }
}

/// A compiled shape.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    /// The shape's node in the shapes graph.
    pub(crate) node: Term,
    /// The path of a property shape.
    pub(crate) path: Option<(std::sync::Arc<Path>, CompiledPath)>,
    pub(crate) targets: Vec<Target>,
    pub(crate) deactivated: bool,
    pub(crate) severity: Severity,
    pub(crate) message: Option<Literal>,
    pub(crate) constraints: Vec<Constraint>,
}

/// A target declaration.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Node(ConstId),
    Class(ConstId),
    SubjectsOf(ConstId),
    ObjectsOf(ConstId),
}

/// Which bound a range constraint checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    MinExclusive,
    MinInclusive,
    MaxExclusive,
    MaxInclusive,
}

/// Which comparison a property-pair constraint makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pair {
    Equals,
    Disjoint,
    LessThan,
    LessThanOrEquals,
}

/// Which logical combination a constraint makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Logic {
    And,
    Or,
    Xone,
}

/// Node kinds as a bit set.
pub(crate) const KIND_IRI: u8 = 1;
/// Blank node bit.
pub(crate) const KIND_BLANK: u8 = 2;
/// Literal bit.
pub(crate) const KIND_LITERAL: u8 = 4;

/// A compiled constraint (one parameter value of one component).
#[derive(Debug, Clone)]
pub(crate) enum Constraint {
    Class(ConstId),
    Datatype(NamedNode),
    NodeKind(u8, NamedNode),
    MinCount(usize),
    MaxCount(usize),
    Range(Bound, Literal),
    MinLength(usize),
    MaxLength(usize),
    Pattern(Regex, String),
    LanguageIn(Vec<String>),
    UniqueLang,
    Pair(Pair, ConstId),
    Not(ShapeId),
    Logic(Logic, Vec<ShapeId>),
    Node(ShapeId),
    Property(ShapeId),
    Qualified {
        shape: ShapeId,
        min: Option<usize>,
        max: Option<usize>,
        siblings: Vec<ShapeId>,
    },
    /// Allowed predicates, as an index into [`Shapes::sets`].
    Closed(usize),
    HasValue(ConstId),
    /// Allowed values, as an index into [`Shapes::sets`].
    In(usize),
    Luhn,
}

impl Constraint {
    /// The shapes this constraint evaluates.
    pub(crate) fn shape_refs(&self) -> Vec<ShapeId> {
        match self {
            Self::Not(s) | Self::Node(s) | Self::Property(s) => vec![*s],
            Self::Logic(_, list) => list.clone(),
            Self::Qualified {
                shape, siblings, ..
            } => {
                let mut all = siblings.clone();
                all.push(*shape);
                all
            }
            _ => Vec::new(),
        }
    }
}

/// A constraint parameter of SHACL Core.
#[derive(Debug, Clone, Copy)]
enum Param {
    Class,
    Datatype,
    NodeKind,
    MinCount,
    MaxCount,
    MinLength,
    MaxLength,
    Pattern,
    LanguageIn,
    UniqueLang,
    Not,
    Node,
    Property,
    And,
    Or,
    Xone,
    QualifiedValueShape,
    Closed,
    HasValue,
    In,
    Range(Bound),
    Pair(Pair),
}

/// Constraint parameters by IRI.
const PARAMS: &[(NamedNodeRef<'static>, Param)] = &[
    (sh::CLASS, Param::Class),
    (sh::DATATYPE, Param::Datatype),
    (sh::NODE_KIND, Param::NodeKind),
    (sh::MIN_COUNT, Param::MinCount),
    (sh::MAX_COUNT, Param::MaxCount),
    (sh::MIN_LENGTH, Param::MinLength),
    (sh::MAX_LENGTH, Param::MaxLength),
    (sh::PATTERN, Param::Pattern),
    (sh::LANGUAGE_IN, Param::LanguageIn),
    (sh::UNIQUE_LANG, Param::UniqueLang),
    (sh::NOT, Param::Not),
    (sh::NODE, Param::Node),
    (sh::PROPERTY, Param::Property),
    (sh::AND, Param::And),
    (sh::OR, Param::Or),
    (sh::XONE, Param::Xone),
    (sh::QUALIFIED_VALUE_SHAPE, Param::QualifiedValueShape),
    (sh::CLOSED, Param::Closed),
    (sh::HAS_VALUE, Param::HasValue),
    (sh::IN, Param::In),
    (sh::MIN_EXCLUSIVE, Param::Range(Bound::MinExclusive)),
    (sh::MIN_INCLUSIVE, Param::Range(Bound::MinInclusive)),
    (sh::MAX_EXCLUSIVE, Param::Range(Bound::MaxExclusive)),
    (sh::MAX_INCLUSIVE, Param::Range(Bound::MaxInclusive)),
    (sh::EQUALS, Param::Pair(Pair::Equals)),
    (sh::DISJOINT, Param::Pair(Pair::Disjoint)),
    (sh::LESS_THAN, Param::Pair(Pair::LessThan)),
    (sh::LESS_THAN_OR_EQUALS, Param::Pair(Pair::LessThanOrEquals)),
];

/// Reads an RDF list, failing on malformed or cyclic lists.
pub(crate) fn read_list(graph: &Graph, head: TermRef<'_>) -> Result<Vec<Term>, String> {
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut node = head;
    loop {
        if node == rdf::NIL.into() {
            return Ok(items);
        }
        let subject: NamedOrBlankNodeRef<'_> = match node {
            TermRef::NamedNode(n) => n.into(),
            TermRef::BlankNode(b) => b.into(),
            _ => return Err(format!("{node} is not an RDF list")),
        };
        if !seen.insert(node) {
            return Err(format!("RDF list {head} is cyclic"));
        }
        let first = single(graph, subject, rdf::FIRST)
            .ok_or_else(|| format!("{node} is not a well-formed RDF list node"))?;
        let rest = single(graph, subject, rdf::REST)
            .ok_or_else(|| format!("{node} is not a well-formed RDF list node"))?;
        items.push(first.into_owned());
        node = rest;
    }
}

fn single<'a>(
    graph: &'a Graph,
    s: NamedOrBlankNodeRef<'_>,
    p: NamedNodeRef<'_>,
) -> Option<TermRef<'a>> {
    let mut it = graph.objects_for_subject_predicate(s, p);
    let first = it.next()?;
    it.next().is_none().then_some(first)
}

/// Deepest nesting of shape references accepted (keeps validation's
/// recursion bounded).
const MAX_NESTING: usize = 128;

struct Compiler<'g> {
    graph: &'g Graph,
    shapes: Vec<Option<Shape>>,
    ids: HashMap<Term, ShapeId>,
    consts: Consts,
    sets: Vec<Vec<ConstId>>,
    /// Current nesting depth of shape references being compiled.
    depth: usize,
    /// Parameters of declared (SPARQL-based) components other than Luhn.
    foreign_params: HashMap<NamedNodeRef<'g>, NamedNodeRef<'g>>,
}

fn shape_error(node: impl std::fmt::Display, message: impl Into<String>) -> ShapesError {
    ShapesError::InvalidShape {
        shape: node.to_string(),
        message: message.into(),
    }
}

pub(crate) fn compile(graph: &Graph) -> Result<Shapes, ShapesError> {
    if let Some(t) = graph.triples_for_predicate(sh::SPARQL).next() {
        return Err(ShapesError::UnsupportedSparql {
            shape: t.subject.to_string(),
        });
    }
    let mut foreign_params = HashMap::new();
    for component in graph.subjects_for_predicate_object(rdf::TYPE, sh::CONSTRAINT_COMPONENT) {
        if component == sh::BIA_LUHN_CONSTRAINT_COMPONENT.into() {
            continue;
        }
        let NamedOrBlankNodeRef::NamedNode(component) = component else {
            continue;
        };
        for param in graph.objects_for_subject_predicate(component, sh::PARAMETER) {
            let Some(param) = as_subject(param) else {
                continue;
            };
            for path in graph.objects_for_subject_predicate(param, sh::PATH) {
                if let TermRef::NamedNode(p) = path {
                    foreign_params.insert(p, component);
                }
            }
        }
    }
    let mut c = Compiler {
        graph,
        shapes: Vec::new(),
        ids: HashMap::new(),
        consts: Consts::default(),
        sets: Vec::new(),
        depth: 0,
        foreign_params,
    };

    // Declared shapes and every subject of a target.
    let mut shape_classes: Vec<NamedNodeRef<'_>> = vec![sh::NODE_SHAPE, sh::PROPERTY_SHAPE];
    let mut i = 0;
    while i < shape_classes.len() {
        for sub in graph.subjects_for_predicate_object(rdfs::SUB_CLASS_OF, shape_classes[i]) {
            if let NamedOrBlankNodeRef::NamedNode(n) = sub
                && !shape_classes.contains(&n)
            {
                shape_classes.push(n);
            }
        }
        i += 1;
    }
    let mut roots: Vec<NamedOrBlankNodeRef<'_>> = Vec::new();
    for class in &shape_classes {
        roots.extend(graph.subjects_for_predicate_object(rdf::TYPE, *class));
    }
    for target in [
        sh::TARGET_NODE,
        sh::TARGET_CLASS,
        sh::TARGET_SUBJECTS_OF,
        sh::TARGET_OBJECTS_OF,
    ] {
        roots.extend(graph.triples_for_predicate(target).map(|t| t.subject));
    }
    for root in roots {
        c.shape(root.into())?;
    }
    let shapes: Vec<Shape> = c.shapes.into_iter().flatten().collect();
    check_recursion(&shapes)?;
    let top = (0..shapes.len())
        .filter(|&i| !shapes[i].targets.is_empty() && !shapes[i].deactivated)
        .filter_map(|i| ShapeId::try_from(i).ok())
        .collect();
    Ok(Shapes {
        shapes,
        consts: c.consts,
        sets: c.sets,
        top,
    })
}

fn as_subject(t: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match t {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

fn check_recursion(shapes: &[Shape]) -> Result<(), ShapesError> {
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0_u8; shapes.len()];
    let mut depth = vec![0_usize; shapes.len()];
    for start in 0..shapes.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, Vec<ShapeId>)> = vec![(start, refs(&shapes[start]))];
        state[start] = 1;
        while let Some((node, pending)) = stack.last_mut() {
            let node = *node;
            match pending.pop() {
                Some(next) => {
                    let next = next as usize;
                    match state[next] {
                        0 => {
                            state[next] = 1;
                            stack.push((next, refs(&shapes[next])));
                        }
                        1 => {
                            return Err(ShapesError::RecursiveShape {
                                shape: shapes[next].node.to_string(),
                            });
                        }
                        _ => {}
                    }
                }
                None => {
                    state[node] = 2;
                    let d = 1 + refs(&shapes[node])
                        .iter()
                        .map(|&r| depth[r as usize])
                        .max()
                        .unwrap_or(0);
                    if d > MAX_NESTING {
                        return Err(shape_error(
                            &shapes[node].node,
                            format!("shapes are nested more than {MAX_NESTING} levels deep"),
                        ));
                    }
                    depth[node] = d;
                    stack.pop();
                }
            }
        }
    }
    Ok(())
}

fn refs(shape: &Shape) -> Vec<ShapeId> {
    shape
        .constraints
        .iter()
        .flat_map(Constraint::shape_refs)
        .collect()
}

impl<'g> Compiler<'g> {
    /// Compiles the shape at `node` (once) and returns its id.
    fn shape(&mut self, node: TermRef<'_>) -> Result<ShapeId, ShapesError> {
        if let Some(&id) = self.ids.get(&node.into_owned()) {
            return Ok(id);
        }
        let Some(subject) = as_subject(node) else {
            return Err(shape_error(node, "a literal cannot be a shape"));
        };
        let id = ShapeId::try_from(self.shapes.len())
            .map_err(|_| shape_error(node, "too many shapes"))?;
        if self.depth >= MAX_NESTING {
            return Err(shape_error(
                node,
                format!("shapes are nested more than {MAX_NESTING} levels deep"),
            ));
        }
        self.shapes.push(None);
        self.ids.insert(node.into_owned(), id);
        self.depth += 1;
        let shape = self.parse(subject);
        self.depth -= 1;
        let shape = shape?;
        self.shapes[id as usize] = Some(shape);
        Ok(id)
    }

    fn shape_list(
        &mut self,
        owner: NamedOrBlankNodeRef<'_>,
        list: TermRef<'_>,
    ) -> Result<Vec<ShapeId>, ShapesError> {
        let items = read_list(self.graph, list).map_err(|m| shape_error(owner, m))?;
        items.iter().map(|t| self.shape(t.as_ref())).collect()
    }

    fn parse(&mut self, s: NamedOrBlankNodeRef<'_>) -> Result<Shape, ShapesError> {
        let g = self.graph;
        let err = |m: String| shape_error(s, m);
        let node: Term = s.into_owned().into();

        let mut paths = g.objects_for_subject_predicate(s, sh::PATH);
        let path = match (paths.next(), paths.next()) {
            (None, _) => None,
            (Some(p), None) => {
                let parsed = Path::parse(g, p).map_err(|m| err(format!("invalid sh:path: {m}")))?;
                let compiled = CompiledPath::new(&parsed, &mut self.consts);
                Some((std::sync::Arc::new(parsed), compiled))
            }
            _ => return Err(err("a shape has at most one sh:path".into())),
        };
        let is_property = path.is_some();

        let mut targets = Vec::new();
        for t in g.objects_for_subject_predicate(s, sh::TARGET_NODE) {
            targets.push(Target::Node(self.consts.intern(t.into_owned())));
        }
        for (pred, make) in [
            (sh::TARGET_CLASS, Target::Class as fn(ConstId) -> Target),
            (sh::TARGET_SUBJECTS_OF, Target::SubjectsOf),
            (sh::TARGET_OBJECTS_OF, Target::ObjectsOf),
        ] {
            for t in g.objects_for_subject_predicate(s, pred) {
                if !matches!(t, TermRef::NamedNode(_)) {
                    return Err(err(format!("{pred} expects an IRI, found {t}")));
                }
                targets.push(make(self.consts.intern(t.into_owned())));
            }
        }
        if let NamedOrBlankNodeRef::NamedNode(iri) = s
            && self.is_class(s)
            && self.is_shape_instance(s)
        {
            targets.push(Target::Class(self.consts.intern(iri.into_owned().into())));
        }

        let deactivated = match single_value(g, s, sh::DEACTIVATED).map_err(&err)? {
            Some(v) => bool_param(v, sh::DEACTIVATED).map_err(&err)?,
            None => false,
        };
        let severity = match single_value(g, s, sh::SEVERITY).map_err(&err)? {
            None => Severity::Violation,
            Some(TermRef::NamedNode(n)) if n == sh::VIOLATION => Severity::Violation,
            Some(TermRef::NamedNode(n)) if n == sh::WARNING => Severity::Warning,
            Some(TermRef::NamedNode(n)) if n == sh::INFO => Severity::Info,
            Some(TermRef::NamedNode(n)) => Severity::Other(n.into_owned()),
            Some(v) => return Err(err(format!("sh:severity expects an IRI, found {v}"))),
        };
        let message = choose_message(g.objects_for_subject_predicate(s, sh::MESSAGE));

        let mut constraints = Vec::new();
        // Sorted for deterministic constraint order.
        let mut triples: Vec<_> = g
            .triples_for_subject(s)
            .map(|t| {
                // Blank nodes sort by their path (their labels are random).
                let key = match t.object.into_owned() {
                    Term::BlankNode(b) => g
                        .object_for_subject_predicate(&b, sh::PATH)
                        .map_or_else(String::new, |p| p.to_string()),
                    o => o.to_string(),
                };
                (t, key)
            })
            .collect();
        triples.sort_by(|(a, ka), (b, kb)| {
            (a.predicate.as_str(), ka).cmp(&(b.predicate.as_str(), kb))
        });
        for (t, _) in triples {
            let p = t.predicate;
            let o = t.object;
            if let Some(component) = self.foreign_params.get(&p) {
                return Err(ShapesError::UnsupportedComponent {
                    shape: s.to_string(),
                    component: component.to_string(),
                });
            }
            if p == sh::BIA_LUHN {
                if bool_param(o, p).map_err(&err)? {
                    constraints.push(Constraint::Luhn);
                }
                continue;
            }
            let Some(param) = PARAMS
                .iter()
                .find(|(iri, _)| *iri == p)
                .map(|(_, param)| *param)
            else {
                continue;
            };
            let property_only = |name: NamedNodeRef<'_>| -> Result<(), ShapesError> {
                if is_property {
                    Ok(())
                } else {
                    Err(shape_error(
                        s,
                        format!("{name} applies only to property shapes (with sh:path)"),
                    ))
                }
            };
            let c = match param {
                Param::Class => {
                    Constraint::Class(self.consts.intern(iri_or_blank(o, p).map_err(&err)?))
                }
                Param::Datatype => Constraint::Datatype(iri(o, p).map_err(&err)?),
                Param::NodeKind => {
                    let kind = iri(o, p).map_err(&err)?;
                    let mask = match kind.as_ref() {
                        k if k == sh::IRI => KIND_IRI,
                        k if k == sh::BLANK_NODE => KIND_BLANK,
                        k if k == sh::LITERAL => KIND_LITERAL,
                        k if k == sh::BLANK_NODE_OR_IRI => KIND_BLANK | KIND_IRI,
                        k if k == sh::BLANK_NODE_OR_LITERAL => KIND_BLANK | KIND_LITERAL,
                        k if k == sh::IRI_OR_LITERAL => KIND_IRI | KIND_LITERAL,
                        _ => return Err(err(format!("unknown sh:nodeKind {kind}"))),
                    };
                    Constraint::NodeKind(mask, kind)
                }
                Param::MinCount => {
                    property_only(p)?;
                    Constraint::MinCount(count(o, p).map_err(&err)?)
                }
                Param::MaxCount => {
                    property_only(p)?;
                    Constraint::MaxCount(count(o, p).map_err(&err)?)
                }
                Param::MinLength => Constraint::MinLength(count(o, p).map_err(&err)?),
                Param::MaxLength => Constraint::MaxLength(count(o, p).map_err(&err)?),
                Param::Range(bound) => {
                    let TermRef::Literal(lit) = o else {
                        return Err(err(format!("{p} expects a literal, found {o}")));
                    };
                    if super::literal::value_of(lit).is_none() {
                        return Err(err(format!("{p} value {o} has no order")));
                    }
                    Constraint::Range(bound, lit.into_owned())
                }
                Param::Pattern => {
                    let pattern = string(o, p).map_err(&err)?;
                    let flags = match single_value(g, s, sh::FLAGS).map_err(&err)? {
                        Some(f) => string(f, sh::FLAGS).map_err(&err)?,
                        None => String::new(),
                    };
                    let regex = compile_regex(&pattern, &flags).map_err(&err)?;
                    Constraint::Pattern(regex, pattern)
                }
                Param::LanguageIn => {
                    let items = read_list(g, o).map_err(&err)?;
                    let tags = items
                        .iter()
                        .map(|t| string(t.as_ref(), p))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(&err)?;
                    Constraint::LanguageIn(tags)
                }
                Param::UniqueLang => {
                    property_only(p)?;
                    if !bool_param(o, p).map_err(&err)? {
                        continue;
                    }
                    Constraint::UniqueLang
                }
                Param::Pair(pair) => {
                    if matches!(pair, Pair::LessThan | Pair::LessThanOrEquals) {
                        property_only(p)?;
                    }
                    Constraint::Pair(pair, self.consts.intern(iri(o, p).map_err(&err)?.into()))
                }
                Param::Not => Constraint::Not(self.shape(o)?),
                Param::Node => Constraint::Node(self.shape(o)?),
                Param::Property => {
                    let has_path = as_subject(o).is_some_and(|os| {
                        g.objects_for_subject_predicate(os, sh::PATH)
                            .next()
                            .is_some()
                    });
                    if !has_path {
                        return Err(err(format!("sh:property value {o} has no sh:path")));
                    }
                    Constraint::Property(self.shape(o)?)
                }
                Param::And => Constraint::Logic(Logic::And, self.shape_list(s, o)?),
                Param::Or => Constraint::Logic(Logic::Or, self.shape_list(s, o)?),
                Param::Xone => Constraint::Logic(Logic::Xone, self.shape_list(s, o)?),
                Param::QualifiedValueShape => {
                    property_only(p)?;
                    self.qualified(s, o)?
                }
                Param::Closed => {
                    if !bool_param(o, p).map_err(&err)? {
                        continue;
                    }
                    let mut allowed = Vec::new();
                    for ps in g.objects_for_subject_predicate(s, sh::PROPERTY) {
                        let Some(ps) = as_subject(ps) else { continue };
                        for path in g.objects_for_subject_predicate(ps, sh::PATH) {
                            if let TermRef::NamedNode(pred) = path {
                                allowed.push(self.consts.intern(pred.into_owned().into()));
                            }
                        }
                    }
                    if let Some(ignored) =
                        single_value(g, s, sh::IGNORED_PROPERTIES).map_err(&err)?
                    {
                        for t in read_list(g, ignored).map_err(&err)? {
                            allowed.push(self.consts.intern(t));
                        }
                    }
                    self.sets.push(allowed);
                    Constraint::Closed(self.sets.len() - 1)
                }
                Param::HasValue => Constraint::HasValue(self.consts.intern(o.into_owned())),
                Param::In => {
                    let items = read_list(g, o).map_err(&err)?;
                    let set = items.into_iter().map(|t| self.consts.intern(t)).collect();
                    self.sets.push(set);
                    Constraint::In(self.sets.len() - 1)
                }
            };
            constraints.push(c);
        }
        Ok(Shape {
            node,
            path,
            targets,
            deactivated,
            severity,
            message,
            constraints,
        })
    }

    fn qualified(
        &mut self,
        s: NamedOrBlankNodeRef<'_>,
        value_shape: TermRef<'_>,
    ) -> Result<Constraint, ShapesError> {
        let g = self.graph;
        let err = |m: String| shape_error(s, m);
        let shape = self.shape(value_shape)?;
        let min = single_value(g, s, sh::QUALIFIED_MIN_COUNT)
            .map_err(&err)?
            .map(|v| count(v, sh::QUALIFIED_MIN_COUNT))
            .transpose()
            .map_err(&err)?;
        let max = single_value(g, s, sh::QUALIFIED_MAX_COUNT)
            .map_err(&err)?
            .map(|v| count(v, sh::QUALIFIED_MAX_COUNT))
            .transpose()
            .map_err(&err)?;
        let disjoint =
            match single_value(g, s, sh::QUALIFIED_VALUE_SHAPES_DISJOINT).map_err(&err)? {
                Some(v) => bool_param(v, sh::QUALIFIED_VALUE_SHAPES_DISJOINT).map_err(&err)?,
                None => false,
            };
        let mut siblings = Vec::new();
        if disjoint {
            let parents: Vec<_> = g.subjects_for_predicate_object(sh::PROPERTY, s).collect();
            for parent in parents {
                let props: Vec<_> = g
                    .objects_for_subject_predicate(parent, sh::PROPERTY)
                    .collect();
                for prop in props {
                    let Some(prop) = as_subject(prop) else {
                        continue;
                    };
                    let qs: Vec<_> = g
                        .objects_for_subject_predicate(prop, sh::QUALIFIED_VALUE_SHAPE)
                        .collect();
                    for q in qs {
                        if q != value_shape {
                            let id = self.shape(q)?;
                            if !siblings.contains(&id) {
                                siblings.push(id);
                            }
                        }
                    }
                }
            }
        }
        Ok(Constraint::Qualified {
            shape,
            min,
            max,
            siblings,
        })
    }

    fn types(&self, s: NamedOrBlankNodeRef<'_>) -> Vec<NamedOrBlankNodeRef<'g>> {
        // rdf:type values plus their superclasses in the shapes graph.
        let g = self.graph;
        let mut all: Vec<NamedOrBlankNodeRef<'g>> = g
            .objects_for_subject_predicate(s, rdf::TYPE)
            .filter_map(as_subject)
            .collect();
        let mut i = 0;
        while i < all.len() {
            for sup in g
                .objects_for_subject_predicate(all[i], rdfs::SUB_CLASS_OF)
                .filter_map(as_subject)
            {
                if !all.contains(&sup) {
                    all.push(sup);
                }
            }
            i += 1;
        }
        all
    }

    fn is_class(&self, s: NamedOrBlankNodeRef<'_>) -> bool {
        self.types(s).contains(&rdfs::CLASS.into())
    }

    fn is_shape_instance(&self, s: NamedOrBlankNodeRef<'_>) -> bool {
        let types = self.types(s);
        types.contains(&sh::NODE_SHAPE.into()) || types.contains(&sh::PROPERTY_SHAPE.into())
    }
}

fn single_value<'a>(
    g: &'a Graph,
    s: NamedOrBlankNodeRef<'_>,
    p: NamedNodeRef<'_>,
) -> Result<Option<TermRef<'a>>, String> {
    let mut it = g.objects_for_subject_predicate(s, p);
    let first = it.next();
    if it.next().is_some() {
        return Err(format!("{p} has more than one value"));
    }
    Ok(first)
}

fn iri(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<NamedNode, String> {
    match o {
        TermRef::NamedNode(n) => Ok(n.into_owned()),
        _ => Err(format!("{p} expects an IRI, found {o}")),
    }
}

fn iri_or_blank(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<Term, String> {
    match o {
        TermRef::NamedNode(_) | TermRef::BlankNode(_) => Ok(o.into_owned()),
        _ => Err(format!("{p} expects an IRI, found {o}")),
    }
}

fn string(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<String, String> {
    match o {
        TermRef::Literal(l) if l.datatype() == xsd::STRING => Ok(l.value().to_owned()),
        _ => Err(format!("{p} expects a string, found {o}")),
    }
}

fn count(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<usize, String> {
    match o {
        TermRef::Literal(l)
            if l.datatype() == xsd::INTEGER || l.datatype() == xsd::NON_NEGATIVE_INTEGER =>
        {
            l.value()
                .parse()
                .map_err(|_| format!("{p} expects a non-negative integer, found {o}"))
        }
        _ => Err(format!("{p} expects an xsd:integer, found {o}")),
    }
}

/// `true` only for `"true"^^xsd:boolean`; other booleans (even `"1"`) leave
/// the parameter inactive; non-booleans are errors.
fn bool_param(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<bool, String> {
    match o {
        TermRef::Literal(l) if l.datatype() == xsd::BOOLEAN => Ok(l.value() == "true"),
        _ => Err(format!("{p} expects a boolean, found {o}")),
    }
}

/// Picks the message to report: French first, then untagged, then English.
fn choose_message<'a>(values: impl Iterator<Item = TermRef<'a>>) -> Option<Literal> {
    let mut best: Option<(u8, Literal)> = None;
    for v in values {
        let TermRef::Literal(l) = v else { continue };
        let rank = match l.language() {
            Some(lang)
                if lang.eq_ignore_ascii_case("fr")
                    || lang.to_ascii_lowercase().starts_with("fr-") =>
            {
                0
            }
            None => 1,
            Some(lang)
                if lang.eq_ignore_ascii_case("en")
                    || lang.to_ascii_lowercase().starts_with("en-") =>
            {
                2
            }
            Some(_) => 3,
        };
        if best
            .as_ref()
            .is_none_or(|(r, b)| rank < *r || (rank == *r && l.value() < b.value()))
        {
            best = Some((rank, l.into_owned()));
        }
    }
    best.map(|(_, l)| l)
}

/// Compiles an XPath-style pattern with its flags (`s`, `m`, `i`, `x`, `q`).
fn compile_regex(pattern: &str, flags: &str) -> Result<Regex, String> {
    let mut prefix = String::new();
    let mut literal = false;
    for f in flags.chars() {
        match f {
            'i' | 's' | 'm' | 'x' => prefix.push(f),
            'q' => literal = true,
            _ => return Err(format!("unsupported sh:flags character {f:?}")),
        }
    }
    let body = if literal {
        regex::escape(pattern)
    } else {
        pattern.to_owned()
    };
    let full = if prefix.is_empty() {
        body
    } else {
        format!("(?{prefix}){body}")
    };
    Regex::new(&full).map_err(|e| format!("invalid sh:pattern {pattern:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxttl::TurtleParser;

    fn compile_ttl(ttl: &str) -> Result<Shapes, ShapesError> {
        let mut g = Graph::new();
        let prefixes = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n";
        for t in TurtleParser::new().for_slice(&format!("{prefixes}{ttl}")) {
            g.insert(&t.expect("valid turtle"));
        }
        compile(&g)
    }

    #[test]
    fn message_prefers_french() {
        let s =
            compile_ttl(r#"ex:S a sh:NodeShape ; sh:message "hello"@en, "bonjour"@fr, "plain" ."#)
                .expect("compiles");
        assert_eq!(
            s.shapes[0].message.as_ref().map(Literal::value),
            Some("bonjour")
        );
    }

    #[test]
    fn rejects_malformed_shapes() {
        for bad in [
            r#"ex:S a sh:NodeShape ; sh:property [ sh:path "p" ] ."#,
            r#"ex:S a sh:NodeShape ; sh:nodeKind ex:Nope ."#,
            r#"ex:S a sh:PropertyShape ; sh:path ex:p ; sh:minCount "many" ."#,
            r#"ex:S a sh:NodeShape ; sh:in ex:notAList ."#,
            r#"ex:S a sh:NodeShape ; sh:pattern "(" ."#,
            r#"ex:S a sh:NodeShape ; sh:node ex:T . ex:T sh:not ex:S ."#,
            r#"ex:S a sh:NodeShape ; sh:property ex:P . ex:P sh:path ex:p ; sh:node ex:S ."#,
            r#"ex:S a sh:NodeShape ; sh:sparql [ sh:select "SELECT $this WHERE {}" ] ."#,
            r#"ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:foo ] . ex:S a sh:NodeShape ; ex:foo 1 ."#,
        ] {
            assert!(compile_ttl(bad).is_err(), "should reject: {bad}");
        }
    }

    #[test]
    fn accepts_declared_luhn_component() {
        let s = compile_ttl(
            r#"<https://w3id.org/bibia/def#LuhnConstraintComponent> a sh:ConstraintComponent ;
                 sh:parameter [ sh:path <https://w3id.org/bibia/def#luhn> ] .
               ex:S a sh:PropertyShape ; sh:path ex:siren ; <https://w3id.org/bibia/def#luhn> true ."#,
        )
        .expect("compiles");
        assert!(matches!(s.shapes[0].constraints[..], [Constraint::Luhn]));
    }
}
