//! The fuzz targets' bodies: each reads arbitrary bytes as its target does,
//! calls the crate-private code under test and panics when one of its
//! properties does not hold. `fuzz/` (a workspace of its own, cargo-fuzz on
//! a nightly toolchain) calls them on libFuzzer's inputs; the property
//! tests beside the code (proptest) call the same functions on generated
//! inputs, so that the normal suite checks what the fuzzers check. Not an
//! API: hidden from the documentation, free to change.

use crate::import::{Concepts, KnownNames};
use crate::iri::{BaseIri, KINDS, fold, minted_base, slug};
use crate::shacl::{DataGraph, Path, Shapes};
use crate::vocab::sh;
use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{BlankNode, Graph, Literal, NamedNode, Term, TripleRef};
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// Content negotiation (`http::negotiate::choose`) over a table of offers
/// shaped like the real ones (aliases two offers share, a name that is
/// another offer's alias). The first line of `data` is the `Accept` header
/// (none when `data` is empty), the next four the `format=` values.
///
/// # Panics
///
/// When the choice is not the one the header and values ask for, or is
/// not an offer (see `http::negotiate::check_for_fuzzing`).
pub fn accept(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let header = lines.next().filter(|_| !data.is_empty());
    let format: Vec<String> = lines.take(4).map(str::to_owned).collect();
    crate::http::check_negotiation_for_fuzzing(header, &format);
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

    /// Reads and cleans a file. Either the file is refused with a message,
    /// or every row is prepared or rejected, never both; a rejected row's
    /// reason names one of the file's fields; and the file of rejected rows
    /// (the one `bibia import` writes for editors to fix) reads back as
    /// those rows, in the same layout, with the same values.
    ///
    /// # Panics
    ///
    /// When one of these does not hold.
    pub fn check(&self, bytes: &[u8]) {
        let table = match crate::import::read_table(bytes, &[]) {
            Ok(table) => table,
            Err(e) => {
                assert!(!e.to_string().trim().is_empty(), "{bytes:?}");
                return;
            }
        };
        let names = KnownNames::for_file(&self.base, Vec::new(), &table);
        let (prepared, rejected) =
            crate::import::prepare_rows(&table, &self.concepts, &names, &|_| {});
        let numbers: BTreeSet<usize> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers.len(), table.rows.len(), "row numbers repeat");
        assert_eq!(prepared.len() + rejected.len(), table.rows.len());
        for p in &prepared {
            assert!(numbers.contains(&p.row), "row {} is no row", p.row);
            assert!(!rejected.contains_key(&p.row), "row {} twice", p.row);
        }
        for (row, reason) in &rejected {
            assert!(numbers.contains(row), "row {row} is no row");
            assert!(
                table
                    .fields
                    .iter()
                    .any(|f| reason.contains(&format!("({})", f.name()))),
                "row {row}: {reason:?} names no field"
            );
        }

        let rejected: Vec<(usize, String)> = rejected.into_iter().collect();
        let mut file = Vec::new();
        crate::import::write_rejected(&table, &rejected, &mut file).expect("written to memory");
        let again = crate::import::read_table(&file, &[]).unwrap_or_else(|e| {
            panic!(
                "{bytes:?}: the rejected rows do not read back ({e}):\n{}",
                String::from_utf8_lossy(&file)
            )
        });
        assert_eq!(again.layout, table.layout, "{bytes:?}");
        assert_eq!(again.rows.len(), rejected.len(), "{bytes:?}");
        for ((number, _), back) in rejected.iter().zip(&again.rows) {
            let row = table.rows.iter().find(|r| r.number == *number);
            let Some(row) = row else { continue };
            for field in &table.fields {
                assert_eq!(
                    back.get(*field),
                    row.get(*field),
                    "{bytes:?}: row {number}, {}",
                    field.name()
                );
            }
        }
    }
}

impl Default for CsvImport {
    fn default() -> Self {
        Self::new()
    }
}

/// Slugs, folding, base IRIs and the record ↔ page ↔ base mapping. The
/// first byte chooses a kind; the rest is text, slugged and folded whole,
/// then read as a base IRI up to its first tab, what follows naming a
/// record's fragment. A slug is a short lowercase ASCII word list that
/// slugs to itself; folding is idempotent; a base IRI reads back as itself
/// and its root is its path; a record minted under a base maps back to
/// itself, to its page and to that base.
///
/// # Panics
///
/// When one of these does not hold.
pub fn iri_slug(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);

    let s = slug(&text);
    assert!(!s.is_empty() && s.len() <= 80, "{text:?} → {s:?}");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "{text:?} → {s:?}"
    );
    assert!(
        !s.starts_with('-') && !s.ends_with('-') && !s.contains("--"),
        "{text:?} → {s:?}"
    );
    assert_eq!(slug(&s), s, "{text:?}");
    let f = fold(&text);
    assert_eq!(fold(&f), f, "{text:?}");

    if let Some(b) = minted_base(&text) {
        assert!(text.starts_with(b) && b.ends_with('/'), "{text:?} → {b:?}");
    }

    let (raw_base, fragment) = text.split_once('\t').unwrap_or((&text, ""));
    let Ok(base) = BaseIri::parse(raw_base) else {
        return;
    };
    let b = base.as_str();
    assert!(
        (b.starts_with("http://") || b.starts_with("https://"))
            && b.ends_with('/')
            && !b.contains(['?', '#'])
            && NamedNode::new(b).is_ok(),
        "{raw_base:?} → {b:?}"
    );
    assert_eq!(BaseIri::parse(b).ok().as_ref(), Some(&base), "{raw_base:?}");
    let root = base.root();
    assert!(
        root.starts_with('/') && root.ends_with('/') && b.ends_with(root),
        "{raw_base:?}: {root}"
    );
    if crate::iri::in_vocabulary(b) {
        // Under the ontology's namespace: every IRI is the ontology's.
        return;
    }
    let kind = KINDS[usize::from(first) % KINDS.len()];
    let record = base.join(&format!("id/{kind}/{s}"));
    assert_eq!(base.record_of(record.as_ref()).as_ref(), Some(&record));
    assert_eq!(minted_base(record.as_str()), Some(b), "{record}");
    let Ok(thing) = NamedNode::new(format!("{record}#{fragment}")) else {
        return;
    };
    assert_eq!(
        base.record_of(thing.as_ref()).as_ref(),
        Some(&record),
        "{thing}"
    );
    assert_eq!(minted_base(thing.as_str()), Some(b), "{thing}");
    assert_eq!(
        base.page_path(thing.as_str()),
        Some(format!("{root}page/{kind}/{s}#{fragment}")),
        "{thing}"
    );
    // A concept is a record of its scheme.
    let concept = base.join(&format!("id/concept/{s}/{s}"));
    assert_eq!(minted_base(concept.as_str()), Some(b), "{concept}");
    assert_eq!(
        base.record_of(concept.as_ref()),
        Some(base.join(&format!("id/concept/{s}"))),
        "{concept}"
    );
}

/// The SHACL shapes compiler (`Shapes::compile`) on arbitrary Turtle (first
/// byte even; the sh:, rdf:, rdfs:, xsd: and ex: prefixes are declared) or
/// on a small graph of sh: terms read three bytes a triple (first byte odd,
/// [`shapes_graph`]). Compiled shapes or an error with a message; compiled
/// shapes validate the shapes graph itself as data, and every result has
/// a message and, when it has a path, one that reads back from its RDF
/// form.
///
/// # Panics
///
/// When one of these does not hold.
pub fn shapes_compile(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let graph = if mode % 2 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        let turtle = format!("{TURTLE_PREFIXES}{text}");
        let mut graph = Graph::new();
        for triple in oxttl::TurtleParser::new().for_slice(&turtle) {
            match triple {
                Ok(t) => {
                    graph.insert(&t);
                }
                Err(_) => {
                    let e = Shapes::from_turtle(&turtle, None).expect_err("not Turtle");
                    assert!(!e.to_string().is_empty());
                    return;
                }
            }
        }
        graph
    } else {
        shapes_graph(rest)
    };
    let shapes = match Shapes::compile(&graph) {
        Ok(shapes) => shapes,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "{graph}");
            return;
        }
    };
    let report = shapes.validate(&DataGraph::from_graph(&graph));
    assert_eq!(report.conforms(), report.results().is_empty());
    for r in report.results() {
        assert!(!r.message().value().trim().is_empty(), "{graph}: {r:?}");
        if let Some(path) = r.path() {
            let mut g = Graph::new();
            let node = path.to_rdf(&mut g);
            assert_eq!(
                Path::parse(&g, node.as_ref()).as_ref(),
                Ok(path),
                "{graph}: {path:?} in {g}"
            );
        }
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

/// The configuration of every property test: a fixed seed (the same cases
/// on every run, so that a failure is a regression and not luck), a modest
/// number of cases (the whole suite stays fast; the fuzzers go further), no
/// file of failures (a failure's input goes into a named unit test).
#[cfg(test)]
pub(crate) fn proptest_config() -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x00b1_b1a0),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// A fuzz target: its name (its folder under `fuzz/regressions/`) and
    /// its body.
    type Target<'a> = (&'a str, &'a dyn Fn(&[u8]));

    /// Every input a fuzzer found (`fuzz/regressions/{target}/`, one file
    /// each, named after what it broke), through its target again.
    #[test]
    fn the_inputs_the_fuzzers_found_pass_their_target() {
        let import = super::CsvImport::new();
        let targets: [Target<'_>; 4] = [
            ("accept", &super::accept),
            ("csv_import", &|data| import.check(data)),
            ("iri_slug", &super::iri_slug),
            ("shapes_compile", &super::shapes_compile),
        ];
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
        let mut found = 0;
        for (target, run) in targets {
            let Ok(dir) = std::fs::read_dir(root.join(target)) else {
                continue;
            };
            for entry in dir {
                let path = entry.expect("a readable folder").path();
                let data = std::fs::read(&path).expect("a readable input");
                eprintln!("{target}: {}", path.display());
                run(&data);
                found += 1;
            }
        }
        assert!(found > 0, "no input in {}", root.display());
    }
}
