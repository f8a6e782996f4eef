//! SHACL property paths: parsing from the shapes graph, evaluation over the
//! data graph, and their RDF and SPARQL renderings for reports.

use std::collections::HashSet;
use std::fmt;

use oxrdf::vocab::rdf;
use oxrdf::{BlankNode, Graph, NamedNode, Term, TermRef, Triple};

use super::compile::{ConstId, Consts, read_list};
use super::data::{DataGraph, TermId};
use crate::vocab::sh;

/// A SHACL property path, as given in a shape and reported in results.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Path {
    /// A predicate IRI.
    Predicate(NamedNode),
    /// `sh:inversePath`.
    Inverse(Box<Path>),
    /// An RDF list of paths.
    Sequence(Vec<Path>),
    /// `sh:alternativePath`.
    Alternative(Vec<Path>),
    /// `sh:zeroOrMorePath`.
    ZeroOrMore(Box<Path>),
    /// `sh:oneOrMorePath`.
    OneOrMore(Box<Path>),
    /// `sh:zeroOrOnePath`.
    ZeroOrOne(Box<Path>),
}

/// Deepest path nesting accepted (guards against pathological shapes).
const MAX_DEPTH: usize = 64;

/// Most steps a path may have once unfolded: its RDF form may share
/// sub-paths (`( _:b _:b )`), so that a few nodes stand for a tree of
/// 2^depth steps.
const MAX_STEPS: usize = 4096;

/// Where the reading of a path is: the blank nodes being read (a cycle
/// check) and how many steps were read.
#[derive(Default)]
struct Walk {
    stack: Vec<Term>,
    steps: usize,
}

impl Path {
    /// Reads the path whose RDF form starts at `node` in `graph`.
    pub(crate) fn parse(graph: &Graph, node: TermRef<'_>) -> Result<Self, String> {
        parse(graph, node, &mut Walk::default())
    }

    /// Writes the RDF form of the path into `graph` and returns its node
    /// (the IRI itself for a predicate path, a fresh blank node otherwise).
    pub(crate) fn to_rdf(&self, graph: &mut Graph) -> Term {
        match self {
            Self::Predicate(p) => p.clone().into(),
            Self::Sequence(steps) => list_to_rdf(steps, graph),
            Self::Alternative(alts) => {
                let list = list_to_rdf(alts, graph);
                wrap(graph, sh::ALTERNATIVE_PATH.into_owned(), list)
            }
            Self::Inverse(p) => {
                let inner = p.to_rdf(graph);
                wrap(graph, sh::INVERSE_PATH.into_owned(), inner)
            }
            Self::ZeroOrMore(p) => {
                let inner = p.to_rdf(graph);
                wrap(graph, sh::ZERO_OR_MORE_PATH.into_owned(), inner)
            }
            Self::OneOrMore(p) => {
                let inner = p.to_rdf(graph);
                wrap(graph, sh::ONE_OR_MORE_PATH.into_owned(), inner)
            }
            Self::ZeroOrOne(p) => {
                let inner = p.to_rdf(graph);
                wrap(graph, sh::ZERO_OR_ONE_PATH.into_owned(), inner)
            }
        }
    }

    /// Renders the path in SPARQL syntax, naming IRIs with `name`.
    pub(crate) fn write_with(
        &self,
        f: &mut dyn fmt::Write,
        name: &dyn Fn(&NamedNode) -> String,
    ) -> fmt::Result {
        let group = |p: &Path, f: &mut dyn fmt::Write| -> fmt::Result {
            if matches!(p, Path::Sequence(_) | Path::Alternative(_)) {
                f.write_char('(')?;
                p.write_with(f, name)?;
                f.write_char(')')
            } else {
                p.write_with(f, name)
            }
        };
        match self {
            Self::Predicate(p) => f.write_str(&name(p)),
            Self::Inverse(p) => {
                f.write_char('^')?;
                group(p, f)
            }
            Self::Sequence(steps) | Self::Alternative(steps) => {
                let sep = if matches!(self, Self::Sequence(_)) {
                    "/"
                } else {
                    "|"
                };
                for (i, step) in steps.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    group(step, f)?;
                }
                Ok(())
            }
            Self::ZeroOrMore(p) => {
                group(p, f)?;
                f.write_char('*')
            }
            Self::OneOrMore(p) => {
                group(p, f)?;
                f.write_char('+')
            }
            Self::ZeroOrOne(p) => {
                group(p, f)?;
                f.write_char('?')
            }
        }
    }
}

impl fmt::Display for Path {
    /// SPARQL property-path syntax with full IRIs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_with(f, &|p| p.to_string())
    }
}

fn wrap(graph: &mut Graph, predicate: NamedNode, object: Term) -> Term {
    let node = BlankNode::default();
    graph.insert(&Triple::new(node.clone(), predicate, object));
    node.into()
}

fn list_to_rdf(items: &[Path], graph: &mut Graph) -> Term {
    let mut tail: Term = rdf::NIL.into_owned().into();
    for item in items.iter().rev() {
        let value = item.to_rdf(graph);
        let cell = BlankNode::default();
        graph.insert(&Triple::new(cell.clone(), rdf::FIRST.into_owned(), value));
        graph.insert(&Triple::new(cell.clone(), rdf::REST.into_owned(), tail));
        tail = cell.into();
    }
    tail
}

fn parse(graph: &Graph, node: TermRef<'_>, walk: &mut Walk) -> Result<Path, String> {
    walk.steps += 1;
    if walk.steps > MAX_STEPS {
        return Err(format!(
            "path {node} is too large (more than {MAX_STEPS} steps once its shared parts are unfolded)"
        ));
    }
    let subject = match node {
        TermRef::NamedNode(n) => return Ok(Path::Predicate(n.into_owned())),
        TermRef::BlankNode(b) => b,
        _ => return Err(format!("{node} is not a path (a literal cannot be a path)")),
    };
    if walk.stack.len() >= MAX_DEPTH || walk.stack.iter().any(|t| t.as_ref() == node) {
        return Err(format!("path {node} refers to itself"));
    }
    walk.stack.push(node.into_owned());
    let result = parse_blank(graph, subject.into(), walk);
    walk.stack.pop();
    result
}

fn parse_blank(
    graph: &Graph,
    subject: oxrdf::NamedOrBlankNodeRef<'_>,
    walk: &mut Walk,
) -> Result<Path, String> {
    if graph
        .object_for_subject_predicate(subject, rdf::FIRST)
        .is_some()
    {
        let items = read_list(graph, subject.into())?;
        if items.is_empty() {
            return Err(format!("sequence path {subject} is empty"));
        }
        let mut steps = items
            .iter()
            .map(|t| parse(graph, t.as_ref(), walk))
            .collect::<Result<Vec<_>, _>>()?;
        if steps.len() == 1
            && let Some(only) = steps.pop()
        {
            return Ok(only);
        }
        return Ok(Path::Sequence(steps));
    }
    let kinds = [
        sh::INVERSE_PATH,
        sh::ALTERNATIVE_PATH,
        sh::ZERO_OR_MORE_PATH,
        sh::ONE_OR_MORE_PATH,
        sh::ZERO_OR_ONE_PATH,
    ];
    let mut found = None;
    for kind in kinds {
        let mut values = graph.objects_for_subject_predicate(subject, kind);
        if let Some(value) = values.next() {
            if values.next().is_some() || found.is_some() {
                return Err(format!("path {subject} has more than one path operator"));
            }
            found = Some((kind, value));
        }
    }
    let Some((kind, value)) = found else {
        return Err(format!("blank node {subject} is not a well-formed path"));
    };
    if kind == sh::ALTERNATIVE_PATH {
        let items = read_list(graph, value)?;
        if items.is_empty() {
            return Err(format!("alternative path {subject} is empty"));
        }
        let alts = items
            .iter()
            .map(|t| parse(graph, t.as_ref(), walk))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Path::Alternative(alts));
    }
    let inner = Box::new(parse(graph, value, walk)?);
    Ok(if kind == sh::INVERSE_PATH {
        Path::Inverse(inner)
    } else if kind == sh::ZERO_OR_MORE_PATH {
        Path::ZeroOrMore(inner)
    } else if kind == sh::ONE_OR_MORE_PATH {
        Path::OneOrMore(inner)
    } else {
        Path::ZeroOrOne(inner)
    })
}

/// A path with its predicates interned as shape constants, ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) enum CompiledPath {
    /// `p`.
    Predicate(ConstId),
    /// `^p` with `p` a predicate.
    InversePredicate(ConstId),
    /// Anything else.
    Complex(Node),
}

/// Node of a complex compiled path.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Predicate(ConstId),
    Inverse(Box<Node>),
    Sequence(Vec<Node>),
    Alternative(Vec<Node>),
    ZeroOrMore(Box<Node>),
    OneOrMore(Box<Node>),
    ZeroOrOne(Box<Node>),
}

impl CompiledPath {
    /// Interns the predicates of `path`.
    pub(crate) fn new(path: &Path, consts: &mut Consts) -> Self {
        match path {
            Path::Predicate(p) => Self::Predicate(consts.intern(p.clone().into())),
            Path::Inverse(inner) => match &**inner {
                Path::Predicate(p) => Self::InversePredicate(consts.intern(p.clone().into())),
                _ => Self::Complex(node(path, consts)),
            },
            _ => Self::Complex(node(path, consts)),
        }
    }
}

fn node(path: &Path, consts: &mut Consts) -> Node {
    let boxed = |p: &Path, consts: &mut Consts| Box::new(node(p, consts));
    match path {
        Path::Predicate(p) => Node::Predicate(consts.intern(p.clone().into())),
        Path::Inverse(p) => Node::Inverse(boxed(p, consts)),
        Path::Sequence(ps) => Node::Sequence(ps.iter().map(|p| node(p, consts)).collect()),
        Path::Alternative(ps) => Node::Alternative(ps.iter().map(|p| node(p, consts)).collect()),
        Path::ZeroOrMore(p) => Node::ZeroOrMore(boxed(p, consts)),
        Path::OneOrMore(p) => Node::OneOrMore(boxed(p, consts)),
        Path::ZeroOrOne(p) => Node::ZeroOrOne(boxed(p, consts)),
    }
}

/// Evaluates a complex path from `start`, appending the reached nodes
/// (sorted, distinct) to `out`.
pub(crate) fn eval_complex(
    data: &DataGraph,
    ids: &[TermId],
    path: &Node,
    start: TermId,
    out: &mut Vec<TermId>,
) {
    let from = out.len();
    eval(data, ids, path, start, false, out);
    out[from..].sort_unstable();
    let mut tail = out.split_off(from);
    tail.dedup();
    out.extend(tail);
}

fn step(data: &DataGraph, p: TermId, node: TermId, inverse: bool) -> &[TermId] {
    if inverse {
        data.subjects(p, node)
    } else {
        data.objects(node, p)
    }
}

fn eval(
    data: &DataGraph,
    ids: &[TermId],
    path: &Node,
    node: TermId,
    inverse: bool,
    out: &mut Vec<TermId>,
) {
    match path {
        Node::Predicate(c) => out.extend_from_slice(step(data, ids[*c as usize], node, inverse)),
        Node::Inverse(p) => eval(data, ids, p, node, !inverse, out),
        Node::Alternative(ps) => {
            for p in ps {
                eval(data, ids, p, node, inverse, out);
            }
        }
        Node::Sequence(ps) => {
            let mut frontier = vec![node];
            let mut next = Vec::new();
            let ordered: Box<dyn Iterator<Item = &Node>> = if inverse {
                Box::new(ps.iter().rev())
            } else {
                Box::new(ps.iter())
            };
            for p in ordered {
                next.clear();
                for &n in &frontier {
                    eval(data, ids, p, n, inverse, &mut next);
                }
                next.sort_unstable();
                next.dedup();
                std::mem::swap(&mut frontier, &mut next);
                if frontier.is_empty() {
                    break;
                }
            }
            out.extend(frontier);
        }
        Node::ZeroOrOne(p) => {
            out.push(node);
            eval(data, ids, p, node, inverse, out);
        }
        Node::ZeroOrMore(p) | Node::OneOrMore(p) => {
            let reflexive = matches!(path, Node::ZeroOrMore(_));
            let mut seen: HashSet<TermId> = HashSet::new();
            let mut queue = Vec::new();
            let mut buf = Vec::new();
            if reflexive {
                seen.insert(node);
                out.push(node);
            }
            queue.push(node);
            while let Some(n) = queue.pop() {
                buf.clear();
                eval(data, ids, p, n, inverse, &mut buf);
                for &m in &buf {
                    if seen.insert(m) {
                        out.push(m);
                        queue.push(m);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxttl::TurtleParser;

    fn graph(ttl: &str) -> Graph {
        let mut g = Graph::new();
        for t in TurtleParser::new().for_slice(ttl) {
            g.insert(&t.expect("valid turtle"));
        }
        g
    }

    fn path_of(g: &Graph, shape: &str) -> Result<Path, String> {
        let s = NamedNode::new_unchecked(shape);
        let node = g
            .object_for_subject_predicate(&s, sh::PATH)
            .expect("shape has a path");
        Path::parse(g, node)
    }

    #[test]
    fn parses_and_prints_complex_path() {
        let g = graph(
            r#"@prefix sh: <http://www.w3.org/ns/shacl#> .
            <http://ex/s> sh:path ( <http://ex/p> [ sh:inversePath <http://ex/q> ] [ sh:zeroOrMorePath [ sh:alternativePath ( <http://ex/a> <http://ex/b> ) ] ] ) ."#,
        );
        let p = path_of(&g, "http://ex/s").expect("well-formed");
        assert_eq!(
            p.to_string(),
            "<http://ex/p>/^<http://ex/q>/(<http://ex/a>|<http://ex/b>)*"
        );
        let mut out = Graph::new();
        let node = p.to_rdf(&mut out);
        assert_eq!(Path::parse(&out, node.as_ref()), Ok(p));
    }

    #[test]
    fn rejects_literal_and_self_reference() {
        let g = graph(
            r#"@prefix sh: <http://www.w3.org/ns/shacl#> .
            <http://ex/a> sh:path "p" .
            <http://ex/b> sh:path _:x . _:x sh:zeroOrMorePath _:x ."#,
        );
        assert!(path_of(&g, "http://ex/a").is_err());
        assert!(path_of(&g, "http://ex/b").is_err());
    }
}
