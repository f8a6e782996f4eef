//! The indexed, immutable data graph that shapes are validated against.
//!
//! Terms are interned to dense `u32` ids; triples are kept twice in
//! compressed-sparse-row form (subject → sorted (predicate, object) pairs, and
//! object → sorted (predicate, subject) pairs), so that every lookup the
//! validator needs is a slice borrowed from the index, with no allocation.

use std::hash::Hasher as _;

use oxrdf::vocab::{rdf, rdfs};
use oxrdf::{Graph, Term, TermRef, Triple, TripleRef};
pub(crate) use rustc_hash::FxHashMap;
use rustc_hash::FxHasher;

/// Id of an interned term.
pub(crate) type TermId = u32;

/// Interns terms to dense ids, storing each term once; lookups work on
/// borrowed terms, so indexing a borrowed graph allocates only for new terms.
#[derive(Debug, Clone, Default)]
struct Interner {
    terms: Vec<Term>,
    /// Hash → most recent id with that hash; older ones chain through `next`.
    heads: FxHashMap<u64, TermId>,
    next: Vec<TermId>,
}

const NONE: TermId = TermId::MAX;

fn hash_term(term: TermRef<'_>) -> u64 {
    let mut h = FxHasher::default();
    if let TermRef::NamedNode(n) = term {
        h.write_u8(0);
        h.write(n.as_str().as_bytes());
    } else if let TermRef::BlankNode(b) = term {
        h.write_u8(1);
        h.write(b.as_str().as_bytes());
    } else if let TermRef::Literal(l) = term {
        h.write_u8(2);
        h.write(l.value().as_bytes());
        match l.language() {
            Some(lang) => h.write(lang.as_bytes()),
            None => h.write(l.datatype().as_str().as_bytes()),
        }
    } else {
        // Other term kinds (RDF 1.2 triple terms) share a bucket chain and
        // are told apart by equality.
        h.write_u8(3);
    }
    h.finish()
}

impl Interner {
    fn get(&self, term: TermRef<'_>) -> Option<TermId> {
        let mut id = *self.heads.get(&hash_term(term))?;
        while id != NONE {
            if self.terms[id as usize].as_ref() == term {
                return Some(id);
            }
            id = self.next[id as usize];
        }
        None
    }

    fn intern_ref(&mut self, term: TermRef<'_>) -> TermId {
        self.intern_with(term, |t| t.into_owned())
    }

    fn intern(&mut self, term: Term) -> TermId {
        let hash = hash_term(term.as_ref());
        self.insert_hashed(hash, term)
    }

    fn intern_with<'a>(
        &mut self,
        term: TermRef<'a>,
        own: impl FnOnce(TermRef<'a>) -> Term,
    ) -> TermId {
        let hash = hash_term(term);
        let mut id = self.heads.get(&hash).copied().unwrap_or(NONE);
        while id != NONE {
            if self.terms[id as usize].as_ref() == term {
                return id;
            }
            id = self.next[id as usize];
        }
        let owned = own(term);
        self.push(hash, owned)
    }

    fn insert_hashed(&mut self, hash: u64, term: Term) -> TermId {
        let mut id = self.heads.get(&hash).copied().unwrap_or(NONE);
        while id != NONE {
            if self.terms[id as usize] == term {
                return id;
            }
            id = self.next[id as usize];
        }
        self.push(hash, term)
    }

    fn push(&mut self, hash: u64, term: Term) -> TermId {
        let id = to_id(self.terms.len());
        self.terms.push(term);
        self.next
            .push(self.heads.get(&hash).copied().unwrap_or(NONE));
        self.heads.insert(hash, id);
        id
    }
}

/// An RDF graph indexed for validation.
///
/// Build it once per graph ([`DataGraph::from_graph`] or
/// [`DataGraph::from_triples`]) and validate it against any number of
/// [`Shapes`](super::Shapes).
#[derive(Debug, Clone)]
pub struct DataGraph {
    terms: Interner,
    /// For subject `s`: `spo_pred[s_off[s]..s_off[s + 1]]` (sorted) and the
    /// parallel `spo_obj`.
    s_off: Vec<u32>,
    spo_pred: Vec<TermId>,
    spo_obj: Vec<TermId>,
    o_off: Vec<u32>,
    ops_pred: Vec<TermId>,
    ops_subj: Vec<TermId>,
    rdf_type: Option<TermId>,
    sub_class_of: Option<TermId>,
}

impl Default for DataGraph {
    fn default() -> Self {
        Self::from_triples(std::iter::empty())
    }
}

impl DataGraph {
    /// Indexes the triples of an oxrdf graph (without copying the terms it
    /// has already seen).
    pub fn from_graph(graph: &Graph) -> Self {
        Self::from_triple_refs(graph.iter())
    }

    /// Indexes a sequence of borrowed triples (duplicates are ignored).
    pub fn from_triple_refs<'a>(triples: impl IntoIterator<Item = TripleRef<'a>>) -> Self {
        let mut terms = Interner::default();
        let spo = triples
            .into_iter()
            .map(|t| {
                let s = terms.intern_ref(t.subject.into());
                let p = terms.intern_ref(t.predicate.into());
                let o = terms.intern_ref(t.object);
                (s, p, o)
            })
            .collect();
        Self::build(terms, spo)
    }

    /// Indexes a sequence of triples (duplicates are ignored).
    pub fn from_triples(triples: impl IntoIterator<Item = Triple>) -> Self {
        let mut terms = Interner::default();
        let spo = triples
            .into_iter()
            .map(|t| {
                let s = terms.intern(t.subject.into());
                let p = terms.intern(t.predicate.into());
                let o = terms.intern(t.object);
                (s, p, o)
            })
            .collect();
        Self::build(terms, spo)
    }

    fn build(terms: Interner, mut spo: Vec<(TermId, TermId, TermId)>) -> Self {
        spo.sort_unstable();
        spo.dedup();
        let n = terms.terms.len();
        let (s_off, spo_pred, spo_obj) = csr(n, &spo);
        let mut ops: Vec<(TermId, TermId, TermId)> =
            spo.into_iter().map(|(s, p, o)| (o, p, s)).collect();
        ops.sort_unstable();
        let (o_off, ops_pred, ops_subj) = csr(n, &ops);
        let rdf_type = terms.get(rdf::TYPE.into());
        let sub_class_of = terms.get(rdfs::SUB_CLASS_OF.into());
        Self {
            terms,
            s_off,
            spo_pred,
            spo_obj,
            o_off,
            ops_pred,
            ops_subj,
            rdf_type,
            sub_class_of,
        }
    }

    /// Number of distinct triples.
    pub fn len(&self) -> usize {
        self.spo_obj.len()
    }

    /// Whether the graph has no triple.
    pub fn is_empty(&self) -> bool {
        self.spo_obj.is_empty()
    }

    /// Number of interned terms (ids are `0..term_count()`).
    pub(crate) fn term_count(&self) -> usize {
        self.terms.terms.len()
    }

    /// The id of a term, if it occurs in the graph.
    pub(crate) fn id(&self, term: &Term) -> Option<TermId> {
        self.terms.get(term.as_ref())
    }

    /// The term of an id of this graph.
    pub(crate) fn term(&self, id: TermId) -> Option<&Term> {
        self.terms.terms.get(id as usize)
    }

    /// The id of `rdf:type`, if used.
    pub(crate) fn rdf_type(&self) -> Option<TermId> {
        self.rdf_type
    }

    /// The objects of `(s, p, ?)`, sorted and distinct.
    #[inline]
    pub(crate) fn objects(&self, s: TermId, p: TermId) -> &[TermId] {
        range_for(&self.s_off, &self.spo_pred, &self.spo_obj, s, p)
    }

    /// The subjects of `(?, p, o)`, sorted and distinct.
    #[inline]
    pub(crate) fn subjects(&self, p: TermId, o: TermId) -> &[TermId] {
        range_for(&self.o_off, &self.ops_pred, &self.ops_subj, o, p)
    }

    /// All `(predicate, object)` pairs of a subject, sorted.
    pub(crate) fn outgoing(&self, s: TermId) -> (&[TermId], &[TermId]) {
        match row(&self.s_off, s) {
            Some((a, b)) => (&self.spo_pred[a..b], &self.spo_obj[a..b]),
            None => (&[], &[]),
        }
    }

    /// Whether `s` has at least one `p` value.
    pub(crate) fn has_subject_with(&self, s: TermId, p: TermId) -> bool {
        !self.objects(s, p).is_empty()
    }

    /// Whether `o` is the object of at least one `p` triple.
    pub(crate) fn has_object_with(&self, o: TermId, p: TermId) -> bool {
        !self.subjects(p, o).is_empty()
    }

    /// Every term that is the subject of a `p` triple.
    pub(crate) fn subjects_of(&self, p: TermId) -> Vec<TermId> {
        (0..to_id(self.term_count()))
            .filter(|&s| self.has_subject_with(s, p))
            .collect()
    }

    /// Every term that is the object of a `p` triple.
    pub(crate) fn objects_of(&self, p: TermId) -> Vec<TermId> {
        (0..to_id(self.term_count()))
            .filter(|&o| self.has_object_with(o, p))
            .collect()
    }

    /// The class itself and its transitive subclasses (through
    /// `rdfs:subClassOf` triples of this graph), sorted.
    pub(crate) fn sub_classes(&self, class: TermId) -> Vec<TermId> {
        let mut seen = vec![class];
        if let Some(sco) = self.sub_class_of {
            let mut i = 0;
            while i < seen.len() {
                for &sub in self.subjects(sco, seen[i]) {
                    if !seen.contains(&sub) {
                        seen.push(sub);
                    }
                }
                i += 1;
            }
        }
        seen.sort_unstable();
        seen
    }
}

fn to_id(n: usize) -> TermId {
    TermId::try_from(n).unwrap_or(TermId::MAX)
}

fn csr(n: usize, sorted: &[(TermId, TermId, TermId)]) -> (Vec<u32>, Vec<TermId>, Vec<TermId>) {
    let mut off = vec![0_u32; n + 1];
    for &(a, _, _) in sorted {
        off[a as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let pred = sorted.iter().map(|t| t.1).collect();
    let other = sorted.iter().map(|t| t.2).collect();
    (off, pred, other)
}

#[inline]
fn row(off: &[u32], key: TermId) -> Option<(usize, usize)> {
    let k = key as usize;
    if k + 1 >= off.len() {
        return None;
    }
    Some((off[k] as usize, off[k + 1] as usize))
}

#[inline]
fn range_for<'a>(
    off: &[u32],
    preds: &[TermId],
    others: &'a [TermId],
    key: TermId,
    p: TermId,
) -> &'a [TermId] {
    let Some((a, b)) = row(off, key) else {
        return &[];
    };
    let ps = &preds[a..b];
    let lo = ps.partition_point(|&x| x < p);
    let hi = lo + ps[lo..].partition_point(|&x| x == p);
    &others[a + lo..a + hi]
}

impl DataGraph {
    /// The nodes typed (directly) with `class`, for benchmarks and tools.
    pub fn subjects_of_type(&self, class: &Term) -> Vec<Term> {
        let (Some(rdf_type), Some(class)) = (self.rdf_type(), self.id(class)) else {
            return Vec::new();
        };
        self.subjects(rdf_type, class)
            .iter()
            .filter_map(|id| self.term(*id).cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::NamedNode;

    fn nn(s: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("http://ex/{s}"))
    }

    #[test]
    fn indexes_both_directions() {
        let t = |s: &str, p: &str, o: &str| Triple::new(nn(s), nn(p), nn(o));
        let g = DataGraph::from_triples([
            t("a", "p", "b"),
            t("a", "p", "c"),
            t("a", "p", "b"),
            t("d", "p", "b"),
        ]);
        assert_eq!(g.len(), 3);
        let id = |s: &str| g.id(&nn(s).into()).expect("interned");
        assert_eq!(g.objects(id("a"), id("p")), &[id("b"), id("c")]);
        let mut subs = g.subjects(id("p"), id("b")).to_vec();
        subs.sort_unstable();
        let mut want = vec![id("a"), id("d")];
        want.sort_unstable();
        assert_eq!(subs, want);
        assert!(g.objects(id("b"), id("p")).is_empty());
        assert!(g.objects(1000, id("p")).is_empty());
    }
}
