//! The page of a contribution form: a [`contribute::Form`] with its values
//! and errors as HTML that works without JavaScript. A fieldset per group
//! of the shapes, a `<label for>` on every control, the help and the
//! expected format linked by `aria-describedby`, `required` from
//! `sh:minCount`, « non publié » on the fields the access policy keeps
//! for the organisation and the moderators, each error beside its field
//! (`aria-invalid`) and all of them in a summary at the top
//! (`role="alert"`, linked to the fields).
//!
//! A repeatable field shows its values and one empty input more (a long
//! text only when it has none); a repeatable nested node (a partnership)
//! its blocks and one empty block (a block left empty is no node). The
//! fields of a node that is not published do not say it again. Inside a nested block, required fields
//! say « obligatoire » without the `required` attribute: an empty new block
//! must not stop the form.

use super::Site;
use super::def::{datatype_words, either};
use super::format::capitalize;
use crate::contribute::{Field, FieldErrors, Form, Input, Node, Values};
use askama::Template;
use oxrdf::NamedNode;
use oxrdf::vocab::{rdf, xsd};
use std::collections::HashSet;

/// What a contribution form page shows, from the HTTP layer.
pub struct FormPage<'a> {
    /// The heading (« Modifier le projet … »).
    pub title: String,
    /// Where the form is posted (`method="post"`).
    pub action: String,
    /// The anti-forgery token, sent back in the hidden input `csrf`.
    pub csrf: String,
    /// The values shown.
    pub values: &'a Values,
    /// The errors to fix (reading, validation's violations).
    pub errors: &'a FieldErrors,
    /// The advice (validation's warnings): shown, not blocking.
    pub advice: &'a FieldErrors,
    /// The records a reference field may name, by class: (IRI, label),
    /// in the order to show; a class with none gets an address input.
    pub choices: &'a dyn Fn(&NamedNode) -> Vec<(String, String)>,
    /// The words of the submit button (« Enregistrer »).
    pub submit: String,
}

impl std::fmt::Debug for FormPage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormPage")
            .field("title", &self.title)
            .field("action", &self.action)
            .field("values", &self.values)
            .field("errors", &self.errors)
            .field("advice", &self.advice)
            .field("submit", &self.submit)
            .finish_non_exhaustive()
    }
}

/// Renders the page of `form` (a page of the site, extending
/// `base.html`).
pub fn form_page(site: &Site, form: &Form, page: FormPage<'_>) -> Result<String, askama::Error> {
    let mut builder = Builder {
        page: &page,
        summary: Vec::new(),
        shown: HashSet::new(),
        taken: page.values.fragments().map(str::to_owned).collect(),
        restricted: false,
    };
    let groups: Vec<GroupView> = form
        .groups
        .iter()
        .map(|g| {
            let mut items = Vec::new();
            for field in &g.fields {
                builder.field(field, &field.name, &Place::default(), &mut items);
            }
            GroupView {
                legend: g.label.clone(),
                items,
            }
        })
        .collect();
    let mut summary: Vec<(Option<String>, String)> = page
        .errors
        .general()
        .iter()
        .map(|m| (None, m.clone()))
        .collect();
    summary.append(&mut builder.summary);
    for (name, messages) in page.errors.by_field() {
        if !builder.shown.contains(name) {
            summary.extend(messages.iter().map(|m| (None, m.clone())));
        }
    }
    let mut advice: Vec<String> = page.advice.general().to_vec();
    for (name, messages) in page.advice.by_field() {
        if !builder.shown.contains(name) {
            advice.extend(messages.iter().cloned());
        }
    }
    let count = summary.len();
    let view = FormView {
        site: site.clone(),
        title: page.title.clone(),
        action: page.action.clone(),
        csrf: page.csrf.clone(),
        submit: page.submit.clone(),
        summary_title: match count {
            0 => String::new(),
            1 => "La fiche n'a pas été enregistrée : 1 erreur est à corriger".to_owned(),
            n => format!("La fiche n'a pas été enregistrée : {n} erreurs sont à corriger"),
        },
        summary,
        advice,
        restricted: builder.restricted,
        groups,
    };
    view.render()
}

/// The page, as the template reads it.
#[derive(Template)]
#[template(path = "form.html", config = "src/html/askama.toml")]
struct FormView {
    site: Site,
    title: String,
    action: String,
    csrf: String,
    submit: String,
    summary_title: String,
    /// The errors: (link to the field, text).
    summary: Vec<(Option<String>, String)>,
    /// The advice that is on no field.
    advice: Vec<String>,
    /// Whether some field is not published.
    restricted: bool,
    groups: Vec<GroupView>,
}

/// A group of the shapes: a fieldset.
struct GroupView {
    legend: String,
    items: Vec<Item>,
}

/// One piece of a group, in order: fieldsets open and close around the
/// controls of a field with several inputs or of a nested node.
enum Item {
    Open(Fieldset),
    Close,
    Control(Control),
    Check(Check),
}

/// The marks beside a label.
#[derive(Clone, Copy)]
struct Marks {
    required: bool,
    recommended: bool,
    restricted: bool,
}

/// A text linked from a control (`aria-describedby`).
struct Note {
    id: String,
    texts: Vec<String>,
}

/// What describes a field: help, format, errors, advice.
struct Notes {
    help: Option<Note>,
    hint: Option<Note>,
    errors: Option<Note>,
    advice: Option<Note>,
}

impl Notes {
    fn describedby(&self) -> String {
        [&self.help, &self.hint, &self.errors, &self.advice]
            .into_iter()
            .flatten()
            .map(|n| n.id.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

struct Fieldset {
    id: String,
    class: &'static str,
    legend: String,
    marks: Marks,
    notes: Notes,
    describedby: String,
}

struct Control {
    id: String,
    name: String,
    label: String,
    label_hidden: bool,
    marks: Marks,
    notes: Notes,
    describedby: String,
    required: bool,
    invalid: bool,
    widget: Widget,
}

struct Check {
    id: String,
    name: String,
    label: String,
    value: String,
    checked: bool,
    invalid: bool,
}

enum Widget {
    Input {
        kind: &'static str,
        value: String,
        inputmode: Option<&'static str>,
        pattern: Option<&'static str>,
        french: bool,
    },
    TextArea {
        value: String,
        french: bool,
    },
    Select {
        options: Vec<Opt>,
    },
}

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// What a partial date may look like (ISO 8601 or French).
const PARTIAL_DATE: &str =
    "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?|[0-9]{2}/[0-9]{4}|[0-9]{2}/[0-9]{2}/[0-9]{4}";

struct Builder<'p, 'a> {
    page: &'p FormPage<'a>,
    /// The errors on fields, linked.
    summary: Vec<(Option<String>, String)>,
    /// The names whose errors are shown beside a field.
    shown: HashSet<String>,
    /// The fragments of blocks, to give new blocks others.
    taken: HashSet<String>,
    restricted: bool,
}

/// Where a field is: on the record itself or in a nested block.
#[derive(Clone, Default)]
struct Place {
    /// Inside a nested block: its required fields get no `required`
    /// attribute.
    nested: bool,
    /// The blocks' titles (« Partenariat 1 »), for the summary.
    context: String,
    /// The enclosing node is not published: its fields need not say it.
    restricted: bool,
}

impl Place {
    /// The words of the summary about a field labelled `label`.
    fn about(&self, label: &str) -> String {
        if self.context.is_empty() {
            label.to_owned()
        } else {
            format!("{} › {label}", self.context)
        }
    }
}

const NO_MARKS: Marks = Marks {
    required: false,
    recommended: false,
    restricted: false,
};

const NO_NOTES: Notes = Notes {
    help: None,
    hint: None,
    errors: None,
    advice: None,
};

impl Builder<'_, '_> {
    /// The items of `field`, named `name`, at `place`.
    fn field(&mut self, field: &Field, name: &str, place: &Place, items: &mut Vec<Item>) {
        self.restricted |= field.restricted;
        let page = self.page;
        let marks = Marks {
            required: field.required,
            recommended: field.recommended,
            restricted: field.restricted && !place.restricted,
        };
        let id = format!("champ-{name}");
        let label = capitalize(&field.label);
        let values = page.values.get(name);
        match &field.input {
            Input::Node(node) => self.node(field, node, name, &label, marks, place, items),
            Input::Choice(choices) if field.repeatable => {
                let first = format!("{id}-1");
                let notes = self.notes(name, &id, field, &place.about(&label), &first);
                let invalid = notes.errors.is_some();
                items.push(Item::Open(Fieldset {
                    describedby: notes.describedby(),
                    id: id.clone(),
                    class: "choices",
                    legend: label,
                    marks,
                    notes,
                }));
                for (k, choice) in choices.iter().enumerate() {
                    items.push(Item::Check(Check {
                        id: format!("{id}-{}", k + 1),
                        name: name.to_owned(),
                        label: choice.label.clone(),
                        value: choice.key().to_owned(),
                        checked: values.iter().any(|v| v == choice.key()),
                        invalid,
                    }));
                }
                items.push(Item::Close);
            }
            input => {
                let options = match input {
                    Input::Choice(choices) => Some(
                        choices
                            .iter()
                            .map(|c| (c.key().to_owned(), c.label.clone()))
                            .collect::<Vec<_>>(),
                    ),
                    Input::Boolean => Some(vec![
                        ("true".to_owned(), "Oui".to_owned()),
                        ("false".to_owned(), "Non".to_owned()),
                    ]),
                    Input::Reference(class) => {
                        Some((page.choices)(class)).filter(|o| !o.is_empty())
                    }
                    _ => None,
                };
                let mut shown: Vec<&str> = values.iter().map(String::as_str).collect();
                // One empty input more for another value; a text area only
                // when there is none (a second long text is rare, and the
                // form would be twice as long).
                let multiline = matches!(
                    input,
                    Input::Text {
                        multiline: true,
                        ..
                    }
                );
                if shown.is_empty() || (field.repeatable && !multiline) {
                    shown.push("");
                }
                let several = shown.len() > 1;
                let first = if several {
                    format!("{id}-1")
                } else {
                    id.clone()
                };
                let notes = self.notes(name, &id, field, &place.about(&label), &first);
                let invalid = notes.errors.is_some();
                let mut notes = if several {
                    items.push(Item::Open(Fieldset {
                        describedby: notes.describedby(),
                        id: id.clone(),
                        class: "repeat",
                        legend: label.clone(),
                        marks,
                        notes,
                    }));
                    None
                } else {
                    Some(notes)
                };
                for (k, value) in shown.iter().enumerate() {
                    let notes = notes.take().unwrap_or(NO_NOTES);
                    let widget = match &options {
                        Some(options) => select(options, value, field.required),
                        None => widget(input, value),
                    };
                    items.push(Item::Control(Control {
                        id: if several {
                            format!("{id}-{}", k + 1)
                        } else {
                            id.clone()
                        },
                        name: name.to_owned(),
                        label: if several {
                            format!("{label}, valeur {}", k + 1)
                        } else {
                            label.clone()
                        },
                        label_hidden: several,
                        marks,
                        describedby: notes.describedby(),
                        notes,
                        required: !place.nested && field.required && k == 0,
                        invalid,
                        widget,
                    }));
                }
                if several {
                    items.push(Item::Close);
                }
            }
        }
    }

    /// A nested node: a fieldset, one block per node and, when there may
    /// be several, a new one.
    #[expect(
        clippy::too_many_arguments,
        reason = "one step of the recursion of field, which passes its context on"
    )]
    fn node(
        &mut self,
        field: &Field,
        node: &Node,
        name: &str,
        label: &str,
        marks: Marks,
        place: &Place,
        items: &mut Vec<Item>,
    ) {
        let id = format!("champ-{name}");
        let mut blocks: Vec<(String, bool)> = self
            .page
            .values
            .blocks(name)
            .iter()
            .map(|b| (b.clone(), false))
            .collect();
        if field.repeatable || blocks.is_empty() {
            blocks.push((node.fresh_fragment(&mut self.taken), true));
        }
        let several = blocks.len() > 1 || field.repeatable;
        let mut notes = self.notes(name, &id, field, &place.about(label), &id);
        if !several && let Some((block, _)) = blocks.first() {
            // One block: its errors are the node's.
            let block_name = format!("{name}.{block}");
            let errors = self.messages(&block_name, &id, &place.about(label), &id);
            let advice = self.advice(&block_name, &id);
            notes.errors = merge(notes.errors, errors);
            notes.advice = merge(notes.advice, advice);
        }
        items.push(Item::Open(Fieldset {
            describedby: notes.describedby(),
            id: id.clone(),
            class: "node",
            legend: label.to_owned(),
            marks,
            notes,
        }));
        let node_label = capitalize(&node.label);
        for (k, (block, new)) in blocks.iter().enumerate() {
            let block_name = format!("{name}.{block}");
            let block_id = format!("champ-{block_name}");
            let title = match (several, new) {
                (true, false) => format!("{node_label} {}", k + 1),
                (true, true) => format!("{node_label} {} (à remplir pour l'ajouter)", k + 1),
                (false, _) => node_label.clone(),
            };
            let inner = Place {
                nested: true,
                context: place.about(&title),
                restricted: place.restricted || field.restricted,
            };
            if several {
                let notes = Notes {
                    errors: self.messages(&block_name, &block_id, &inner.context, &block_id),
                    advice: self.advice(&block_name, &block_id),
                    ..NO_NOTES
                };
                items.push(Item::Open(Fieldset {
                    describedby: notes.describedby(),
                    id: block_id.clone(),
                    class: "block",
                    legend: title,
                    marks: NO_MARKS,
                    notes,
                }));
            }
            let sub_groups = node.groups.len() > 1;
            for group in &node.groups {
                if sub_groups {
                    items.push(Item::Open(Fieldset {
                        id: format!("{block_id}-{}", crate::iri::slug(&group.label)),
                        class: "subgroup",
                        legend: group.label.clone(),
                        marks: NO_MARKS,
                        notes: NO_NOTES,
                        describedby: String::new(),
                    }));
                }
                for sub in &group.fields {
                    let sub_name = format!("{block_name}.{}", sub.name);
                    self.field(sub, &sub_name, &inner, items);
                }
                if sub_groups {
                    items.push(Item::Close);
                }
            }
            if several {
                items.push(Item::Close);
            }
        }
        items.push(Item::Close);
    }

    /// The notes of a field: help, format, errors (added to the summary
    /// as being `about` it, linked to `target`), advice.
    fn notes(&mut self, name: &str, id: &str, field: &Field, about: &str, target: &str) -> Notes {
        Notes {
            help: field.help.as_ref().map(|h| Note {
                id: format!("{id}-aide"),
                texts: vec![h.clone()],
            }),
            hint: hint(field).map(|h| Note {
                id: format!("{id}-format"),
                texts: vec![h],
            }),
            errors: self.messages(name, id, about, target),
            advice: self.advice(name, id),
        }
    }

    /// The errors of `name`, shown as the note `{id}-erreur` and in the
    /// summary as being `about` a field, linked to `target`.
    fn messages(&mut self, name: &str, id: &str, about: &str, target: &str) -> Option<Note> {
        let messages = self.page.errors.of(name);
        if messages.is_empty() {
            return None;
        }
        self.shown.insert(name.to_owned());
        for m in messages {
            self.summary
                .push((Some(format!("#{target}")), format!("{about} : {m}")));
        }
        Some(Note {
            id: format!("{id}-erreur"),
            texts: messages.to_vec(),
        })
    }

    fn advice(&mut self, name: &str, id: &str) -> Option<Note> {
        let messages = self.page.advice.of(name);
        if messages.is_empty() {
            return None;
        }
        self.shown.insert(name.to_owned());
        Some(Note {
            id: format!("{id}-conseil"),
            texts: messages.to_vec(),
        })
    }
}

/// Two notes of one id as one.
fn merge(a: Option<Note>, b: Option<Note>) -> Option<Note> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            a.texts.extend(b.texts);
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

/// A select of `options` with `value` chosen (kept even when it is not
/// among them), after an empty choice.
fn select(options: &[(String, String)], value: &str, required: bool) -> Widget {
    let mut list = vec![Opt {
        value: String::new(),
        label: if required {
            "— Choisir —".to_owned()
        } else {
            "— Non renseigné —".to_owned()
        },
        selected: value.is_empty(),
    }];
    list.extend(options.iter().map(|(v, l)| Opt {
        value: v.clone(),
        label: l.clone(),
        selected: v == value,
    }));
    if !value.is_empty() && !options.iter().any(|(v, _)| v == value) {
        list.push(Opt {
            value: value.to_owned(),
            label: value.to_owned(),
            selected: true,
        });
    }
    Widget::Select { options: list }
}

/// The input of a value that is not chosen from a list.
fn widget(input: &Input, value: &str) -> Widget {
    let value = value.to_owned();
    let plain = |kind: &'static str, inputmode: Option<&'static str>| Widget::Input {
        kind,
        value: value.clone(),
        inputmode,
        pattern: None,
        french: false,
    };
    match input {
        Input::Text {
            datatype,
            multiline: true,
        } => Widget::TextArea {
            french: datatype.as_ref() == rdf::LANG_STRING,
            value,
        },
        Input::Text { datatype, .. } => Widget::Input {
            kind: "text",
            french: datatype.as_ref() == rdf::LANG_STRING,
            value,
            inputmode: None,
            pattern: None,
        },
        Input::Date => plain("date", None),
        Input::PartialDate => Widget::Input {
            kind: "text",
            value,
            inputmode: None,
            pattern: Some(PARTIAL_DATE),
            french: false,
        },
        Input::DateTime => plain("text", None),
        Input::Decimal { .. } => plain("text", Some("decimal")),
        Input::Integer { .. } => plain("text", Some("numeric")),
        Input::Url | Input::Iri | Input::Reference(_) => plain("url", None),
        Input::Email => plain("email", None),
        Input::Telephone => plain("tel", None),
        Input::Boolean | Input::Choice(_) | Input::Node(_) => plain("text", None),
    }
}

/// The expected format of a field, in words (as `/def` says it).
fn hint(field: &Field) -> Option<String> {
    let bounds = |min: &Option<String>, max: &Option<String>| match (min, max) {
        (Some(a), Some(b)) => format!(", entre {a} et {b}"),
        (Some(a), None) => format!(", au moins {a}"),
        (None, Some(b)) => format!(", au plus {b}"),
        (None, None) => String::new(),
    };
    let words = match &field.input {
        Input::Date => datatype_words(xsd::DATE),
        Input::PartialDate => either(&[
            datatype_words(xsd::DATE),
            datatype_words(xsd::G_YEAR_MONTH),
            datatype_words(xsd::G_YEAR),
        ]),
        Input::DateTime => format!("{} (AAAA-MM-JJTHH:MM:SS)", datatype_words(xsd::DATE_TIME)),
        Input::Decimal { min, max } => {
            format!(
                "{}{} (par exemple 45.764)",
                datatype_words(xsd::DECIMAL),
                bounds(min, max)
            )
        }
        Input::Integer { min, max } => {
            format!("{}{}", datatype_words(xsd::INTEGER), bounds(min, max))
        }
        Input::Url => "une adresse web commençant par http:// ou https://".to_owned(),
        Input::Email => "une adresse électronique (prenom.nom@exemple.fr)".to_owned(),
        Input::Telephone => "un numéro de téléphone (+33 1 23 45 67 89)".to_owned(),
        Input::Iri => "une adresse (IRI)".to_owned(),
        _ => return None,
    };
    Some(format!("Format : {words}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browse::Kind;
    use crate::contribute::Forms;
    use crate::iri::BaseIri;
    use crate::model::{Model, bundle, parse_group};
    use oxrdf::{NamedOrBlankNode, Quad};
    use regex::Regex;
    use std::collections::BTreeSet;

    const LYON: &str = "http://localhost:8080/id/projet/metropole-de-lyon-chatbot-dechets";

    /// The use-case form of the demo's Lyon record, with `errors`.
    fn render(errors: &FieldErrors) -> String {
        let base = BaseIri::parse("http://localhost:8080/").unwrap();
        let model = Model::bundled(&base).unwrap();
        let forms = Forms::new(&model);
        let form = forms.form(Kind::Projet).unwrap();
        let record = NamedNode::new_unchecked(LYON);
        let quads: Vec<Quad> = parse_group(bundle::DEMO, &base)
            .unwrap()
            .into_iter()
            .filter(|q| match &q.subject {
                NamedOrBlankNode::NamedNode(n) => n.as_str().starts_with(LYON),
                NamedOrBlankNode::BlankNode(_) => false,
            })
            .collect();
        let values = form.values(&record, &quads);
        let choices = |class: &NamedNode| {
            if class.as_str().ends_with("Organization") {
                vec![
                    (
                        "http://localhost:8080/id/organisation/metropole-de-lyon".to_owned(),
                        "Métropole de Lyon".to_owned(),
                    ),
                    (
                        "http://localhost:8080/id/organisation/civitalis-ia".to_owned(),
                        "Civitalis IA".to_owned(),
                    ),
                ]
            } else {
                Vec::new()
            }
        };
        let site = Site::new(base, "contact@example.org".to_owned());
        form_page(
            &site,
            form,
            FormPage {
                title: "Modifier le projet « Chatbot déchets »".to_owned(),
                action: "/contribuer/projet/metropole-de-lyon-chatbot-dechets".to_owned(),
                csrf: "jeton-123".to_owned(),
                values: &values,
                errors,
                advice: &FieldErrors::default(),
                choices: &choices,
                submit: "Enregistrer".to_owned(),
            },
        )
        .unwrap()
    }

    /// The `id`s of the controls of `html`, and the `for`s of its labels.
    fn controls_and_labels(html: &str) -> (Vec<String>, BTreeSet<String>) {
        let control = Regex::new(r"<(input|select|textarea)\b([^>]*)>").unwrap();
        let id = Regex::new(r#"\bid="([^"]*)""#).unwrap();
        let label = Regex::new(r#"<label for="([^"]*)""#).unwrap();
        let controls = control
            .captures_iter(html)
            .filter(|c| !c[2].contains(r#"type="hidden""#) && !c[2].contains(r#"type="search""#))
            .map(|c| {
                id.captures(&c[2])
                    .map(|i| i[1].to_owned())
                    .unwrap_or_else(|| panic!("a control without id: {}", &c[0]))
            })
            .collect();
        let labels = label.captures_iter(html).map(|c| c[1].to_owned()).collect();
        (controls, labels)
    }

    #[test]
    fn every_control_of_the_use_case_form_has_its_label() {
        let html = render(&FieldErrors::default());
        let (controls, labels) = controls_and_labels(&html);
        assert!(controls.len() > 60, "{}", controls.len());
        let unique: BTreeSet<&String> = controls.iter().collect();
        assert_eq!(unique.len(), controls.len(), "ids are unique");
        for id in &controls {
            assert!(labels.contains(id), "no <label for=\"{id}\">");
        }
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="jeton-123">"#));
        assert!(html.contains(r#"<form class="contribute" method="post" action="/contribuer/projet/metropole-de-lyon-chatbot-dechets""#));
        assert!(!html.contains("<script"), "no script");
        assert!(!html.contains("role=\"alert\""), "no error, no summary");
        assert!(
            html.contains(
                "ne sont vus que par votre organisation et par les modérateurs du réseau"
            )
        );
        assert!(html.contains(r#"<legend>Informations générales</legend>"#));
        assert!(html.contains(r#"<fieldset class="node" id="champ-algorithm""#));
        assert!(
            html.contains(r#"<legend>Évaluation</legend>"#),
            "the algorithm record's groups"
        );
        assert!(html.contains(r#"id="champ-partnership.partenariat-civitalis-ia""#));
        assert!(
            html.contains(r#"id="champ-partnership.partenariat.partner""#),
            "a new empty partnership block"
        );
        let title = Regex::new(r#"<input type="text" id="champ-title" name="title" value="Chatbot déchets" lang="fr" required aria-describedby="champ-title-aide">"#).unwrap();
        assert!(
            title.is_match(&html),
            "{}",
            &html[html.find("champ-title").unwrap_or(0)..][..400]
        );
        let budget = html.find(r#"<label for="champ-budgetBand">"#).unwrap();
        assert!(
            html[budget..][..200].contains("non publié"),
            "restricted fields say so"
        );
        assert!(
            html.contains(
                r#"<option value="http://localhost:8080/id/concept/budget/de-50k-a-100k" selected>"#
            ),
            "the stored value is chosen"
        );
        assert!(
            html.contains(r#"type="checkbox" id="champ-audience-1" name="audience" value="http://localhost:8080/id/concept/audience/grand-public" checked"#),
            "a repeatable list is checkboxes"
        );
        let partner = Regex::new(
            r#"<select id="champ-partnership\.partenariat-civitalis-ia\.partner"[^>]*>"#,
        )
        .unwrap();
        let tag = partner.find(&html).unwrap().as_str();
        assert!(
            !tag.contains("required"),
            "no required attribute in a nested block: {tag}"
        );
    }

    #[test]
    fn errors_are_beside_their_fields_and_summed_up_at_the_top() {
        let mut errors = FieldErrors::default();
        errors.push("title", "Le titre du projet est obligatoire.".to_owned());
        errors.push(
            "partnership.partenariat-civitalis-ia.partner",
            "Un partenariat désigne une organisation.".to_owned(),
        );
        errors.push_general("Le projet est abandonné : expliquez pourquoi.".to_owned());
        let html = render(&errors);
        assert!(html.contains("<title>Erreur : Modifier le projet"));
        let summary = &html[html.find(r#"role="alert""#).unwrap()..];
        let summary = &summary[..summary.find("</div>").unwrap()];
        assert!(summary.contains("3 erreurs"));
        assert!(summary.contains(
            r##"<a href="#champ-title">Titre : Le titre du projet est obligatoire.</a>"##
        ));
        assert!(summary.contains(r##"<a href="#champ-partnership.partenariat-civitalis-ia.partner">Partenariat 1 › Partenaire : Un partenariat désigne une organisation.</a>"##));
        assert!(summary.contains("<li>Le projet est abandonné : expliquez pourquoi.</li>"));
        let input = Regex::new(r#"<input type="text" id="champ-title"[^>]*>"#).unwrap();
        let input = input.find(&html).unwrap().as_str();
        assert!(input.contains(r#"aria-invalid="true""#), "{input}");
        assert!(
            input.contains(r#"aria-describedby="champ-title-aide champ-title-erreur""#),
            "{input}"
        );
        assert!(html.contains(r#"<div class="error" id="champ-title-erreur">"#));
    }
}
