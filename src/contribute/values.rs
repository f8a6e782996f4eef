//! A form's values: filled from a stored record ([`Form::values`]), or
//! read from what a browser posted ([`Form::read`]) into the record's
//! triples, with the errors a person can fix before validation (a date
//! that is not one, a value outside the list).

use super::errors::FieldErrors;
use super::form::{Field, Form, Group, Input, Node};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Graph, Literal, NamedNode, NamedOrBlankNodeRef, Quad, Term, TermRef, Triple};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

/// The values of a form, by the name of their field (a nested node's
/// fields by `{parent}.{block}.{name}`), as the inputs show them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    fields: BTreeMap<String, Vec<String>>,
    blocks: BTreeMap<String, Vec<String>>,
}

impl Values {
    /// The values of the field named `name` (none when it has none).
    pub fn get(&self, name: &str) -> &[String] {
        self.fields.get(name).map_or(&[], Vec::as_slice)
    }

    /// Sets the values of the field named `name` (to pre-fill a new
    /// record: its organisation, say).
    pub fn set(&mut self, name: &str, values: Vec<String>) {
        if values.is_empty() {
            self.fields.remove(name);
        } else {
            self.fields.insert(name.to_owned(), values);
        }
    }

    /// The blocks of the nested-node field named `name`: the fragments of
    /// their IRIs, in order.
    pub fn blocks(&self, name: &str) -> &[String] {
        self.blocks.get(name).map_or(&[], Vec::as_slice)
    }

    /// Every block's fragment, whatever its field.
    pub fn fragments(&self) -> impl Iterator<Item = &str> {
        self.blocks.values().flatten().map(String::as_str)
    }

    /// The values as a browser posts them: (name, value) pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .flat_map(|(name, values)| values.iter().map(move |v| (name.clone(), v.clone())))
            .collect()
    }

    /// Whether no field has a value.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    fn push(&mut self, name: &str, value: String) {
        self.fields.entry(name.to_owned()).or_default().push(value);
    }
}

/// What a posted form gives.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    /// What was typed, to show the form again.
    pub values: Values,
    /// The record's triples: its type, every value read, its nested nodes
    /// (`{record}#{fragment}`) with their type and values.
    pub triples: Vec<Triple>,
    /// What could not be read, by field.
    pub errors: FieldErrors,
}

impl Form {
    /// The values of the stored record `record` (every field, restricted
    /// ones included: only the people allowed to edit it get the form),
    /// from its quads (graph names are ignored).
    ///
    /// A nested node keeps its block name when its IRI is
    /// `{record}#{fragment}`; another node (a blank node) gets a new
    /// fragment, and reading the form back names it so.
    pub fn values(&self, record: &NamedNode, quads: &[Quad]) -> Values {
        let graph: Graph = quads
            .iter()
            .map(|q| oxrdf::TripleRef::new(&q.subject, &q.predicate, &q.object))
            .collect();
        let mut taken: HashSet<String> = graph
            .iter()
            .filter_map(|t| match t.subject {
                NamedOrBlankNodeRef::NamedNode(n) => fragment_of(record, n.as_str()),
                NamedOrBlankNodeRef::BlankNode(_) => None,
            })
            .map(str::to_owned)
            .collect();
        let mut values = Values::default();
        fill(
            &self.groups,
            record.as_ref().into(),
            "",
            record,
            &graph,
            &mut values,
            &mut taken,
        );
        values
    }

    /// Reads what a browser posted for the record `record`: values are
    /// trimmed, empty ones dropped, names that are no field's ignored; a
    /// nested block without any value is dropped.
    pub fn read(&self, record: &NamedNode, pairs: &[(String, String)]) -> Submission {
        let posted = Posted::new(pairs);
        let mut submission = Submission {
            triples: vec![Triple::new(
                record.clone(),
                rdf::TYPE.into_owned(),
                self.class.clone(),
            )],
            ..Submission::default()
        };
        let mut taken = HashSet::new();
        read_groups(
            &self.groups,
            record,
            "",
            record,
            &posted,
            &mut submission,
            &mut taken,
        );
        submission
    }
}

/// The fragment of `iri` when it is `{record}#{fragment}` with a fragment
/// a form name can carry.
fn fragment_of<'a>(record: &NamedNode, iri: &'a str) -> Option<&'a str> {
    iri.strip_prefix(record.as_str())
        .and_then(|rest| rest.strip_prefix('#'))
        .filter(|f| valid_fragment(f))
}

/// A fragment a block may have: ASCII letters, digits, `-` and `_`, not
/// too long (no `.`: it separates the parts of a name).
fn valid_fragment(fragment: &str) -> bool {
    !fragment.is_empty()
        && fragment.len() <= 120
        && fragment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn fill(
    groups: &[Group],
    subject: NamedOrBlankNodeRef<'_>,
    prefix: &str,
    record: &NamedNode,
    graph: &Graph,
    values: &mut Values,
    taken: &mut HashSet<String>,
) {
    for field in groups.iter().flat_map(|g| &g.fields) {
        let name = format!("{prefix}{}", field.name);
        let mut objects: Vec<TermRef<'_>> = graph
            .objects_for_subject_predicate(subject, &field.property)
            .collect();
        objects.sort_by_key(ToString::to_string);
        match &field.input {
            Input::Node(node) => {
                for object in objects {
                    let child: NamedOrBlankNodeRef<'_> = match object {
                        TermRef::NamedNode(n) => n.into(),
                        TermRef::BlankNode(b) => b.into(),
                        TermRef::Literal(_) => continue,
                    };
                    let fragment = match child {
                        NamedOrBlankNodeRef::NamedNode(n) => fragment_of(record, n.as_str()),
                        NamedOrBlankNodeRef::BlankNode(_) => None,
                    }
                    .map_or_else(|| node.fresh_fragment(taken), str::to_owned);
                    values
                        .blocks
                        .entry(name.clone())
                        .or_default()
                        .push(fragment.clone());
                    fill(
                        &node.groups,
                        child,
                        &format!("{name}.{fragment}."),
                        record,
                        graph,
                        values,
                        taken,
                    );
                }
            }
            input => {
                for object in objects {
                    if let Some(shown) = show(input, object) {
                        values.push(&name, shown);
                    }
                }
            }
        }
    }
}

/// What the input of a field shows for a stored value (`None`: a value the
/// field does not carry, such as a text in English).
fn show(input: &Input, term: TermRef<'_>) -> Option<String> {
    match (input, term) {
        (Input::Text { .. }, TermRef::Literal(l)) => {
            matches!(l.language(), None | Some("fr")).then(|| l.value().to_owned())
        }
        (
            Input::Date
            | Input::PartialDate
            | Input::DateTime
            | Input::Decimal { .. }
            | Input::Integer { .. }
            | Input::Boolean,
            TermRef::Literal(l),
        ) => Some(l.value().to_owned()),
        (Input::Url | Input::Iri | Input::Reference(_), TermRef::NamedNode(n)) => {
            Some(n.as_str().to_owned())
        }
        (Input::Url, TermRef::Literal(l)) => Some(l.value().to_owned()),
        (Input::Email, TermRef::NamedNode(n)) => Some(
            n.as_str()
                .strip_prefix("mailto:")
                .unwrap_or(n.as_str())
                .to_owned(),
        ),
        (Input::Telephone, TermRef::NamedNode(n)) => Some(
            n.as_str()
                .strip_prefix("tel:")
                .unwrap_or(n.as_str())
                .to_owned(),
        ),
        (Input::Choice(choices), term) => {
            let term = term.into_owned();
            choices
                .iter()
                .find(|c| c.value == term)
                .map(|c| c.key().to_owned())
        }
        _ => None,
    }
}

/// The posted pairs: trimmed non-empty values by name, and the names in
/// the order they came.
struct Posted<'a> {
    values: HashMap<&'a str, Vec<&'a str>>,
    order: Vec<&'a str>,
}

impl<'a> Posted<'a> {
    fn new(pairs: &'a [(String, String)]) -> Self {
        let mut values: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut order = Vec::new();
        for (name, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let entry = values.entry(name.as_str()).or_default();
            if entry.is_empty() {
                order.push(name.as_str());
            }
            entry.push(value);
        }
        Self { values, order }
    }

    fn get(&self, name: &str) -> &[&'a str] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// The blocks of the nested field `name`: the second parts of the
    /// names `{name}.{block}.{field}` that have a value, in order.
    fn blocks(&self, name: &str) -> Vec<&'a str> {
        let start = format!("{name}.");
        let mut blocks: Vec<&str> = Vec::new();
        for key in &self.order {
            if let Some((block, rest)) = key.strip_prefix(&start).and_then(|r| r.split_once('.'))
                && !rest.is_empty()
                && !blocks.contains(&block)
            {
                blocks.push(block);
            }
        }
        blocks
    }
}

fn read_groups(
    groups: &[Group],
    subject: &NamedNode,
    prefix: &str,
    record: &NamedNode,
    posted: &Posted<'_>,
    out: &mut Submission,
    taken: &mut HashSet<String>,
) {
    for field in groups.iter().flat_map(|g| &g.fields) {
        let name = format!("{prefix}{}", field.name);
        match &field.input {
            Input::Node(node) => {
                read_blocks(field, node, subject, &name, record, posted, out, taken)
            }
            input => {
                for value in posted.get(&name) {
                    out.values.push(&name, (*value).to_owned());
                    match parse(input, value) {
                        Ok(term) => out.triples.push(Triple::new(
                            subject.clone(),
                            field.property.clone(),
                            term,
                        )),
                        Err(message) => out.errors.push(&name, message),
                    }
                }
            }
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one step of the recursion of read_groups, which passes its context on"
)]
fn read_blocks(
    field: &Field,
    node: &Node,
    subject: &NamedNode,
    name: &str,
    record: &NamedNode,
    posted: &Posted<'_>,
    out: &mut Submission,
    taken: &mut HashSet<String>,
) {
    for block in posted.blocks(name) {
        if !valid_fragment(block) || !taken.insert(block.to_owned()) {
            out.errors.push_general(format!(
                "Un bloc « {} » du formulaire porte un nom invalide ou déjà pris (« {block} ») : il a été ignoré.",
                field.label
            ));
            continue;
        }
        let Ok(child) = NamedNode::new(format!("{}#{block}", record.as_str())) else {
            out.errors.push_general(format!(
                "Le bloc « {block} » ne peut pas être nommé d'après la fiche : il a été ignoré."
            ));
            continue;
        };
        let mut inner = Submission::default();
        read_groups(
            &node.groups,
            &child,
            &format!("{name}.{block}."),
            record,
            posted,
            &mut inner,
            taken,
        );
        if inner.values.is_empty() && inner.errors.is_empty() {
            // Names that are no field of the node: no block.
            taken.remove(block);
            continue;
        }
        out.values
            .blocks
            .entry(name.to_owned())
            .or_default()
            .push(block.to_owned());
        out.triples.push(Triple::new(
            subject.clone(),
            field.property.clone(),
            child.clone(),
        ));
        out.triples.push(Triple::new(
            child,
            rdf::TYPE.into_owned(),
            node.class.clone(),
        ));
        out.triples.append(&mut inner.triples);
        out.values.fields.append(&mut inner.values.fields);
        for (parent, mut blocks) in inner.values.blocks {
            out.values
                .blocks
                .entry(parent)
                .or_default()
                .append(&mut blocks);
        }
        out.errors.extend(inner.errors);
    }
}

/// The term a typed value becomes, or what is wrong with it, in French.
fn parse(input: &Input, value: &str) -> Result<Term, String> {
    Ok(match input {
        Input::Text {
            datatype,
            multiline,
        } => {
            let text = if *multiline {
                value.replace("\r\n", "\n")
            } else {
                value.to_owned()
            };
            if datatype.as_ref() == rdf::LANG_STRING {
                Literal::new_language_tagged_literal_unchecked(text, "fr")
            } else if datatype.as_ref() == xsd::STRING {
                Literal::new_simple_literal(text)
            } else {
                Literal::new_typed_literal(text, datatype.clone())
            }
            .into()
        }
        Input::Date => {
            let date = french_date(value).unwrap_or_else(|| value.to_owned());
            oxsdatatypes::Date::from_str(&date).map_err(|_| {
                format!("« {value} » n'est pas une date : écrivez-la AAAA-MM-JJ (par exemple 2024-03-15).")
            })?;
            Literal::new_typed_literal(date, xsd::DATE).into()
        }
        Input::PartialDate => {
            let date = french_date(value).unwrap_or_else(|| value.to_owned());
            let datatype = if oxsdatatypes::Date::from_str(&date).is_ok() {
                xsd::DATE
            } else if oxsdatatypes::GYearMonth::from_str(&date).is_ok() {
                xsd::G_YEAR_MONTH
            } else if oxsdatatypes::GYear::from_str(&date).is_ok() && date.len() == 4 {
                xsd::G_YEAR
            } else {
                return Err(format!(
                    "« {value} » n'est pas une date : écrivez une date (2024-03-15), un mois (2024-03) ou une année (2024)."
                ));
            };
            Literal::new_typed_literal(date, datatype).into()
        }
        Input::DateTime => {
            let mut time = value.replacen(' ', "T", 1);
            if time.len() == 16 {
                time.push_str(":00");
            }
            oxsdatatypes::DateTime::from_str(&time).map_err(|_| {
                format!("« {value} » n'est pas une date et une heure : écrivez-les AAAA-MM-JJTHH:MM:SS (par exemple 2024-03-15T14:30:00).")
            })?;
            Literal::new_typed_literal(time, xsd::DATE_TIME).into()
        }
        Input::Decimal { .. } => {
            let number = value.replace(',', ".");
            oxsdatatypes::Decimal::from_str(&number)
                .map_err(|_| format!("« {value} » n'est pas un nombre décimal (par exemple 45.764)."))?;
            Literal::new_typed_literal(number, xsd::DECIMAL).into()
        }
        Input::Integer { .. } => {
            oxsdatatypes::Integer::from_str(value)
                .map_err(|_| format!("« {value} » n'est pas un nombre entier."))?;
            Literal::new_typed_literal(value, xsd::INTEGER).into()
        }
        Input::Boolean => match value {
            "true" | "false" => Literal::new_typed_literal(value, xsd::BOOLEAN).into(),
            _ => return Err(format!("« {value} » n'est pas une réponse possible (oui ou non).")),
        },
        Input::Url => NamedNode::new(value)
            .map_err(|_| {
                format!("« {value} » n'est pas une adresse web complète (par exemple https://www.exemple.fr/page).")
            })?
            .into(),
        Input::Iri | Input::Reference(_) => NamedNode::new(value)
            .map_err(|_| format!("« {value} » n'est pas une adresse (IRI) valide."))?
            .into(),
        Input::Email => {
            let address = value.strip_prefix("mailto:").unwrap_or(value);
            let wrong = || {
                format!("« {value} » n'est pas une adresse électronique (par exemple prenom.nom@exemple.fr).")
            };
            if !address.contains('@') {
                return Err(wrong());
            }
            NamedNode::new(format!("mailto:{address}"))
                .map_err(|_| wrong())?
                .into()
        }
        Input::Telephone => {
            let number: String = value
                .strip_prefix("tel:")
                .unwrap_or(value)
                .chars()
                .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}'))
                .collect();
            let digits = number.strip_prefix('+').unwrap_or(&number);
            if digits.len() < 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "« {value} » n'est pas un numéro de téléphone (des chiffres, éventuellement précédés de +)."
                ));
            }
            NamedNode::new_unchecked(format!("tel:{number}")).into()
        }
        Input::Choice(choices) => choices
            .iter()
            .find(|c| c.key() == value)
            .map(|c| c.value.clone())
            .ok_or_else(|| format!("« {value} » ne fait pas partie des valeurs proposées."))?,
        Input::Node(_) => {
            return Err(format!("« {value} » : ce champ regroupe d'autres champs."));
        }
    })
}

/// A date written the French way (`15/03/2024`, `03/2024`) in ISO 8601,
/// `None` for anything else.
fn french_date(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.split('/').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [d, m, y] if digits(d, 2) && digits(m, 2) && digits(y, 4) => Some(format!("{y}-{m}-{d}")),
        [m, y] if digits(m, 2) && digits(y, 4) => Some(format!("{y}-{m}")),
        _ => None,
    }
}
