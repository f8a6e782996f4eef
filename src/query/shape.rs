//! The shape of a query's text, measured before it is parsed: how deeply
//! its brackets nest and how many groups, triple patterns and operators it
//! holds.
//!
//! Why: spargebra's parser descends once per bracket, and the parser,
//! bibia's rewrite, the answer cache's key and oxigraph's planner and
//! evaluator all walk the algebra by recursion. A few thousand nested
//! brackets (`{{{…}}}`, `((…))`, nested `OPTIONAL`) or chained operators
//! (`{…} UNION {…} UNION …`, `1+1+…`) overflow a thread's stack, and a
//! stack overflow aborts the whole server, not the query. The planner also
//! takes a time that grows as a power of the number of joined patterns
//! (a hundred: a second; a thousand: many minutes) without looking at the
//! cancellation token, so the time limit cannot stop it. Hence
//! [`Shape::check`]: past [`MAX_DEPTH`] or [`MAX_ITEMS`] a query is refused
//! before parsing, and past [`PLANNED_ITEMS`] it is evaluated as written,
//! without the planner ([`Shape::planned`]).
//!
//! The measure is an upper bound of what the parser sees: strings and
//! comments are skipped; an IRI is skipped too, but spargebra may read a
//! `<…>` as the operator `<` followed by code, so the brackets an IRI opens
//! and does not close count as open, and a long one's operators count.

use super::QueryError;

/// The deepest nesting of brackets taken (`{`, `(`, `[`). Hand-written
/// queries stay under 20.
pub const MAX_DEPTH: usize = 64;

/// The most groups, triple patterns and operators taken. Long lists of
/// values (`VALUES`, `IN (…)`) are not counted: they are flat.
pub const MAX_ITEMS: usize = 1000;

/// Past this many items, the planner is skipped (see the module
/// documentation): planning 64 joined patterns takes some 0.1 s.
const PLANNED_ITEMS: usize = 64;

/// An IRI longer than this may hide an expression: its operators count.
const SHORT_IRI: usize = 128;

/// What [`Shape::of`] measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// The deepest nesting of brackets.
    pub depth: usize,
    /// Groups (`{`), triple patterns (`.`, `;`, `,` in a group) and
    /// operators of expressions and property paths.
    pub items: usize,
}

impl Shape {
    /// Measures a query's text.
    pub fn of(text: &str) -> Self {
        Lexer::default().run(text.as_bytes())
    }

    /// `Err` when the query is too deep or too large to be parsed safely.
    pub fn check(self) -> Result<Self, QueryError> {
        if self.depth > MAX_DEPTH || self.items > MAX_ITEMS {
            return Err(QueryError::TooComplex(self));
        }
        Ok(self)
    }

    /// Whether the planner may reorder this query's joins (otherwise it is
    /// evaluated as written).
    pub fn planned(self) -> bool {
        self.items <= PLANNED_ITEMS
    }
}

#[derive(Default)]
struct Lexer {
    /// The brackets open, innermost last.
    open: Vec<u8>,
    shape: Shape,
}

impl Lexer {
    fn run(mut self, text: &[u8]) -> Shape {
        let mut i = 0;
        while i < text.len() {
            i = match text[i] {
                b'#' => text[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(text.len(), |n| i + n),
                b'"' | b'\'' => end_of_string(text, i),
                b'<' => match iri_end(text, i) {
                    Some(end) => {
                        self.iri(&text[i + 1..end]);
                        end + 1
                    }
                    None => self.operator(text, i),
                },
                b @ (b'{' | b'(' | b'[') => {
                    self.push(b);
                    if b == b'{' {
                        self.shape.items += 1;
                    }
                    i + 1
                }
                b'}' => self.close(b'{', i),
                b')' => self.close(b'(', i),
                b']' => self.close(b'[', i),
                b'.' | b';' | b',' => {
                    if matches!(self.open.last(), Some(b'{' | b'[')) {
                        self.shape.items += 1;
                    }
                    i + 1
                }
                b'^' if text.get(i + 1) == Some(&b'^') => i + 2,
                b'!' | b'=' | b'>' | b'+' | b'-' | b'*' | b'/' | b'|' | b'&' | b'^' => {
                    self.operator(text, i)
                }
                b'?' | b'$' => end_of_name(text, i + 1, Name::Variable),
                b'@' => end_of_name(text, i + 1, Name::Language),
                b if is_name_start(b) => end_of_name(text, i, Name::Word),
                _ => i + 1,
            };
        }
        self.shape
    }

    fn push(&mut self, bracket: u8) {
        self.open.push(bracket);
        self.shape.depth = self.shape.depth.max(self.open.len());
    }

    /// Closes the innermost bracket of this kind (and those opened inside
    /// it: a parser would have failed on them, after having descended no
    /// deeper than measured); a bracket of no open kind is ignored.
    fn close(&mut self, opener: u8, i: usize) -> usize {
        if let Some(at) = self.open.iter().rposition(|&b| b == opener) {
            self.open.truncate(at);
        }
        i + 1
    }

    /// One operator (`||`, `&&`, `!=`, `<=`, `>=` are one).
    fn operator(&mut self, text: &[u8], i: usize) -> usize {
        self.shape.items += 1;
        match text.get(i..i + 2) {
            Some(b"||" | b"&&" | b"!=" | b"<=" | b">=") => i + 2,
            _ => i + 1,
        }
    }

    /// An IRI's content: what it opens and does not close stays open; a
    /// long one's operators count.
    fn iri(&mut self, content: &[u8]) {
        let mut inner: Vec<u8> = Vec::new();
        for &b in content {
            match b {
                b'(' | b'[' => {
                    inner.push(b);
                    self.shape.depth = self.shape.depth.max(self.open.len() + inner.len());
                }
                b')' | b']' => {
                    let opener = if b == b')' { b'(' } else { b'[' };
                    if let Some(at) = inner.iter().rposition(|&o| o == opener) {
                        inner.truncate(at);
                    }
                }
                _ => {}
            }
        }
        for b in inner {
            self.push(b);
        }
        if content.len() > SHORT_IRI {
            self.shape.items += content
                .iter()
                .filter(|b| b"!=<>+-*/&.,;".contains(b))
                .count();
        }
    }
}

/// The end of an IRI starting at `text[i] == '<'`, when one does (the
/// characters SPARQL's `IRIREF` allows, then `>`).
fn iri_end(text: &[u8], i: usize) -> Option<usize> {
    let end = i
        + 1
        + text[i + 1..]
            .iter()
            .position(|&b| b <= b' ' || b"<>\"{}|^`\\".contains(&b))?;
    (text[end] == b'>').then_some(end)
}

/// The end of a string starting at `text[i]` (`"`, `'`, `"""` or `'''`).
/// A short string ends at its line's end, where the parser stops.
fn end_of_string(text: &[u8], i: usize) -> usize {
    let quote = text[i];
    let long = text.get(i..i + 3) == Some(&[quote; 3][..]);
    let mut j = if long { i + 3 } else { i + 1 };
    while j < text.len() {
        match text[j] {
            b'\\' => j += 2,
            b if b == quote && !long => return j + 1,
            b'\n' | b'\r' if !long => return j,
            b if b == quote && text.get(j..j + 3) == Some(&[quote; 3][..]) => {
                // The closing quotes are the last three of the run.
                let run = text[j..].iter().take_while(|&&c| c == quote).count();
                return j + run;
            }
            _ => j += 1,
        }
    }
    text.len()
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':' || b >= 0x80
}

/// What [`end_of_name`] reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Name {
    /// A variable (`?x`, from after its sign).
    Variable,
    /// A language tag (`@fr-be`, from after the `@`).
    Language,
    /// A number, a keyword or a prefixed name.
    Word,
}

/// The end of the name of this kind starting at `text[i]`. `-` and `.`
/// belong to a word only when it is a prefixed name (with a `:`): in a
/// number or a keyword they are operators and separators (the exponent's
/// sign aside). A name never ends with `.`.
fn end_of_name(text: &[u8], i: usize, kind: Name) -> usize {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut j = i;
    match kind {
        Name::Variable => {
            while j < text.len() && plain(text[j]) {
                j += 1;
            }
            return j;
        }
        Name::Language => {
            while j < text.len() && (plain(text[j]) || text[j] == b'-') {
                j += 1;
            }
            return j;
        }
        Name::Word if text[i].is_ascii_digit() => {
            while j < text.len() {
                match text[j] {
                    b if b.is_ascii_digit() || b == b'.' => j += 1,
                    b'e' | b'E' => {
                        j += 1;
                        if matches!(text.get(j), Some(b'+' | b'-')) {
                            j += 1;
                        }
                    }
                    _ => break,
                }
            }
        }
        Name::Word => {
            while j < text.len() {
                match text[j] {
                    b if plain(b) || b == b'-' || b == b'.' || b == b':' || b == b'%' => j += 1,
                    b'\\' => j += 2,
                    _ => break,
                }
            }
            j = j.min(text.len());
            if !text[i..j].contains(&b':') {
                // A keyword: what follows it is read again.
                j = i;
                while j < text.len() && plain(text[j]) {
                    j += 1;
                }
            }
        }
    }
    while j > i && text[j - 1] == b'.' {
        j -= 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> Shape {
        Shape::of(text)
    }

    #[test]
    fn brackets_nest_and_groups_patterns_operators_count() {
        let s = shape("SELECT * WHERE { ?s ?p ?o . ?s a ?t ; ?q ?r , ?u . { ?a ?b ?c } }");
        assert_eq!(s.depth, 2);
        assert_eq!(
            s.items,
            1 + 2 + 4,
            "SELECT's *, two groups, four separators"
        );
        let s = shape("ASK { FILTER(1 + 2 * (3 - 4) >= 5 && !BOUND(?x) || ?y != <urn:a>) }");
        assert_eq!(s.depth, 3);
        assert_eq!(s.items, 1 + 8);
        assert_eq!(
            shape("ASK { ?s <urn:p>/^<urn:q>|<urn:r>* ?o }").items,
            1 + 4
        );
    }

    #[test]
    fn strings_comments_iris_and_names_hide_no_bracket_and_no_operator() {
        let s = shape(
            "PREFIX ex: <http://ex.org/a-b/c.d?e=f&g> # ((({{{ +-*\n\
             SELECT ?v_x WHERE { ?s ex:a-b.c \"(({{+\\\"}}\"@fr-be , '''a ' {{ '' (('''^^ex:t , 1.5e-3 , -2 . }",
        );
        assert_eq!(s.depth, 1);
        assert_eq!(
            s.items,
            1 + 3 + 2,
            "a group, three `,`, `-2` and `.`: {s:?}"
        );
        // `"""x""""` is the string `x"`: the brackets after it are code.
        let s = shape("SELECT * { ?s ?p \"\"\"x\"\"\"\"(((\" }");
        assert_eq!(
            s.depth, 4,
            "a long string ends at the last quotes of its run"
        );
        // Keywords and numbers end before `-`: these are operators.
        assert_eq!(shape("ASK { FILTER(true-true-1-1e-1-?a-?a) }").items, 1 + 5);
    }

    #[test]
    fn flat_lists_of_values_are_not_counted() {
        let iris: String = (0..5000).map(|i| format!(" <http://ex.org/{i}>")).collect();
        let s = shape(&format!("SELECT * {{ VALUES ?x {{{iris} }} }}"));
        assert_eq!((s.depth, s.items), (2, 3));
        let rows: String = (0..5000)
            .map(|i| format!(" ({i} \"v{i}\"^^<urn:t>)"))
            .collect();
        assert_eq!(
            shape(&format!("SELECT * {{ VALUES (?x ?y) {{{rows} }} }}")).items,
            3
        );
        let list: String = (0..5000).map(|i| format!("{i}, ")).collect();
        assert_eq!(
            shape(&format!("ASK {{ FILTER(?x IN ({list}0)) }}")).items,
            1
        );
        assert!(Shape::of(&format!("SELECT * {{ VALUES ?x {{{iris} }} }}")).planned());
    }

    #[test]
    fn what_an_iri_may_hide_from_the_lexer_counts() {
        // Balanced brackets in an IRI (as Wikipedia's) leave nothing open.
        let lyon = "<http://fr.wikipedia.org/wiki/Lyon_(ville)>";
        let s = shape(&format!(
            "SELECT * {{ ?s ?p {lyon} . ?s ?p {lyon}, {lyon} }}"
        ));
        assert_eq!(s.depth, 2);
        // spargebra reads `?a<((1>0)))` as `?a < ((1 > 0))`.
        assert_eq!(shape("ASK { FILTER(?a<((1>0))) }").depth, 4);
        // A closing bracket in an IRI closes nothing.
        assert_eq!(shape("ASK { ?s <)> ?o { ?s <)> ?o { } } }").depth, 3);
        let chain = "1+".repeat(2000);
        assert!(shape(&format!("ASK {{ FILTER(?a<({chain}1>0)) }}")).items > MAX_ITEMS);
    }

    #[test]
    fn deep_or_long_queries_are_refused_before_parsing() {
        let deep = format!("SELECT * {{ {} }}", "{".repeat(100) + &"}".repeat(100));
        assert_eq!(
            Shape::of(&deep).check(),
            Err(QueryError::TooComplex(Shape {
                depth: 101,
                items: 102
            }))
        );
        let nots = format!("ASK {{ FILTER({}true) }}", "!".repeat(5000));
        assert!(Shape::of(&nots).check().is_err());
        let unions = vec!["{ ?s ?p ?o }"; 2000].join(" UNION ");
        assert!(
            Shape::of(&format!("SELECT * {{ {unions} }}"))
                .check()
                .is_err()
        );
        let joined = vec!["?s <urn:p> ?o ."; 100].join(" ");
        let s = Shape::of(&format!("SELECT * {{ {joined} }}")).check();
        assert!(s.is_ok_and(|s| !s.planned()));
    }

    #[test]
    fn the_example_queries_are_taken_and_planned() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/queries");
        for entry in std::fs::read_dir(dir).expect("data/queries") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "rq") {
                let text = std::fs::read_to_string(&path).expect("query");
                let s = Shape::of(&text);
                assert!(
                    s.check().is_ok_and(Shape::planned),
                    "{}: {s:?}",
                    path.display()
                );
            }
        }
    }
}
