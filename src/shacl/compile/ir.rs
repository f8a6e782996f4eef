//! The compiled form of shapes that the validator reads: interned
//! constants, shapes, targets and one variant per constraint component.

use std::collections::HashMap;

use oxrdf::{Literal, NamedNode, Term};
use regex::Regex;

use super::super::Severity;
use super::super::path::{CompiledPath, Path};

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
