//! Entry points for the fuzz targets (`fuzz/`, outside the build) and the
//! generators of the property tests: thin wrappers over crate-private
//! functions, so that a target calls exactly what the property tests call
//! without making those functions public. Not an API: hidden from the
//! documentation, free to change.
//!
//! The property tests beside each module draw their cases from [`Rng`], a
//! xorshift generator seeded per test (no dependency, the same cases on
//! every run).

use crate::import::{Concepts, KnownNames};
use crate::iri::BaseIri;
use crate::vocab::sh;
use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{BlankNode, Graph, Literal, NamedNode, Term, TripleRef};
use std::sync::LazyLock;

/// Content negotiation (`http::negotiate::choose`) over a table of offers
/// shaped like the real ones (aliases two offers share, a name that is
/// another offer's alias): the chosen offer's media type, or the error's
/// HTTP status.
pub fn accept(header: Option<&str>, format: &[String]) -> Result<&'static str, u16> {
    crate::http::negotiate_for_fuzzing(header, format)
}

/// The media types [`accept`] chooses among.
pub fn accept_offers() -> Vec<&'static str> {
    crate::http::offers_for_fuzzing()
}

/// What the importer made of a file, without a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvRows {
    /// Data rows read (blank rows aside).
    pub rows: usize,
    /// Rows cleaned and matched.
    pub prepared: usize,
    /// Rows refused, each with a reason.
    pub rejected: usize,
}

/// The network CSV importer's reading and cleaning (everything
/// `import::import_bytes` does before it reads the store), with the bundled
/// model's concept schemes.
pub struct CsvImport {
    concepts: Concepts,
    base: BaseIri,
}

impl CsvImport {
    /// Reads the bundled model once (slow: keep the value).
    ///
    /// # Panics
    ///
    /// When the bundled model does not compile (a broken build).
    pub fn new() -> Self {
        #[expect(clippy::unwrap_used, reason = "a constant IRI")]
        let base = BaseIri::parse("http://localhost:8080/").unwrap();
        let model = crate::model::Model::bundled(&base).expect("the bundled model compiles");
        Self {
            concepts: Concepts::new(&model.concepts),
            base,
        }
    }

    /// Reads and cleans a file: the rows, or the error's French message
    /// (never empty).
    pub fn read(&self, bytes: &[u8]) -> Result<CsvRows, String> {
        let table = crate::import::read_table(bytes, &[]).map_err(|e| e.to_string())?;
        let names = KnownNames::for_file(&self.base, Vec::new(), &table);
        let (prepared, rejected) =
            crate::import::prepare_rows(&table, &self.concepts, &names, &|_| {});
        Ok(CsvRows {
            rows: table.rows.len(),
            prepared: prepared.len(),
            rejected: rejected.len(),
        })
    }
}

impl Default for CsvImport {
    fn default() -> Self {
        Self::new()
    }
}

/// The nodes a fuzzed shapes graph is made of: blank nodes (list cells,
/// paths, nested shapes) and a few IRIs.
const NODES: usize = 12;

fn node(i: u8) -> Term {
    let i = usize::from(i) % NODES;
    if i < 8 {
        BlankNode::new_unchecked(format!("b{i}")).into()
    } else {
        NamedNode::new_unchecked(format!("http://ex/S{}", i - 8)).into()
    }
}

/// The predicates of a fuzzed shapes graph: every parameter the compiler
/// reads, the list and class terms, and a few it must reject.
static PREDICATES: LazyLock<Vec<NamedNode>> = LazyLock::new(|| {
    let mut p: Vec<NamedNode> = [
        rdf::TYPE,
        rdf::FIRST,
        rdf::REST,
        rdfs::SUB_CLASS_OF,
        sh::PROPERTY,
        sh::PATH,
        sh::NODE,
        sh::NOT,
        sh::AND,
        sh::OR,
        sh::XONE,
        sh::MIN_COUNT,
        sh::MAX_COUNT,
        sh::MIN_LENGTH,
        sh::MAX_LENGTH,
        sh::PATTERN,
        sh::FLAGS,
        sh::IN,
        sh::LANGUAGE_IN,
        sh::UNIQUE_LANG,
        sh::CLASS,
        sh::DATATYPE,
        sh::NODE_KIND,
        sh::TARGET_CLASS,
        sh::TARGET_NODE,
        sh::TARGET_SUBJECTS_OF,
        sh::TARGET_OBJECTS_OF,
        sh::INVERSE_PATH,
        sh::ALTERNATIVE_PATH,
        sh::ZERO_OR_MORE_PATH,
        sh::ONE_OR_MORE_PATH,
        sh::ZERO_OR_ONE_PATH,
        sh::QUALIFIED_VALUE_SHAPE,
        sh::QUALIFIED_MIN_COUNT,
        sh::QUALIFIED_MAX_COUNT,
        sh::QUALIFIED_VALUE_SHAPES_DISJOINT,
        sh::CLOSED,
        sh::IGNORED_PROPERTIES,
        sh::HAS_VALUE,
        sh::MIN_INCLUSIVE,
        sh::MAX_EXCLUSIVE,
        sh::LESS_THAN,
        sh::LESS_THAN_OR_EQUALS,
        sh::EQUALS,
        sh::DISJOINT,
        sh::DEACTIVATED,
        sh::SEVERITY,
        sh::MESSAGE,
        sh::PARAMETER,
        sh::SPARQL,
        sh::BIA_LUHN,
    ]
    .into_iter()
    .map(|n| n.into_owned())
    .collect();
    p.push(NamedNode::new_unchecked("http://ex/p"));
    p
});

/// The other objects of a fuzzed shapes graph: classes and kinds, counts
/// (negative, huge, of the wrong type), patterns (invalid ones too), flags,
/// booleans, language tags, messages.
static OBJECTS: LazyLock<Vec<Term>> = LazyLock::new(|| {
    let mut o: Vec<Term> = [
        rdf::NIL,
        rdfs::CLASS,
        sh::NODE_SHAPE,
        sh::PROPERTY_SHAPE,
        sh::CONSTRAINT_COMPONENT,
        sh::IRI,
        sh::LITERAL,
        sh::BLANK_NODE_OR_IRI,
        sh::VIOLATION,
        sh::WARNING,
        sh::BIA_LUHN_CONSTRAINT_COMPONENT,
        sh::PATTERN,
        xsd::STRING,
        xsd::INTEGER,
    ]
    .into_iter()
    .map(|n| n.into_owned().into())
    .collect();
    for (value, datatype) in [
        ("0", xsd::INTEGER),
        ("1", xsd::INTEGER),
        ("-1", xsd::INTEGER),
        ("18446744073709551616", xsd::INTEGER),
        ("99999999999999999999999999", xsd::NON_NEGATIVE_INTEGER),
        ("2", xsd::DECIMAL),
        ("NaN", xsd::DOUBLE),
        ("abc", xsd::INTEGER),
        ("true", xsd::BOOLEAN),
        ("false", xsd::BOOLEAN),
        ("1", xsd::BOOLEAN),
        ("2024-01-01", xsd::DATE),
    ] {
        o.push(Literal::new_typed_literal(value, datatype).into());
    }
    for s in [
        "^[0-9]{14}$",
        "(",
        "[a-",
        r"\p{Nope}",
        "a{99999}{99999}",
        "(?<n>a)(?<n>b)",
        r"\",
        "",
        "i",
        "smixq",
        "z",
        "fr",
    ] {
        o.push(Literal::new_simple_literal(s).into());
    }
    o.push(Literal::new_language_tagged_literal_unchecked("message", "fr").into());
    o.push(Literal::new_language_tagged_literal_unchecked("message", "en-GB").into());
    o
});

/// A shapes graph read from bytes, three per triple: subject, predicate,
/// object. Small on purpose: a few nodes joined every possible way (lists
/// malformed, cyclic or shared, shapes that refer to themselves, paths
/// nested in paths) rather than large graphs.
pub fn shapes_graph(data: &[u8]) -> Graph {
    let mut g = Graph::new();
    for t in data.chunks_exact(3) {
        let subject = match node(t[0]) {
            Term::BlankNode(b) => oxrdf::NamedOrBlankNode::from(b),
            Term::NamedNode(n) => n.into(),
            Term::Literal(_) => continue,
        };
        let predicate = &PREDICATES[usize::from(t[1]) % PREDICATES.len()];
        // Half the objects are nodes, so that lists and shapes connect.
        let object = if t[2] < 128 {
            node(t[2])
        } else {
            OBJECTS[usize::from(t[2] - 128) % OBJECTS.len()].clone()
        };
        g.insert(TripleRef::new(&subject, predicate, &object));
    }
    g
}

/// The prefixes a fuzzed Turtle shapes graph may use without declaring.
pub const TURTLE_PREFIXES: &str = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\
    @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n\
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
    @prefix ex: <http://ex/> .\n";

/// A xorshift64* generator: the only randomness of the property tests,
/// seeded per test so that every run draws the same cases.
#[cfg(test)]
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

#[cfg(test)]
impl Rng {
    /// The generator of one test.
    pub(crate) fn new(seed: u64) -> Self {
        // Never zero, the one state xorshift cannot leave.
        Self((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True once in `n` times.
    pub(crate) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `items` (not empty).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of `pieces` (not empty).
    pub(crate) fn piece<'a>(&mut self, pieces: &[&'a str]) -> &'a str {
        pieces[self.below(pieces.len())]
    }

    /// Up to `max` random bytes.
    pub(crate) fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// Up to `max` of `pieces`, end to end.
    pub(crate) fn text(&mut self, pieces: &[&str], max: usize) -> String {
        let n = self.below(max + 1);
        (0..n).map(|_| self.piece(pieces)).collect()
    }
}

/// How many cases each property test draws.
#[cfg(test)]
pub(crate) const CASES: usize = 2000;
