//! Shapes graph → compiled shapes: every shape, target, path and parameter is
//! read and checked once; constants are interned so that validation resolves
//! them to data-graph ids with one lookup each.
//!
//! [`ir`] is the compiled form the validator reads; [`params`] reads the
//! value of each parameter (lists, IRIs, counts, messages, regexes); this
//! file walks the shapes graph.

use std::collections::HashMap;

use oxrdf::vocab::{rdf, rdfs};
use oxrdf::{Graph, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef};

use super::path::{CompiledPath, Path};
use super::{Severity, Shapes, ShapesError};
use crate::vocab::sh;

mod ir;
mod params;

pub(crate) use ir::*;
pub(crate) use params::read_list;
use params::*;

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
                        // A value the shapes graph says nothing else about
                        // constrains nothing: DCAT-AP 3.0.1's ranges.ttl
                        // names a few property shapes it never defines.
                        let undefined = as_subject(o)
                            .is_none_or(|os| g.triples_for_subject(os).next().is_none());
                        if undefined {
                            continue;
                        }
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
            s.shapes[0].message.as_ref().map(oxrdf::Literal::value),
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

    /// Found by fuzzing (`shapes_compile`; the input is
    /// `fuzz/regressions/shapes_compile/blank-sh-message`): a shape whose
    /// only literal `sh:message` was `""` gave results with an empty
    /// message, which tells a contributor nothing.
    #[test]
    fn a_blank_sh_message_gives_the_generated_french_message() {
        let shapes = compile_ttl(
            r#"ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:hasValue ex:y ;
                 sh:message "", " "@fr, ex:notALiteral ."#,
        )
        .expect("compiles");
        let report = shapes.validate(&crate::shacl::DataGraph::from_triples([]));
        let [result] = report.results() else {
            panic!("one result: {report:?}")
        };
        assert!(!result.message().value().trim().is_empty(), "{result:?}");
        assert_eq!(result.message().language(), Some("fr"));
        // A message with words is still the one reported.
        let shapes = compile_ttl(
            r#"ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:hasValue ex:y ;
                 sh:message "", "Valeur attendue : y"@fr ."#,
        )
        .expect("compiles");
        let report = shapes.validate(&crate::shacl::DataGraph::from_triples([]));
        assert_eq!(report.results()[0].message().value(), "Valeur attendue : y");
    }

    /// Found while writing the property below (whose graphs of 8 blank
    /// nodes are too small to show it): a path whose steps share a sub-path
    /// (`( _:b1 _:b1 )`, `_:b1` the same again, and so on) is a DAG of a
    /// few nodes but a tree of 2^depth ones, which compiling unfolded
    /// without end (40 nodes: 2^40 steps).
    #[test]
    fn a_path_that_shares_its_sub_paths_is_refused_not_unfolded() {
        let mut ttl = String::from("ex:S a sh:PropertyShape ; sh:path _:b0 .\n");
        for i in 0..40 {
            let next = i + 1;
            ttl += &format!("_:b{i} sh:alternativePath ( _:b{next} _:b{next} ) .\n");
        }
        ttl += "_:b40 sh:inversePath ex:p .\n";
        let e = compile_ttl(&ttl).expect_err("too large a path");
        assert!(e.to_string().contains("too large"), "{e}");
        // A path as deep but without sharing stays fine.
        let mut ttl = String::from("ex:S a sh:PropertyShape ; sh:path _:b0 .\n");
        for i in 0..40 {
            let next = i + 1;
            ttl += &format!("_:b{i} sh:alternativePath ( _:b{next} ex:q{i} ) .\n");
        }
        ttl += "_:b40 sh:inversePath ex:p .\n";
        compile_ttl(&ttl).expect("compiles");
    }

    #[test]
    fn shapes_nested_to_the_limit_compile_and_beyond_it_are_refused() {
        let chain = |n: usize| {
            let mut ttl = String::from("ex:S0 a sh:NodeShape .\n");
            for i in 0..n {
                ttl += &format!("ex:S{i} sh:node ex:S{} .\n", i + 1);
            }
            ttl
        };
        compile_ttl(&chain(MAX_NESTING - 1)).expect("compiles");
        let e = compile_ttl(&chain(MAX_NESTING * 2)).expect_err("too deep");
        assert!(e.to_string().contains("nested"), "{e}");
    }

    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    /// Turtle tokens of shapes, well and badly formed.
    const TURTLE: &[&str] = &[
        "ex:S",
        "ex:T",
        "ex:p",
        "_:b",
        "_:c",
        "[",
        "]",
        "(",
        ")",
        ";",
        ",",
        ".",
        "a",
        "sh:NodeShape",
        "sh:PropertyShape",
        "sh:property",
        "sh:path",
        "sh:node",
        "sh:and",
        "sh:or",
        "sh:xone",
        "sh:not",
        "sh:minCount",
        "sh:maxCount",
        "sh:pattern",
        "sh:flags",
        "sh:in",
        "sh:inversePath",
        "sh:alternativePath",
        "sh:zeroOrMorePath",
        "sh:qualifiedValueShape",
        "sh:qualifiedMinCount",
        "sh:closed",
        "sh:targetClass",
        "sh:targetNode",
        "rdf:first",
        "rdf:rest",
        "rdf:nil",
        "-1",
        "0",
        "99999999999999999999999",
        "true",
        "\"(\"",
        "\"[a-\"",
        "\"^a$\"",
        "\"iq\"",
        "\"x\"@fr",
        "\"1\"^^xsd:integer",
    ];

    proptest! {
        #![proptest_config(crate::fuzzing::proptest_config())]

        /// Small graphs of sh: terms, as the fuzz target reads them (three
        /// bytes a triple); most start with a node shape, so that the
        /// compiler walks them.
        #[test]
        fn small_shapes_graphs_compile_or_fail_cleanly_and_validate(
            node_shape in any::<bool>(),
            triples in vec(any::<u8>(), 0..120),
        ) {
            let mut data = vec![1];
            if node_shape {
                data.extend([8, 0, 130]);
            }
            data.extend(triples);
            crate::fuzzing::shapes_compile(&data);
        }

        #[test]
        fn turtle_shapes_compile_or_fail_cleanly_and_validate(
            tokens in vec(select(TURTLE), 0..30),
        ) {
            let mut data = vec![0];
            data.extend(tokens.join(" ").into_bytes());
            crate::fuzzing::shapes_compile(&data);
        }
    }
}
