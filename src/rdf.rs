//! Reading RDF files: format by extension (gzip accepted), base IRI
//! resolution, and parse errors that name the file, line and column.

use flate2::read::GzDecoder;
use oxrdf::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use oxrdfio::{JsonLdProfileSet, RdfFormat, RdfParseError, RdfParser};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{path} : lecture impossible : {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The extension names no RDF format bibia reads.
    #[error(
        "{path} : format inconnu ; extensions acceptées : .ttl .trig .nt .nq .jsonld .rdf .owl (éventuellement suivies de .gz)"
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The content is not valid in its format.
    #[error("{path}{} : erreur de syntaxe : {message}", position.map(|(l, c)| format!(", ligne {l}, colonne {c}")).unwrap_or_default())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Line and column (1-based) where the parser knows them.
        position: Option<(u64, u64)>,
        /// The parser's message.
        message: String,
    },
}

/// The RDF format of a file name, and whether it is gzipped.
pub fn format_of(path: &Path) -> Option<(RdfFormat, bool)> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let (name, gz) = match name.strip_suffix(".gz") {
        Some(n) => (n.to_owned(), true),
        None => (name, false),
    };
    let ext = name.rsplit('.').next()?;
    let format = match ext {
        "ttl" | "turtle" => RdfFormat::Turtle,
        "trig" => RdfFormat::TriG,
        "nt" => RdfFormat::NTriples,
        "nq" => RdfFormat::NQuads,
        "jsonld" | "json" => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
        "rdf" | "owl" | "xml" => RdfFormat::RdfXml,
        _ => return None,
    };
    Some((format, gz))
}

/// Reads a whole file (decompressing `.gz`) into memory.
pub fn read_bytes(path: &Path) -> Result<(RdfFormat, Vec<u8>), ReadError> {
    let (format, gz) = format_of(path).ok_or_else(|| ReadError::UnknownFormat {
        path: path.to_owned(),
    })?;
    let raw = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok((format, maybe_gunzip(path, raw, gz)?))
}

/// Decompresses `raw` when `gz` is set.
pub fn maybe_gunzip(path: &Path, raw: Vec<u8>, gz: bool) -> Result<Vec<u8>, ReadError> {
    if !gz {
        return Ok(raw);
    }
    let mut out = Vec::with_capacity(raw.len() * 6);
    GzDecoder::new(raw.as_slice())
        .read_to_end(&mut out)
        .map_err(|source| ReadError::Io {
            path: path.to_owned(),
            source,
        })?;
    Ok(out)
}

/// N-Triples and N-Quads documents above this size are parsed on every core.
const PARALLEL_PARSE_MIN_BYTES: usize = 8 << 20;

/// Parses `bytes` in `format`, resolving relative IRIs against `base`.
/// Blank nodes are renamed so that two files never share one by accident.
pub fn parse(
    path: &Path,
    format: RdfFormat,
    bytes: &[u8],
    base: &str,
) -> Result<Vec<Quad>, ReadError> {
    check_json_depth(path, format, bytes)?;
    if bytes.len() >= PARALLEL_PARSE_MIN_BYTES {
        // On a syntax error, the sequential parse below reports it with the
        // line and column in the whole file.
        if let Some(quads) = parse_in_parallel(format, bytes) {
            return Ok(quads);
        }
    }
    let parser = RdfParser::from_format(format)
        .with_base_iri(base)
        .map_err(|e| ReadError::Syntax {
            path: path.to_owned(),
            position: None,
            message: e.to_string(),
        })?
        .rename_blank_nodes();
    parser
        .for_slice(bytes)
        .map(|q| q.map_err(|e| syntax_error(path, e)))
        .collect()
}

/// The deepest nesting of objects and arrays read in a JSON-LD document.
/// oxjsonld expands a nested object by recursion, some 2 KiB of stack a
/// level: about 900 levels overflow a 2 MiB thread stack, and a stack
/// overflow aborts the whole process (the server, not the request).
/// Records and their contexts nest a few levels.
pub const MAX_JSON_DEPTH: usize = 64;

/// The 1-based line and column of the bracket where a JSON document nests
/// deeper than `max`, if it does (strings skipped).
pub fn json_too_deep(bytes: &[u8], max: usize) -> Option<(u64, u64)> {
    let (mut depth, mut line, mut column) = (0usize, 1u64, 0u64);
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        column += 1;
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return Some((line, column));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'\n' => {
                line += 1;
                column = 0;
            }
            _ => {}
        }
    }
    None
}

/// The syntax error of a JSON-LD document nested deeper than
/// [`MAX_JSON_DEPTH`], checked before it is parsed.
fn check_json_depth(path: &Path, format: RdfFormat, bytes: &[u8]) -> Result<(), ReadError> {
    if !matches!(format, RdfFormat::JsonLd { .. }) {
        return Ok(());
    }
    match json_too_deep(bytes, MAX_JSON_DEPTH) {
        Some(position) => Err(ReadError::Syntax {
            path: path.to_owned(),
            position: Some(position),
            message: format!(
                "objets et tableaux JSON imbriqués sur plus de {MAX_JSON_DEPTH} niveaux"
            ),
        }),
        None => Ok(()),
    }
}

/// Parses a line-based document (N-Triples, N-Quads) in one chunk per core;
/// `None` when the format is not line-based, there is one core, or a chunk
/// fails to parse.
fn parse_in_parallel(format: RdfFormat, bytes: &[u8]) -> Option<Vec<Quad>> {
    if !matches!(format, RdfFormat::NTriples | RdfFormat::NQuads) {
        return None;
    }
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads < 2 {
        return None;
    }
    let parsers = RdfParser::from_format(format).split_slice_for_parallel_parsing(bytes, threads);
    let chunks: Vec<Option<Vec<Quad>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parsers
            .into_iter()
            .map(|parser| scope.spawn(move || parser.collect::<Result<Vec<_>, _>>().ok()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut quads = Vec::with_capacity(chunks.iter().flatten().map(Vec::len).sum());
    for chunk in chunks {
        quads.extend(chunk?);
    }
    rename_blank_nodes(&mut quads);
    Some(quads)
}

/// Gives every blank node label of a document a fresh, unique node (the
/// same label everywhere in the document, the same node).
fn rename_blank_nodes(quads: &mut [Quad]) {
    let mut fresh: HashMap<BlankNode, BlankNode> = HashMap::new();
    let mut rename = |b: &mut BlankNode| {
        *b = fresh.entry(b.clone()).or_default().clone();
    };
    for q in quads {
        if let NamedOrBlankNode::BlankNode(b) = &mut q.subject {
            rename(b);
        }
        if let Term::BlankNode(b) = &mut q.object {
            rename(b);
        }
        if let GraphName::BlankNode(b) = &mut q.graph_name {
            rename(b);
        }
    }
}

/// Reads and parses one file.
pub fn read_file(path: &Path, base: &str) -> Result<Vec<Quad>, ReadError> {
    let (format, bytes) = read_bytes(path)?;
    parse(path, format, &bytes, base)
}

fn syntax_error(path: &Path, e: impl Into<RdfParseError>) -> ReadError {
    match e.into() {
        RdfParseError::Io(source) => ReadError::Io {
            path: path.to_owned(),
            source,
        },
        RdfParseError::Syntax(e) => ReadError::Syntax {
            path: path.to_owned(),
            position: e.location().map(|r| (r.start.line + 1, r.start.column + 1)),
            message: e.to_string(),
        },
    }
}

/// The 1-based line of the first mention of `iri` in a text file (as a full
/// IRI or relative to `base`), to point an editor at a failing record.
pub fn line_of(text: &str, iri: &str, base: &str) -> Option<usize> {
    let rel = iri.strip_prefix(base).map(|r| format!("</{r}>"));
    let full = format!("<{iri}>");
    text.lines()
        .position(|l| l.contains(&full) || rel.as_deref().is_some_and(|r| l.contains(r)))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_nesting_is_measured_outside_strings() {
        assert_eq!(json_too_deep(br#"{"a": [{"b": "[[[{{{"}]}"#, 3), None);
        assert_eq!(json_too_deep(br#"{"a": [{"b": "\"[[[{{{"}]}"#, 3), None);
        assert_eq!(json_too_deep(b"{\"a\":\n  [[{}]]}", 3), Some((2, 5)));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse(
            Path::new("profond.jsonld"),
            RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            deep.as_bytes(),
            "http://example.org/",
        )
        .expect_err("too deep");
        assert!(e.to_string().contains("ligne 1, colonne 65"), "{e}");
    }
}
