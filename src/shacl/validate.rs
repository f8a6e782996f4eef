//! The validation engine: binds compiled shapes to one data graph, finds
//! focus nodes, evaluates value nodes and dispatches every constraint to its
//! family module.

use std::cell::RefCell;
use std::ops::ControlFlow;

use oxrdf::{LiteralRef, NamedNodeRef, Term};

use super::compile::{ConstId, Constraint, Shape, ShapeId, Target};
use super::data::{DataGraph, FxHashMap, TermId};
use super::path::{CompiledPath, eval_complex};
use super::{
    Shapes, cardinality, logical, other, property_pair, range, shape_based, string, value_type,
};

/// Outcome of a check: `Break` stops early (a conformance check failed).
pub(crate) type Flow = ControlFlow<()>;

/// Where a constraint is being checked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At {
    pub(crate) shape: ShapeId,
    pub(crate) constraint: u32,
    pub(crate) focus: TermId,
}

/// A result before its terms are materialised.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Raw {
    pub(crate) at: At,
    pub(crate) component: NamedNodeRef<'static>,
    pub(crate) value: Option<TermId>,
    /// A predicate reported as the path instead of the shape's path
    /// (`sh:closed`).
    pub(crate) predicate: Option<TermId>,
}

/// Where results go.
pub(crate) enum Sink<'r> {
    /// Keep every result.
    Collect(&'r mut Vec<Raw>),
    /// Only find out whether there is one: stop at the first.
    Check,
}

impl Sink<'_> {
    /// Records a result with the shape's path.
    #[inline]
    pub(crate) fn report(
        &mut self,
        at: At,
        component: NamedNodeRef<'static>,
        value: Option<TermId>,
    ) -> Flow {
        self.report_raw(Raw {
            at,
            component,
            value,
            predicate: None,
        })
    }

    /// Records a result.
    #[inline]
    pub(crate) fn report_raw(&mut self, raw: Raw) -> Flow {
        match self {
            Self::Collect(out) => {
                out.push(raw);
                ControlFlow::Continue(())
            }
            Self::Check => ControlFlow::Break(()),
        }
    }
}

/// Shapes bound to one data graph for one validation run.
pub(crate) struct Ctx<'a> {
    pub(crate) shapes: &'a Shapes,
    pub(crate) data: &'a DataGraph,
    /// Constant → term id (ids ≥ `data.term_count()` are in `extra`).
    pub(crate) ids: Vec<TermId>,
    extra: Vec<Term>,
    extra_ids: FxHashMap<Term, TermId>,
    /// Class constant → the class and its subclasses (sorted ids).
    classes: Vec<Vec<TermId>>,
    /// Sets of [`Shapes::sets`] as sorted ids.
    pub(crate) sets: Vec<Vec<TermId>>,
    memo: RefCell<FxHashMap<u64, bool>>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(shapes: &'a Shapes, data: &'a DataGraph) -> Self {
        let mut ctx = Self {
            shapes,
            data,
            ids: Vec::with_capacity(shapes.consts.terms.len()),
            extra: Vec::new(),
            extra_ids: FxHashMap::default(),
            classes: vec![Vec::new(); shapes.consts.terms.len()],
            sets: Vec::with_capacity(shapes.sets.len()),
            memo: RefCell::new(FxHashMap::default()),
        };
        for term in &shapes.consts.terms {
            let id = ctx.resolve(term);
            ctx.ids.push(id);
        }
        for shape in &shapes.shapes {
            let class_consts = shape
                .targets
                .iter()
                .filter_map(|t| match t {
                    Target::Class(c) => Some(*c),
                    _ => None,
                })
                .chain(shape.constraints.iter().filter_map(|c| match c {
                    Constraint::Class(c) => Some(*c),
                    _ => None,
                }));
            for c in class_consts {
                if ctx.classes[c as usize].is_empty() {
                    ctx.classes[c as usize] = data.sub_classes(ctx.ids[c as usize]);
                }
            }
        }
        for set in &shapes.sets {
            let mut ids: Vec<TermId> = set.iter().map(|c| ctx.ids[*c as usize]).collect();
            ids.sort_unstable();
            ids.dedup();
            ctx.sets.push(ids);
        }
        ctx
    }

    /// The id of a term, interning it locally when the data lacks it.
    pub(crate) fn resolve(&mut self, term: &Term) -> TermId {
        if let Some(id) = self.data.id(term) {
            return id;
        }
        if let Some(&id) = self.extra_ids.get(term) {
            return id;
        }
        let id = TermId::try_from(self.data.term_count() + self.extra.len()).unwrap_or(TermId::MAX);
        self.extra.push(term.clone());
        self.extra_ids.insert(term.clone(), id);
        id
    }

    /// The term of an id.
    #[inline]
    pub(crate) fn term(&self, id: TermId) -> &Term {
        match self.data.term(id) {
            Some(t) => t,
            None => &self.extra[id as usize - self.data.term_count()],
        }
    }

    /// The literal of an id, if it is one.
    #[inline]
    pub(crate) fn literal(&self, id: TermId) -> Option<LiteralRef<'_>> {
        match self.term(id) {
            Term::Literal(l) => Some(l.as_ref()),
            _ => None,
        }
    }

    /// The data id of a constant.
    #[inline]
    pub(crate) fn id(&self, c: ConstId) -> TermId {
        self.ids[c as usize]
    }

    /// Whether `node` is a SHACL instance of the class constant `class`.
    pub(crate) fn is_instance(&self, node: TermId, class: ConstId) -> bool {
        let Some(rdf_type) = self.data.rdf_type() else {
            return false;
        };
        let subs = &self.classes[class as usize];
        self.data
            .objects(node, rdf_type)
            .iter()
            .any(|t| subs.binary_search(t).is_ok())
    }

    fn shape(&self, s: ShapeId) -> &'a Shape {
        &self.shapes.shapes[s as usize]
    }

    /// The focus nodes of a shape's targets, sorted and distinct.
    pub(crate) fn targets(&self, s: ShapeId) -> Vec<TermId> {
        let mut out = Vec::new();
        for target in &self.shape(s).targets {
            match *target {
                Target::Node(c) => out.push(self.id(c)),
                Target::Class(c) => {
                    if let Some(rdf_type) = self.data.rdf_type() {
                        for &sub in &self.classes[c as usize] {
                            out.extend_from_slice(self.data.subjects(rdf_type, sub));
                        }
                    }
                }
                Target::SubjectsOf(c) => out.extend(self.data.subjects_of(self.id(c))),
                Target::ObjectsOf(c) => out.extend(self.data.objects_of(self.id(c))),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether `node` is a focus node of the shape's targets.
    pub(crate) fn is_target(&self, s: ShapeId, node: TermId) -> bool {
        self.shape(s).targets.iter().any(|target| match *target {
            Target::Node(c) => self.id(c) == node,
            Target::Class(c) => self.is_instance(node, c),
            Target::SubjectsOf(c) => self.data.has_subject_with(node, self.id(c)),
            Target::ObjectsOf(c) => self.data.has_object_with(node, self.id(c)),
        })
    }

    /// Validates `focus` against shape `s`.
    pub(crate) fn validate_shape(&self, s: ShapeId, focus: TermId, sink: &mut Sink<'_>) -> Flow {
        let shape = self.shape(s);
        if shape.deactivated {
            return ControlFlow::Continue(());
        }
        let single = [focus];
        let mut buf = Vec::new();
        let values: &[TermId] = match &shape.path {
            None => &single,
            Some((_, CompiledPath::Predicate(p))) => self.data.objects(focus, self.id(*p)),
            Some((_, CompiledPath::InversePredicate(p))) => self.data.subjects(self.id(*p), focus),
            Some((_, CompiledPath::Complex(node))) => {
                eval_complex(self.data, &self.ids, node, focus, &mut buf);
                &buf
            }
        };
        for (i, constraint) in shape.constraints.iter().enumerate() {
            let at = At {
                shape: s,
                constraint: u32::try_from(i).unwrap_or(u32::MAX),
                focus,
            };
            self.check(at, constraint, values, sink)?;
        }
        ControlFlow::Continue(())
    }

    /// Whether `node` conforms to shape `s` (memoised).
    pub(crate) fn conforms(&self, s: ShapeId, node: TermId) -> bool {
        let key = (u64::from(s) << 32) | u64::from(node);
        if let Some(&known) = self.memo.borrow().get(&key) {
            return known;
        }
        let ok = self.validate_shape(s, node, &mut Sink::Check).is_continue();
        self.memo.borrow_mut().insert(key, ok);
        ok
    }

    fn check(
        &self,
        at: At,
        constraint: &Constraint,
        values: &[TermId],
        sink: &mut Sink<'_>,
    ) -> Flow {
        match constraint {
            Constraint::Class(c) => value_type::class(self, at, *c, values, sink),
            Constraint::Datatype(dt) => value_type::datatype(self, at, dt.as_ref(), values, sink),
            Constraint::NodeKind(mask, _) => value_type::node_kind(self, at, *mask, values, sink),
            Constraint::MinCount(n) => cardinality::min_count(at, *n, values, sink),
            Constraint::MaxCount(n) => cardinality::max_count(at, *n, values, sink),
            Constraint::Range(bound, lit) => {
                range::check(self, at, *bound, lit.as_ref(), values, sink)
            }
            Constraint::MinLength(n) => string::min_length(self, at, *n, values, sink),
            Constraint::MaxLength(n) => string::max_length(self, at, *n, values, sink),
            Constraint::Pattern(re, _) => string::pattern(self, at, re, values, sink),
            Constraint::LanguageIn(tags) => string::language_in(self, at, tags, values, sink),
            Constraint::UniqueLang => string::unique_lang(self, at, values, sink),
            Constraint::Pair(pair, p) => property_pair::check(self, at, *pair, *p, values, sink),
            Constraint::Not(s) => logical::not(self, at, *s, values, sink),
            Constraint::Logic(logic, list) => {
                logical::combine(self, at, *logic, list, values, sink)
            }
            Constraint::Node(s) => shape_based::node(self, at, *s, values, sink),
            Constraint::Property(s) => shape_based::property(self, *s, values, sink),
            Constraint::Qualified {
                shape,
                min,
                max,
                siblings,
            } => shape_based::qualified(self, at, *shape, *min, *max, siblings, values, sink),
            Constraint::Closed(set) => other::closed(self, at, *set, values, sink),
            Constraint::HasValue(c) => other::has_value(self, at, *c, values, sink),
            Constraint::In(set) => other::in_list(self, at, *set, values, sink),
            Constraint::Luhn => other::luhn(self, at, values, sink),
        }
    }

    /// Validates every target of every shape.
    pub(crate) fn run_all(&self) -> Vec<Raw> {
        let mut out = Vec::new();
        let mut sink = Sink::Collect(&mut out);
        for &s in &self.shapes.top {
            for focus in self.targets(s) {
                // Collecting never breaks.
                let _ = self.validate_shape(s, focus, &mut sink);
            }
        }
        out
    }

    /// Validates the targets found among `focus`.
    pub(crate) fn run_focus(&self, focus: &[TermId]) -> Vec<Raw> {
        let mut out = Vec::new();
        let mut sink = Sink::Collect(&mut out);
        for &s in &self.shapes.top {
            for &node in focus {
                if self.is_target(s, node) {
                    let _ = self.validate_shape(s, node, &mut sink);
                }
            }
        }
        out
    }
}
