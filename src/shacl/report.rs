//! Validation reports: the results, and their renderings as RDF (Turtle), as
//! JSON, and as French text grouped by focus node.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Graph, Literal, NamedNodeRef, Term, Triple};
use serde_json::{Value as Json, json};

use super::Severity;
use super::compile::{Bound, Constraint, Logic, Pair};
use super::path::Path;
use super::validate::{Ctx, Raw};
use crate::vocab::sh;

/// The outcome of validating a data graph against shapes.
#[derive(Debug, Clone, Default)]
pub struct ValidationReport {
    results: Vec<ValidationResult>,
}

/// One validation result (`sh:ValidationResult`).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationResult {
    focus_node: Term,
    path: Option<Arc<Path>>,
    value: Option<Term>,
    source_shape: Term,
    component: NamedNodeRef<'static>,
    severity: Severity,
    message: Literal,
}

impl ValidationResult {
    /// `sh:focusNode`.
    pub fn focus_node(&self) -> &Term {
        &self.focus_node
    }

    /// `sh:resultPath`.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// `sh:value`.
    pub fn value(&self) -> Option<&Term> {
        self.value.as_ref()
    }

    /// `sh:sourceShape`.
    pub fn source_shape(&self) -> &Term {
        &self.source_shape
    }

    /// `sh:sourceConstraintComponent`.
    pub fn source_constraint_component(&self) -> NamedNodeRef<'static> {
        self.component
    }

    /// `sh:resultSeverity`.
    pub fn severity(&self) -> &Severity {
        &self.severity
    }

    /// `sh:resultMessage`: the shape's `sh:message` (French preferred, then
    /// untagged, then English), or a generated French message.
    pub fn message(&self) -> &Literal {
        &self.message
    }
}

impl ValidationReport {
    /// `sh:conforms`: true when there is no result at all.
    pub fn conforms(&self) -> bool {
        self.results.is_empty()
    }

    /// The results, in validation order.
    pub fn results(&self) -> &[ValidationResult] {
        &self.results
    }

    /// Whether some result has severity `sh:Violation`.
    pub fn has_violations(&self) -> bool {
        self.results
            .iter()
            .any(|r| r.severity == Severity::Violation)
    }

    /// The report as an RDF graph (SHACL report vocabulary).
    pub fn to_graph(&self) -> Graph {
        let mut g = Graph::new();
        let report = BlankNode::default();
        g.insert(&Triple::new(
            report.clone(),
            rdf::TYPE.into_owned(),
            sh::VALIDATION_REPORT.into_owned(),
        ));
        g.insert(&Triple::new(
            report.clone(),
            sh::CONFORMS.into_owned(),
            Literal::new_typed_literal(
                if self.conforms() { "true" } else { "false" },
                xsd::BOOLEAN,
            ),
        ));
        for r in &self.results {
            let node = BlankNode::default();
            g.insert(&Triple::new(
                report.clone(),
                sh::RESULT.into_owned(),
                node.clone(),
            ));
            let mut add = |p: NamedNodeRef<'_>, o: Term| {
                g.insert(&Triple::new(node.clone(), p.into_owned(), o));
            };
            add(rdf::TYPE, sh::VALIDATION_RESULT.into_owned().into());
            add(sh::FOCUS_NODE, r.focus_node.clone());
            if let Some(v) = &r.value {
                add(sh::VALUE, v.clone());
            }
            add(sh::SOURCE_SHAPE, r.source_shape.clone());
            add(
                sh::SOURCE_CONSTRAINT_COMPONENT,
                r.component.into_owned().into(),
            );
            add(sh::RESULT_SEVERITY, r.severity.iri().into_owned().into());
            add(sh::RESULT_MESSAGE, r.message.clone().into());
            if let Some(path) = &r.path {
                let p = path.to_rdf(&mut g);
                g.insert(&Triple::new(node.clone(), sh::RESULT_PATH.into_owned(), p));
            }
        }
        g
    }

    /// The report as Turtle (results nested as blank nodes, in order).
    pub fn to_turtle(&self) -> String {
        let mut out = format!(
            "@prefix sh: <{}> .\n\n[] a sh:ValidationReport ;\n    sh:conforms {}",
            sh::NAMESPACE,
            self.conforms()
        );
        for (i, r) in self.results.iter().enumerate() {
            out.push_str(if i == 0 {
                " ;\n    sh:result [\n"
            } else {
                ", [\n"
            });
            let _ = writeln!(out, "        a sh:ValidationResult ;");
            let _ = writeln!(out, "        sh:focusNode {} ;", r.focus_node);
            if let Some(p) = &r.path {
                out.push_str("        sh:resultPath ");
                path_turtle(p, &mut out);
                out.push_str(" ;\n");
            }
            if let Some(v) = &r.value {
                let _ = writeln!(out, "        sh:value {v} ;");
            }
            let _ = writeln!(out, "        sh:sourceShape {} ;", r.source_shape);
            let _ = writeln!(
                out,
                "        sh:sourceConstraintComponent {} ;",
                sh_name(r.component)
            );
            let _ = writeln!(
                out,
                "        sh:resultSeverity {} ;",
                sh_name(r.severity.iri())
            );
            let _ = writeln!(out, "        sh:resultMessage {}", r.message);
            out.push_str("    ]");
        }
        out.push_str(" .\n");
        out
    }

    /// The report as JSON: `{"conforms": bool, "results": [...]}`, terms as
    /// SPARQL-JSON-style objects, paths in SPARQL syntax.
    pub fn to_json(&self) -> Json {
        let results: Vec<Json> = self
            .results
            .iter()
            .map(|r| {
                let mut o = serde_json::Map::new();
                o.insert("focusNode".into(), term_json(&r.focus_node));
                if let Some(p) = &r.path {
                    o.insert("resultPath".into(), Json::String(p.to_string()));
                }
                if let Some(v) = &r.value {
                    o.insert("value".into(), term_json(v));
                }
                o.insert("sourceShape".into(), term_json(&r.source_shape));
                o.insert(
                    "sourceConstraintComponent".into(),
                    Json::String(r.component.as_str().into()),
                );
                o.insert(
                    "resultSeverity".into(),
                    Json::String(r.severity.iri().as_str().into()),
                );
                o.insert(
                    "resultMessage".into(),
                    Json::String(r.message.value().into()),
                );
                if let Some(lang) = r.message.language() {
                    o.insert("resultMessageLanguage".into(), Json::String(lang.into()));
                }
                Json::Object(o)
            })
            .collect();
        json!({ "conforms": self.conforms(), "results": results })
    }

    /// A French text rendering grouped by focus node, e.g.
    /// `Nœud <…> (fichier.ttl, ligne 3) : 2 problèmes` then one
    /// `  - dcterms:title : message (valeur : …)` line per result.
    /// `locations` maps focus nodes to (file, line) when known.
    pub fn to_french_text(&self, locations: Option<&HashMap<Term, (String, usize)>>) -> String {
        if self.conforms() {
            return "Aucun problème : les données sont conformes.\n".to_owned();
        }
        let mut order: Vec<&Term> = Vec::new();
        let mut groups: HashMap<&Term, Vec<&ValidationResult>> = HashMap::new();
        for r in &self.results {
            let group = groups.entry(&r.focus_node).or_default();
            if group.is_empty() {
                order.push(&r.focus_node);
            }
            group.push(r);
        }
        let mut out = String::new();
        for focus in order {
            let group = &groups[focus];
            let n = group.len();
            let _ = write!(out, "Nœud {}", term_text(focus));
            if let Some((file, line)) = locations.and_then(|l| l.get(focus)) {
                let _ = write!(out, " ({file}, ligne {line})");
            }
            let _ = writeln!(out, " : {n} problème{}", if n > 1 { "s" } else { "" });
            for r in group {
                out.push_str("  - ");
                if let Some(p) = &r.path {
                    let mut s = String::new();
                    let _ = p.write_with(&mut s, &|n| compact(n.as_str()));
                    let _ = write!(out, "{s} : ");
                }
                out.push_str(r.message.value());
                match r.severity {
                    Severity::Warning => out.push_str(" [avertissement]"),
                    Severity::Info => out.push_str(" [information]"),
                    _ => {}
                }
                if let Some(v) = &r.value {
                    let _ = write!(out, " (valeur : {})", term_text(v));
                }
                out.push('\n');
            }
        }
        out
    }
}

/// `sh:Local` for SHACL IRIs, `<iri>` otherwise.
fn sh_name(iri: NamedNodeRef<'_>) -> String {
    match iri.as_str().strip_prefix(sh::NAMESPACE) {
        Some(local) if !local.is_empty() && local.chars().all(char::is_alphanumeric) => {
            format!("sh:{local}")
        }
        _ => iri.to_string(),
    }
}

/// Writes the Turtle form of a path (nested blank nodes and lists).
fn path_turtle(path: &Path, out: &mut String) {
    let wrapped = |op: &str, inner: &Path, out: &mut String| {
        let _ = write!(out, "[ sh:{op} ");
        path_turtle(inner, out);
        out.push_str(" ]");
    };
    match path {
        Path::Predicate(p) => {
            let _ = write!(out, "{p}");
        }
        Path::Sequence(steps) | Path::Alternative(steps) => {
            let alternative = matches!(path, Path::Alternative(_));
            if alternative {
                out.push_str("[ sh:alternativePath ");
            }
            out.push('(');
            for step in steps {
                out.push(' ');
                path_turtle(step, out);
            }
            out.push_str(" )");
            if alternative {
                out.push_str(" ]");
            }
        }
        Path::Inverse(p) => wrapped("inversePath", p, out),
        Path::ZeroOrMore(p) => wrapped("zeroOrMorePath", p, out),
        Path::OneOrMore(p) => wrapped("oneOrMorePath", p, out),
        Path::ZeroOrOne(p) => wrapped("zeroOrOnePath", p, out),
    }
}

fn term_json(t: &Term) -> Json {
    match t {
        Term::BlankNode(b) => json!({ "type": "bnode", "value": b.as_str() }),
        Term::Literal(l) => {
            let mut o = serde_json::Map::new();
            o.insert("type".into(), Json::String("literal".into()));
            o.insert("value".into(), Json::String(l.value().into()));
            if let Some(lang) = l.language() {
                o.insert("xml:lang".into(), Json::String(lang.into()));
            } else if l.datatype() != xsd::STRING {
                o.insert(
                    "datatype".into(),
                    Json::String(l.datatype().as_str().into()),
                );
            }
            Json::Object(o)
        }
        _ => json!({ "type": "uri", "value": term_iri(t) }),
    }
}

fn term_iri(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => n.as_str().to_owned(),
        _ => t.to_string(),
    }
}

/// A short human rendering of a term: compact IRI or `<iri>`, quoted
/// literal.
fn term_text(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => compact(n.as_str()),
        Term::Literal(l) => match l.language() {
            Some(lang) => format!("« {} »@{lang}", l.value()),
            None if l.datatype() == xsd::STRING => format!("« {} »", l.value()),
            None => format!("« {} » ({})", l.value(), compact(l.datatype().as_str())),
        },
        _ => t.to_string(),
    }
}

/// `prefix:local` for well-known namespaces, `<iri>` otherwise.
pub(crate) fn compact(iri: &str) -> String {
    for (prefix, ns) in crate::vocab::PREFIXES {
        if let Some(local) = iri.strip_prefix(ns)
            && !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return format!("{prefix}:{local}");
        }
    }
    format!("<{iri}>")
}

/// Materialises raw results into a report.
pub(crate) fn build(ctx: &Ctx<'_>, raws: Vec<Raw>) -> ValidationReport {
    let results = raws
        .into_iter()
        .map(|raw| {
            let shape = &ctx.shapes.shapes[raw.at.shape as usize];
            let constraint = &shape.constraints[raw.at.constraint as usize];
            let path = match raw.predicate {
                Some(p) => match ctx.term(p) {
                    Term::NamedNode(n) => Some(Arc::new(Path::Predicate(n.clone()))),
                    _ => None,
                },
                None => shape.path.as_ref().map(|(p, _)| Arc::clone(p)),
            };
            let message = shape.message.clone().unwrap_or_else(|| {
                Literal::new_language_tagged_literal_unchecked(
                    default_message(ctx, constraint, raw.component),
                    "fr",
                )
            });
            ValidationResult {
                focus_node: ctx.term(raw.at.focus).clone(),
                path,
                value: raw.value.map(|v| ctx.term(v).clone()),
                source_shape: shape.node.clone(),
                component: raw.component,
                severity: shape.severity.clone(),
                message,
            }
        })
        .collect();
    ValidationReport { results }
}

fn const_text(ctx: &Ctx<'_>, c: u32) -> String {
    term_text(&ctx.shapes.consts.terms[c as usize])
}

fn shape_text(ctx: &Ctx<'_>, s: u32) -> String {
    term_text(&ctx.shapes.shapes[s as usize].node)
}

/// A French message describing what the constraint expects.
fn default_message(ctx: &Ctx<'_>, constraint: &Constraint, component: NamedNodeRef<'_>) -> String {
    let plural = |n: usize, word: &str| {
        if n > 1 {
            format!("{n} {word}s")
        } else {
            format!("{n} {word}")
        }
    };
    match constraint {
        Constraint::Class(c) => format!(
            "La valeur doit être une instance de {}",
            const_text(ctx, *c)
        ),
        Constraint::Datatype(dt) => {
            format!(
                "La valeur doit être un littéral valide de type {}",
                compact(dt.as_str())
            )
        }
        Constraint::NodeKind(_, kind) => {
            let what = match kind
                .as_str()
                .strip_prefix(sh::NAMESPACE)
                .unwrap_or_default()
            {
                "IRI" => "une IRI",
                "BlankNode" => "un nœud anonyme",
                "Literal" => "un littéral",
                "BlankNodeOrIRI" => "une IRI ou un nœud anonyme",
                "BlankNodeOrLiteral" => "un nœud anonyme ou un littéral",
                _ => "une IRI ou un littéral",
            };
            format!("La valeur doit être {what}")
        }
        Constraint::MinCount(1) => "Une valeur est obligatoire".to_owned(),
        Constraint::MinCount(n) => format!("Au moins {} sont requises", plural(*n, "valeur")),
        Constraint::MaxCount(0) => "Aucune valeur n'est autorisée".to_owned(),
        Constraint::MaxCount(n) => format!(
            "Au plus {} autorisée{}",
            plural(*n, "valeur"),
            if *n > 1 { "s" } else { "" }
        ),
        Constraint::Range(bound, lit) => {
            let rel = match bound {
                Bound::MinExclusive => "strictement supérieure à",
                Bound::MinInclusive => "supérieure ou égale à",
                Bound::MaxExclusive => "strictement inférieure à",
                Bound::MaxInclusive => "inférieure ou égale à",
            };
            format!("La valeur doit être {rel} {}", lit.value())
        }
        Constraint::MinLength(n) => format!(
            "La valeur doit compter au moins {}",
            plural(*n, "caractère")
        ),
        Constraint::MaxLength(n) => {
            format!("La valeur doit compter au plus {}", plural(*n, "caractère"))
        }
        Constraint::Pattern(_, pattern) => {
            format!("La valeur ne respecte pas le format attendu ({pattern})")
        }
        Constraint::LanguageIn(tags) => format!("La langue doit être parmi : {}", tags.join(", ")),
        Constraint::UniqueLang => "Une seule valeur par langue est autorisée".to_owned(),
        Constraint::Pair(pair, p) => {
            let p = const_text(ctx, *p);
            match pair {
                Pair::Equals => format!("Les valeurs doivent être identiques à celles de {p}"),
                Pair::Disjoint => format!("Les valeurs ne doivent pas figurer parmi celles de {p}"),
                Pair::LessThan => {
                    format!("La valeur doit être strictement inférieure à celles de {p}")
                }
                Pair::LessThanOrEquals => {
                    format!("La valeur doit être inférieure ou égale à celles de {p}")
                }
            }
        }
        Constraint::Not(s) => format!(
            "La valeur ne doit pas être conforme à la forme {}",
            shape_text(ctx, *s)
        ),
        Constraint::Logic(logic, _) => match logic {
            Logic::And => "La valeur doit être conforme à toutes les formes demandées".to_owned(),
            Logic::Or => {
                "La valeur doit être conforme à au moins une des formes proposées".to_owned()
            }
            Logic::Xone => {
                "La valeur doit être conforme à exactement une des formes proposées".to_owned()
            }
        },
        Constraint::Node(s) => format!(
            "La valeur n'est pas conforme à la forme {}",
            shape_text(ctx, *s)
        ),
        Constraint::Property(_) => "Valeur non conforme".to_owned(),
        Constraint::Qualified {
            shape, min, max, ..
        } => {
            if component == sh::QUALIFIED_MIN_COUNT_CONSTRAINT_COMPONENT {
                format!(
                    "Au moins {} conformes à la forme {} sont requises",
                    plural(min.unwrap_or(0), "valeur"),
                    shape_text(ctx, *shape)
                )
            } else {
                format!(
                    "Au plus {} conformes à la forme {} sont autorisées",
                    plural(max.unwrap_or(0), "valeur"),
                    shape_text(ctx, *shape)
                )
            }
        }
        Constraint::Closed(_) => "Propriété non autorisée ici".to_owned(),
        Constraint::HasValue(c) => format!("La valeur {} est requise", const_text(ctx, *c)),
        Constraint::In(set) => {
            let members: Vec<String> = ctx.shapes.sets[*set]
                .iter()
                .take(8)
                .map(|c| const_text(ctx, *c))
                .collect();
            let more = if ctx.shapes.sets[*set].len() > 8 {
                ", …"
            } else {
                ""
            };
            format!(
                "La valeur doit être l'une de : {}{more}",
                members.join(", ")
            )
        }
        Constraint::Luhn => "Numéro invalide (clé de contrôle de Luhn incorrecte)".to_owned(),
    }
}

impl Severity {
    /// The severity's IRI.
    pub fn iri(&self) -> NamedNodeRef<'_> {
        match self {
            Self::Violation => sh::VIOLATION,
            Self::Warning => sh::WARNING,
            Self::Info => sh::INFO,
            Self::Other(iri) => iri.as_ref(),
        }
    }
}
