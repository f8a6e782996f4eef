//! The pages of the contributions: log-in, the contributor's space, the
//! moderators' queue and one change with its readable diff, the error
//! report form, and a record's public history with its past versions.
//! The forms of the records themselves are in `form.rs`.

use super::Site;
use crate::store::Entry;
use askama::Template;
use oxrdf::{NamedOrBlankNode, Term, Triple};
use std::collections::BTreeMap;

/// One field that a change touched: its label, the values it lost and
/// those it gained, as people read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRow {
    /// The field (the property's label, with the node when nested).
    pub field: String,
    /// Values removed.
    pub removed: Vec<String>,
    /// Values added.
    pub added: Vec<String>,
}

/// What changed between two versions of a record, field by field, in the
/// order of the fields' labels.
pub fn diff(before: &[Triple], after: &[Triple], label: &dyn Fn(&Term) -> String) -> Vec<DiffRow> {
    type Values = BTreeMap<(String, String), Vec<String>>;
    let values = |triples: &[Triple]| -> Values {
        let mut out: Values = BTreeMap::new();
        for t in triples {
            let node = match &t.subject {
                NamedOrBlankNode::NamedNode(n) => n
                    .as_str()
                    .split_once('#')
                    .map(|(_, f)| f.to_owned())
                    .unwrap_or_default(),
                NamedOrBlankNode::BlankNode(_) => "…".to_owned(),
            };
            let field = label(&Term::from(t.predicate.clone()));
            out.entry((node, field))
                .or_default()
                .push(shown(&t.object, label));
        }
        for v in out.values_mut() {
            v.sort();
            v.dedup();
        }
        out
    };
    let (old, new) = (values(before), values(after));
    let mut keys: Vec<&(String, String)> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let empty = Vec::new();
            let (o, n) = (
                old.get(key).unwrap_or(&empty),
                new.get(key).unwrap_or(&empty),
            );
            let removed: Vec<String> = o.iter().filter(|v| !n.contains(v)).cloned().collect();
            let added: Vec<String> = n.iter().filter(|v| !o.contains(v)).cloned().collect();
            (!removed.is_empty() || !added.is_empty()).then(|| DiffRow {
                field: if key.0.is_empty() {
                    key.1.clone()
                } else {
                    format!("{} ({})", key.1, key.0)
                },
                removed,
                added,
            })
        })
        .collect()
}

fn shown(term: &Term, label: &dyn Fn(&Term) -> String) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        Term::BlankNode(_) => "(nœud imbriqué)".to_owned(),
        other => label(other),
    }
}

/// A French date and time of the journal.
pub fn when(time: std::time::SystemTime) -> String {
    let xsd = crate::time::xsd_date_time(time);
    let day = oxrdf::Literal::new_typed_literal(&xsd[..10], oxrdf::vocab::xsd::DATE);
    format!("{} à {} UTC", super::format::literal(&day), &xsd[11..16])
}

/// The state of a change in French.
pub fn state_fr(state: &str) -> &'static str {
    match state {
        "pending" => "en attente de modération",
        "accepted" => "acceptée et publiée",
        "applied" => "publiée",
        "refused" => "refusée",
        _ => "inconnu",
    }
}

/// What a change does, in French (`created`: the record did not exist).
pub fn action_fr(action: &str, created: bool) -> &'static str {
    match action {
        "withdraw" => "retrait",
        "restore" => "restauration d'une version",
        _ if created => "création",
        _ => "modification",
    }
}

/// A change as a line of a list.
#[derive(Debug, Clone)]
pub struct ChangeLine {
    /// Its id.
    pub id: String,
    /// The record's title or IRI.
    pub title: String,
    /// The record's page.
    pub href: String,
    /// What it does.
    pub action: &'static str,
    /// Its state.
    pub state: &'static str,
    /// Who made it.
    pub who: String,
    /// When.
    pub when: String,
    /// A refusal's reason.
    pub reason: Option<String>,
}

impl ChangeLine {
    /// The line of an entry.
    pub fn of(site: &Site, entry: &Entry, title: String, who: String) -> Self {
        Self {
            id: entry.id.clone(),
            title,
            href: site.href(entry.record.as_str()),
            action: action_fr(&entry.action, entry.before.is_empty()),
            state: state_fr(&entry.state),
            who: match &entry.organisation {
                Some(_) => who,
                None => format!("{who}, modération"),
            },
            when: when(entry.submitted),
            reason: entry.reason.clone().filter(|_| entry.state == "refused"),
        }
    }
}

/// The log-in page.
#[derive(Debug, Template)]
#[template(path = "login.html", config = "src/html/askama.toml")]
pub struct LoginPage {
    /// The site.
    pub site: Site,
    /// The login typed, to type it again.
    pub login: String,
    /// What went wrong.
    pub error: Option<String>,
    /// The token of the form (CSRF, double-submitted with a cookie).
    pub csrf: String,
}

/// The space of a logged-in person: what they can create and change, and
/// what became of their changes.
#[derive(Debug, Template)]
#[template(path = "space.html", config = "src/html/askama.toml")]
pub struct SpacePage {
    /// The site.
    pub site: Site,
    /// Their name.
    pub name: String,
    /// Their organisation's name and page, if a contributor.
    pub organisation: Option<(String, String)>,
    /// Whether they are a moderator.
    pub moderator: bool,
    /// Whether their changes are published without moderation.
    pub publishes: bool,
    /// The kinds they can create: (segment, label).
    pub creatable: Vec<(String, String)>,
    /// Their organisation's records: (title, page, edit link).
    pub records: Vec<(String, String, String)>,
    /// Their changes, latest first.
    pub changes: Vec<ChangeLine>,
    /// A notice after an action.
    pub notice: Option<String>,
    /// The session's CSRF token (the log-out form).
    pub csrf: String,
}

/// The moderators' queue: pending changes and open error reports.
#[derive(Debug, Template)]
#[template(path = "moderation.html", config = "src/html/askama.toml")]
pub struct ModerationPage {
    /// The site.
    pub site: Site,
    /// The changes waiting, oldest first.
    pub pending: Vec<ChangeLine>,
    /// Decided lately, latest first.
    pub decided: Vec<ChangeLine>,
    /// Open error reports: (id, page, message, e-mail).
    pub reports: Vec<(String, String, String, Option<String>)>,
    /// The session's CSRF token.
    pub csrf: String,
    /// A notice after an action.
    pub notice: Option<String>,
}

/// One change with its diff, and the moderator's buttons.
#[derive(Debug, Template)]
#[template(path = "change.html", config = "src/html/askama.toml")]
pub struct ChangePage {
    /// The site.
    pub site: Site,
    /// The change.
    pub change: ChangeLine,
    /// The record's IRI.
    pub record: String,
    /// Field by field (restricted fields included: only its authors and
    /// the moderators see this page).
    pub rows: Vec<DiffRow>,
    /// Whether the moderator's buttons are shown.
    pub moderate: bool,
    /// Whether the record changed since the change was made.
    pub stale: bool,
    /// The session's CSRF token.
    pub csrf: String,
    /// A message after a failed action.
    pub error: Option<String>,
}

/// The error report form, then its thanks.
#[derive(Debug, Template)]
#[template(path = "report.html", config = "src/html/askama.toml")]
pub struct ReportPage {
    /// The site.
    pub site: Site,
    /// The page the report is about.
    pub page: String,
    /// The message typed.
    pub message: String,
    /// The address typed.
    pub email: String,
    /// What went wrong.
    pub error: Option<String>,
    /// Whether the report was received.
    pub sent: bool,
    /// The token of the form (CSRF, double-submitted with a cookie).
    pub csrf: String,
}

/// One revision on the history page.
#[derive(Debug, Clone)]
pub struct RevisionLine {
    /// The revision's id.
    pub id: String,
    /// When.
    pub when: String,
    /// Which organisation (or the network's moderation).
    pub by: String,
    /// What it does.
    pub action: &'static str,
    /// The public fields it changed.
    pub rows: Vec<DiffRow>,
    /// The page of this version (its memento).
    pub memento: String,
}

/// A record's public history.
#[derive(Debug, Template)]
#[template(path = "history.html", config = "src/html/askama.toml")]
pub struct HistoryPage {
    /// The site.
    pub site: Site,
    /// The record's title.
    pub title: String,
    /// The record's page.
    pub href: String,
    /// The record's path after `/id/` (`projet/x`).
    pub rest: String,
    /// The revisions, latest first.
    pub revisions: Vec<RevisionLine>,
    /// Whether the restore buttons are shown (a moderator).
    pub restore: bool,
    /// The session's CSRF token (moderators).
    pub csrf: String,
}

/// A past version of a record (a memento): its public fields then.
#[derive(Debug, Template)]
#[template(path = "memento.html", config = "src/html/askama.toml")]
pub struct MementoPage {
    /// The site.
    pub site: Site,
    /// The record's title then.
    pub title: String,
    /// When the version was made.
    pub when: String,
    /// The current page.
    pub href: String,
    /// The history page.
    pub history: String,
    /// The fields then: (label, values).
    pub fields: Vec<(String, Vec<String>)>,
}

/// The fields of a record's triples as (label, values), for a memento.
pub fn fields(triples: &[Triple], label: &dyn Fn(&Term) -> String) -> Vec<(String, Vec<String>)> {
    diff(&[], triples, label)
        .into_iter()
        .map(|row| (row.field, row.added))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{Literal, NamedNode};

    #[test]
    fn a_diff_names_the_values_lost_and_gained_per_field() {
        let s = NamedNode::new_unchecked("http://x/id/projet/a");
        let title = NamedNode::new_unchecked("http://purl.org/dc/terms/title");
        let theme = NamedNode::new_unchecked("http://www.w3.org/ns/dcat#theme");
        let before = vec![
            Triple::new(s.clone(), title.clone(), Literal::from("Ancien")),
            Triple::new(
                s.clone(),
                theme.clone(),
                NamedNode::new_unchecked("http://x/t/1"),
            ),
        ];
        let after = vec![
            Triple::new(s.clone(), title, Literal::from("Nouveau")),
            Triple::new(s, theme, NamedNode::new_unchecked("http://x/t/1")),
        ];
        let label = |t: &Term| match t {
            Term::NamedNode(n) if n.as_str().ends_with("title") => "titre".to_owned(),
            other => other.to_string(),
        };
        assert_eq!(
            diff(&before, &after, &label),
            [DiffRow {
                field: "titre".into(),
                removed: vec!["Ancien".into()],
                added: vec!["Nouveau".into()],
            }]
        );
    }
}
