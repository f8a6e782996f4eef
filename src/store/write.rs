//! Changes to one record at a time, as contributors make them: validated
//! against the shapes, checked against the version the writer saw, and
//! either published at once or kept for a moderator.
//!
//! Every change is one transaction on the full store: the record's graph,
//! the journal entry (in the private [`JOURNAL_GRAPH`]: who, when, the
//! record's content before and after) and, when it is published, a run
//! (which advances the data version). The public projection follows as for
//! any load, and a crash between the two commits is repaired on opening.
//! A change waiting for a moderator touches only the journal, so nothing
//! public (projection, pages, search, dumps) can see it.
//!
//! [`JOURNAL_GRAPH`]: crate::vocab::JOURNAL_GRAPH

use super::{StoreError, Stores};
use crate::shacl::ValidationReport;
use crate::vocab::{self, bia, journal};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{
    BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term, Triple,
};
use sha2::Digest as _;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Who makes a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// An opaque reference of the account (never its login: accounts live
    /// outside the stores), which the accounts resolve for moderators.
    pub account: String,
    /// The organisation the account belongs to (`None` for the network's
    /// moderators).
    pub organisation: Option<NamedNode>,
}

/// What a change must find before it applies (`If-Match`, or a creation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// The record must not exist (a creation).
    Absent,
    /// The record's current entity tag must be this one.
    Matches(String),
}

/// What a change does to its record.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Replace the record's triples (or create it) with these.
    Put(Vec<Triple>),
    /// Withdraw the record: its IRI answers 410 with this notice.
    Withdraw(String),
}

/// How a change was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Published: the record's new entity tag, and the revision's id.
    Published {
        /// The record's new entity tag.
        tag: String,
        /// The revision (journal entry) id.
        revision: String,
    },
    /// Waiting for a moderator: the change's id.
    Pending {
        /// The change's id.
        change: String,
    },
}

/// Why a change was not taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The record changed since the writer read it (or exists already).
    #[error("la fiche a changé depuis votre lecture (version actuelle : {current:?})")]
    Stale {
        /// The current tag, if the record exists.
        current: Option<String>,
    },
    /// There is no such record.
    #[error("aucune fiche {0}")]
    NotFound(String),
    /// The content describes something outside the record.
    #[error(
        "le contenu décrit {0}, qui n'appartient pas à la fiche {1} : une écriture ne change qu'une fiche"
    )]
    Outside(String, String),
    /// The content has more blank nodes than [`MAX_BLANK_NODES`].
    #[error(
        "la fiche {0} a {1} nœuds anonymes (au plus {max}) : donnez à ses nœuds imbriqués une IRI <{0}#nom>",
        max = MAX_BLANK_NODES
    )]
    BlankNodes(String, usize),
    /// The content does not give the record a type.
    #[error("le contenu ne donne pas de type (rdf:type) à la fiche {0}")]
    Untyped(String),
    /// The content violates the shapes.
    #[error("la fiche n'est pas conforme aux formes ({} problème(s))", .0.results().len())]
    NotConform(Box<ValidationReport>),
    /// A change to accept is not waiting.
    #[error("la modification {0} n'est pas en attente")]
    NotPending(String),
    /// No change, revision or report with this id.
    #[error("aucune entrée {0} dans le journal")]
    UnknownEntry(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<oxigraph::store::StorageError> for WriteError {
    fn from(e: oxigraph::store::StorageError) -> Self {
        Self::Store(e.into())
    }
}

/// A record as its writers see it: every triple, restricted ones included.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    /// The record's triples.
    pub triples: Vec<Triple>,
    /// Its entity tag for `If-Match`.
    pub tag: String,
    /// Whether it was withdrawn.
    pub withdrawn: bool,
}

/// One entry of the journal: a change (pending, refused, or published as a
/// revision of its record).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its id (nanoseconds since 1970: entries sort by time).
    pub id: String,
    /// The record.
    pub record: NamedNode,
    /// `put`, `withdraw` or `restore`.
    pub action: String,
    /// `pending`, `accepted`, `applied` or `refused`.
    pub state: String,
    /// Who made it (the opaque reference of [`Author::account`]).
    pub account: String,
    /// Their organisation.
    pub organisation: Option<NamedNode>,
    /// When it was made.
    pub submitted: SystemTime,
    /// The moderator who decided, if one did.
    pub moderator: Option<String>,
    /// The refusal's reason or the withdrawal's notice.
    pub reason: Option<String>,
    /// The entity tag it was made against (`None` for a creation).
    pub base: Option<String>,
    /// The record's triples before.
    pub before: Vec<Triple>,
    /// The record's triples after.
    pub after: Vec<Triple>,
}

impl Entry {
    /// Whether the change is part of the record's history.
    pub fn is_revision(&self) -> bool {
        self.state == "accepted" || self.state == "applied"
    }
}

/// An error report sent from a public page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Its id (nanoseconds since 1970).
    pub id: String,
    /// The page it is about.
    pub page: String,
    /// What is wrong.
    pub message: String,
    /// Where to answer, if given.
    pub email: Option<String>,
    /// `open` or `closed`.
    pub state: String,
}

const ETAG_KEY: &str = "etiquettes.cle";

/// The most blank nodes a record written one at a time may have. Its
/// entity tag and its journal entry are written in RDF canonical form
/// (RDFC-1.0), whose time grows as the factorial of the blank nodes alike
/// (ten linked alike: a minute) and which recurses along their chains (a
/// thousand deep overflow a thread's stack and abort the server). Nested
/// nodes are named `{record}#…` (the forms do so); blank nodes are rare.
const MAX_BLANK_NODES: usize = 8;

impl Stores {
    /// The record (its graph in the full store), with its entity tag;
    /// `None` when nothing was ever stored under that IRI.
    pub fn record(&self, record: &NamedNode) -> Result<Option<StoredRecord>, StoreError> {
        let triples: Vec<Triple> = self
            .full
            .quads_for_pattern(None, None, None, Some(record.as_ref().into()))
            .map(|q| q.map(Triple::from))
            .collect::<Result<_, _>>()?;
        if triples.is_empty() {
            return Ok(None);
        }
        let withdrawn = triples.iter().any(|t| {
            t.subject == record.clone().into()
                && t.predicate == rdf::TYPE
                && t.object == bia::WITHDRAWN_RECORD.into_owned().into()
        });
        Ok(Some(StoredRecord {
            tag: self.tag_of(&triples)?,
            triples,
            withdrawn,
        }))
    }

    /// An IRI for a new record of `kind` (`projet`, `organisation`…) named
    /// after `title`, not yet used (`-2`, `-3`… when it is).
    pub fn mint(&self, kind: &str, title: &str) -> Result<NamedNode, StoreError> {
        let slug = crate::iri::slug(title);
        for n in 1.. {
            let candidate = if n == 1 {
                self.base.join(&format!("id/{kind}/{slug}"))
            } else {
                self.base.join(&format!("id/{kind}/{slug}-{n}"))
            };
            if !self.full.contains_named_graph(&candidate)? {
                return Ok(candidate);
            }
        }
        unreachable!("an unbounded range always yields")
    }

    /// Validates a change to one record and either publishes it (`publish`)
    /// or keeps it for a moderator. Fails, changing nothing, when the record
    /// is not as `precondition` says, when the triples describe anything
    /// outside the record, or when the record violates the shapes.
    pub fn change(
        &self,
        record: &NamedNode,
        action: Action,
        precondition: &Precondition,
        author: &Author,
        publish: bool,
    ) -> Result<Written, WriteError> {
        let _writing = self.writing();
        let current = self.record(record)?;
        check(precondition, current.as_ref())?;
        let before = current.map(|c| c.triples).unwrap_or_default();
        let (action_name, after, reason) = match action {
            Action::Put(triples) => ("put", triples, None),
            Action::Withdraw(notice) => {
                if before.is_empty() {
                    return Err(WriteError::NotFound(record.to_string()));
                }
                let after = tombstone(record, &before, &notice);
                ("withdraw", after, Some(notice))
            }
        };
        self.check_record(record, &after)?;
        let id = next_id();
        let base = match precondition {
            Precondition::Matches(tag) => Some(tag.clone()),
            Precondition::Absent => None,
        };
        let state = if publish { "applied" } else { "pending" };
        let entry = Entry {
            id: id.clone(),
            record: record.clone(),
            action: action_name.to_owned(),
            state: state.to_owned(),
            account: author.account.clone(),
            organisation: author.organisation.clone(),
            submitted: SystemTime::now(),
            moderator: None,
            reason,
            base,
            before,
            after,
        };
        let mut quads = entry_quads(&entry);
        if !publish {
            let mut txn = self.full.start_transaction()?;
            for q in &quads {
                txn.insert(q);
            }
            txn.commit()?;
            return Ok(Written::Pending { change: id });
        }
        quads.extend(decided(&id, None));
        let tag = self.publish(record, &entry.after, quads, &[])?;
        Ok(Written::Published { tag, revision: id })
    }

    /// Publishes a pending change, unless its record changed since the
    /// change was made ([`WriteError::Stale`]: the moderator refuses it and
    /// the contributor starts again from the current version).
    pub fn accept(&self, id: &str, moderator: &str) -> Result<Written, WriteError> {
        let _writing = self.writing();
        let entry = self
            .entry(id)?
            .ok_or_else(|| WriteError::UnknownEntry(id.to_owned()))?;
        if entry.state != "pending" {
            return Err(WriteError::NotPending(id.to_owned()));
        }
        let current = self.record(&entry.record)?;
        let precondition = match &entry.base {
            Some(tag) => Precondition::Matches(tag.clone()),
            None => Precondition::Absent,
        };
        check(&precondition, current.as_ref())?;
        // The shapes or the records it links to may have changed meanwhile.
        self.check_record(&entry.record, &entry.after)?;
        let node = entry_node(id);
        let state = |s: &str| {
            Quad::new(
                node.clone(),
                journal::STATE,
                Literal::from(s),
                vocab::JOURNAL_GRAPH,
            )
        };
        let mut quads = decided(id, Some(moderator));
        quads.push(state("accepted"));
        // The content before is what it replaces now (the same, as the tag
        // matched), kept for the history.
        let tag = self.publish(&entry.record, &entry.after, quads, &[state("pending")])?;
        Ok(Written::Published {
            tag,
            revision: id.to_owned(),
        })
    }

    /// Refuses a pending change, with the reason its author will read.
    pub fn refuse(&self, id: &str, moderator: &str, reason: &str) -> Result<(), WriteError> {
        let _writing = self.writing();
        let entry = self
            .entry(id)?
            .ok_or_else(|| WriteError::UnknownEntry(id.to_owned()))?;
        if entry.state != "pending" {
            return Err(WriteError::NotPending(id.to_owned()));
        }
        let node = entry_node(id);
        let g = GraphName::from(vocab::JOURNAL_GRAPH);
        let mut txn = self.full.start_transaction()?;
        txn.remove(&Quad::new(
            node.clone(),
            journal::STATE,
            Literal::from("pending"),
            g.clone(),
        ));
        txn.insert(&Quad::new(
            node.clone(),
            journal::STATE,
            Literal::from("refused"),
            g.clone(),
        ));
        txn.insert(&Quad::new(
            node,
            journal::REASON,
            Literal::from(reason),
            g.clone(),
        ));
        for q in decided(id, Some(moderator)) {
            txn.insert(&q);
        }
        txn.commit()?;
        Ok(())
    }

    /// Brings a record back to what a past revision made it: a new revision
    /// (the history keeps both).
    pub fn restore(&self, revision: &str, moderator: &Author) -> Result<Written, WriteError> {
        let entry = self
            .entry(revision)?
            .filter(Entry::is_revision)
            .ok_or_else(|| WriteError::UnknownEntry(revision.to_owned()))?;
        let current = self
            .record(&entry.record)?
            .ok_or_else(|| WriteError::NotFound(entry.record.to_string()))?;
        let written = self.change(
            &entry.record,
            Action::Put(entry.after.clone()),
            &Precondition::Matches(current.tag),
            moderator,
            true,
        )?;
        if let Written::Published { revision: id, .. } = &written {
            let mut txn = self.full.start_transaction()?;
            let node = entry_node(id);
            let g = GraphName::from(vocab::JOURNAL_GRAPH);
            txn.remove(&Quad::new(
                node.clone(),
                journal::ACTION,
                Literal::from("put"),
                g.clone(),
            ));
            txn.insert(&Quad::new(
                node.clone(),
                journal::ACTION,
                Literal::from("restore"),
                g.clone(),
            ));
            txn.insert(&Quad::new(
                node,
                journal::RESTORES,
                Literal::from(revision),
                g,
            ));
            txn.commit()?;
        }
        Ok(written)
    }

    /// One entry of the journal.
    pub fn entry(&self, id: &str) -> Result<Option<Entry>, StoreError> {
        if !id.bytes().all(|b| b.is_ascii_digit()) || id.is_empty() {
            return Ok(None);
        }
        let node = entry_node(id);
        let mut props: BTreeMap<&'static str, Vec<Term>> = BTreeMap::new();
        for q in self.full.quads_for_pattern(
            Some(node.as_ref().into()),
            None,
            None,
            Some(vocab::JOURNAL_GRAPH.into()),
        ) {
            let q = q?;
            if let Some(name) = journal::ALL
                .iter()
                .find(|t| **t == q.predicate.as_ref())
                .map(|t| t.as_str().trim_start_matches("urn:bibia:journal#"))
            {
                props.entry(name).or_default().push(q.object);
            }
        }
        if !props.contains_key("record") {
            return Ok(None);
        }
        Ok(Some(read_entry(id, &props)))
    }

    /// The entries in a state (`pending`…), oldest first.
    pub fn entries_in(&self, state: &str) -> Result<Vec<Entry>, StoreError> {
        self.entries_where(journal::STATE, Literal::from(state).into())
    }

    /// Every entry about a record, oldest first.
    pub fn entries_of(&self, record: &NamedNode) -> Result<Vec<Entry>, StoreError> {
        self.entries_where(journal::RECORD, record.clone().into())
    }

    /// Every entry made by members of an organisation, oldest first.
    pub fn entries_by(&self, organisation: &NamedNode) -> Result<Vec<Entry>, StoreError> {
        self.entries_where(journal::ORGANISATION, organisation.clone().into())
    }

    fn entries_where(
        &self,
        predicate: oxigraph::model::NamedNodeRef<'_>,
        object: Term,
    ) -> Result<Vec<Entry>, StoreError> {
        let mut ids: Vec<String> = Vec::new();
        for q in self.full.quads_for_pattern(
            None,
            Some(predicate),
            Some(object.as_ref()),
            Some(vocab::JOURNAL_GRAPH.into()),
        ) {
            if let NamedOrBlankNode::NamedNode(n) = q?.subject
                && let Some(id) = n.as_str().strip_prefix("urn:bibia:change:")
            {
                ids.push(id.to_owned());
            }
        }
        ids.sort_by_key(|id| (id.len(), id.clone()));
        let mut entries = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(e) = self.entry(&id)? {
                entries.push(e);
            }
        }
        Ok(entries)
    }

    /// Keeps an error report for the moderators.
    pub fn report(
        &self,
        page: &str,
        message: &str,
        email: Option<&str>,
    ) -> Result<String, StoreError> {
        let _writing = self.writing();
        let id = next_id();
        let node = NamedNode::new_unchecked(format!("urn:bibia:report:{id}"));
        let g = GraphName::from(vocab::JOURNAL_GRAPH);
        let mut txn = self.full.start_transaction()?;
        let mut add = |p, o: Term| txn.insert(&Quad::new(node.clone(), p, o, g.clone()));
        add(rdf::TYPE, journal::REPORT.into_owned().into());
        add(journal::PAGE, Literal::from(page).into());
        add(journal::MESSAGE, Literal::from(message).into());
        add(journal::STATE, Literal::from("open").into());
        add(journal::SUBMITTED, date_time(SystemTime::now()).into());
        if let Some(email) = email {
            add(journal::EMAIL, Literal::from(email).into());
        }
        txn.commit()?;
        Ok(id)
    }

    /// The error reports, oldest first, open ones only unless `all`.
    pub fn reports(&self, all: bool) -> Result<Vec<Report>, StoreError> {
        let mut out = Vec::new();
        for q in self.full.quads_for_pattern(
            None,
            Some(rdf::TYPE),
            Some(journal::REPORT.into()),
            Some(vocab::JOURNAL_GRAPH.into()),
        ) {
            let NamedOrBlankNode::NamedNode(node) = q?.subject else {
                continue;
            };
            let Some(id) = node.as_str().strip_prefix("urn:bibia:report:") else {
                continue;
            };
            let text = |p| -> Result<Option<String>, StoreError> {
                Ok(self
                    .full
                    .quads_for_pattern(
                        Some(node.as_ref().into()),
                        Some(p),
                        None,
                        Some(vocab::JOURNAL_GRAPH.into()),
                    )
                    .next()
                    .transpose()?
                    .and_then(|q| match q.object {
                        Term::Literal(l) => Some(l.value().to_owned()),
                        _ => None,
                    }))
            };
            let report = Report {
                id: id.to_owned(),
                page: text(journal::PAGE)?.unwrap_or_default(),
                message: text(journal::MESSAGE)?.unwrap_or_default(),
                email: text(journal::EMAIL)?,
                state: text(journal::STATE)?.unwrap_or_default(),
            };
            if all || report.state == "open" {
                out.push(report);
            }
        }
        out.sort_by_key(|r| (r.id.len(), r.id.clone()));
        Ok(out)
    }

    /// Marks an error report dealt with.
    pub fn close_report(&self, id: &str) -> Result<(), WriteError> {
        let _writing = self.writing();
        let node = NamedNode::new_unchecked(format!("urn:bibia:report:{id}"));
        let g = GraphName::from(vocab::JOURNAL_GRAPH);
        let open = Quad::new(
            node.clone(),
            journal::STATE,
            Literal::from("open"),
            g.clone(),
        );
        if !self.full.contains(&open)? {
            return Err(WriteError::UnknownEntry(id.to_owned()));
        }
        let mut txn = self.full.start_transaction()?;
        txn.remove(&open);
        txn.insert(&Quad::new(node, journal::STATE, Literal::from("closed"), g));
        txn.commit()?;
        Ok(())
    }

    /// Commits a record's new triples with `journal` quads (removing
    /// `retract`) and a run, then projects it; returns its new tag. Fails
    /// only if the full store's commit failed.
    fn publish(
        &self,
        record: &NamedNode,
        triples: &[Triple],
        journal: Vec<Quad>,
        retract: &[Quad],
    ) -> Result<String, StoreError> {
        let graph = GraphName::from(record.clone());
        let quads: Vec<Quad> = triples
            .iter()
            .map(|t| {
                Quad::new(
                    t.subject.clone(),
                    t.predicate.clone(),
                    t.object.clone(),
                    graph.clone(),
                )
            })
            .collect();
        let run = self.run_quads(&[format!("modification de {record}")], 1);
        let mut txn = self.full.start_transaction()?;
        txn.remove_named_graph(record)?;
        for q in retract {
            txn.remove(q);
        }
        for q in quads.iter().chain(&journal).chain(&run) {
            txn.insert(q);
        }
        txn.commit()?;
        self.count_run();
        super::load::fault_point();
        let public = self.model.policy.project(&quads);
        // The write is in the source of truth: it is acknowledged even when
        // the projection cannot follow (a full disk), since the next start
        // sees the marker behind and rebuilds the projection.
        if let Err(e) = self.project(vec![graph], public) {
            tracing::error!(
                "{record} est enregistrée dans la base complète, mais la projection publique n'a pas suivi ({e}) : elle sera refaite au prochain démarrage"
            );
        }
        self.tag_of(triples)
    }

    /// Checks that `triples` describe `record` and nothing else, give it a
    /// type, and conform to the shapes (with what the record links to).
    fn check_record(&self, record: &NamedNode, triples: &[Triple]) -> Result<(), WriteError> {
        // Before the canonical form is computed (see `MAX_BLANK_NODES`).
        let blank: HashSet<&BlankNode> = triples
            .iter()
            .flat_map(|t| {
                let subject = match &t.subject {
                    NamedOrBlankNode::BlankNode(b) => Some(b),
                    NamedOrBlankNode::NamedNode(_) => None,
                };
                let object = match &t.object {
                    Term::BlankNode(b) => Some(b),
                    _ => None,
                };
                subject.into_iter().chain(object)
            })
            .collect();
        if blank.len() > MAX_BLANK_NODES {
            return Err(WriteError::BlankNodes(record.to_string(), blank.len()));
        }
        let reachable = reachable_blank_nodes(record, triples);
        for t in triples {
            let inside = match &t.subject {
                NamedOrBlankNode::NamedNode(n) => {
                    self.base.record_of(n.as_ref()).as_ref() == Some(record)
                }
                NamedOrBlankNode::BlankNode(b) => reachable.contains(b),
            };
            if !inside {
                return Err(WriteError::Outside(
                    t.subject.to_string(),
                    record.to_string(),
                ));
            }
        }
        let subject = NamedOrBlankNode::from(record.clone());
        if !triples
            .iter()
            .any(|t| t.subject == subject && t.predicate == rdf::TYPE)
        {
            return Err(WriteError::Untyped(record.to_string()));
        }
        let graph = GraphName::from(record.clone());
        let quads: Vec<Quad> = triples
            .iter()
            .map(|t| {
                Quad::new(
                    t.subject.clone(),
                    t.predicate.clone(),
                    t.object.clone(),
                    graph.clone(),
                )
            })
            .collect();
        let report = self.validate_records(&quads)?;
        if report.has_violations() {
            return Err(WriteError::NotConform(Box::new(report)));
        }
        Ok(())
    }

    /// The entity tag of a record's triples: a keyed hash, so that the tag
    /// of a record with restricted fields tells nothing of their values.
    fn tag_of(&self, triples: &[Triple]) -> Result<String, StoreError> {
        let key = self.tag_key()?;
        let mut hasher = sha2::Sha256::new();
        hasher.update(key);
        for line in canonical_lines(triples) {
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
        }
        let digest = hasher.finalize();
        Ok(format!(
            "\"f-{}\"",
            digest[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ))
    }

    /// The key of the entity tags, made on first use and kept beside the
    /// stores (readable by the service's user only).
    fn tag_key(&self) -> Result<[u8; 32], StoreError> {
        let mut slot = self
            .tag_key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(key) = *slot {
            return Ok(key);
        }
        let path = self.dir.join(ETAG_KEY);
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        let key = match read_tag_key(&self.dir)? {
            Some(key) => key,
            None => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| io(std::io::Error::other(e.to_string())))?;
                write_private(&path, &key).map_err(io)?;
                key
            }
        };
        *slot = Some(key);
        Ok(key)
    }

    /// The lock every write of the stores holds, so that a check (the
    /// record's tag) and the write that follows it see the same store.
    pub(super) fn writing(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The key of the entity tags as stored in `dir`; `None` while there is
/// none. A file of another size is refused: a new key would turn every
/// pending change stale for ever.
pub(super) fn read_tag_key(dir: &Path) -> Result<Option<[u8; 32]>, StoreError> {
    let path = dir.join(ETAG_KEY);
    match std::fs::read(&path) {
        Ok(bytes) => <[u8; 32]>::try_from(bytes.as_slice())
            .map(Some)
            .map_err(|_| StoreError::TagKey {
                path,
                len: bytes.len(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StoreError::Io { path, source }),
    }
}

/// Whether the record is as the precondition says.
fn check(precondition: &Precondition, current: Option<&StoredRecord>) -> Result<(), WriteError> {
    let ok = match (precondition, current) {
        (Precondition::Absent, None) => true,
        (Precondition::Absent, Some(_)) => false,
        (Precondition::Matches(tag), Some(c)) => c.tag == *tag,
        (Precondition::Matches(_), None) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(WriteError::Stale {
            current: current.map(|c| c.tag.clone()),
        })
    }
}

/// What a withdrawn record keeps: its type, its label and the notice.
fn tombstone(record: &NamedNode, before: &[Triple], notice: &str) -> Vec<Triple> {
    let subject = NamedOrBlankNode::from(record.clone());
    let title = before
        .iter()
        .filter(|t| t.subject == subject)
        .find(|t| {
            [
                crate::vocab::dcterms::TITLE,
                crate::vocab::foaf::NAME,
                crate::vocab::schema::NAME,
                rdfs::LABEL,
            ]
            .contains(&t.predicate.as_ref())
        })
        .and_then(|t| match &t.object {
            Term::Literal(l) => Some(l.value().to_owned()),
            _ => None,
        })
        .unwrap_or_else(|| record.as_str().to_owned());
    vec![
        Triple::new(record.clone(), rdf::TYPE, bia::WITHDRAWN_RECORD),
        Triple::new(
            record.clone(),
            rdfs::LABEL,
            Literal::new_language_tagged_literal_unchecked(title, "fr"),
        ),
        Triple::new(
            record.clone(),
            crate::vocab::dcterms::DESCRIPTION,
            Literal::new_language_tagged_literal_unchecked(notice, "fr"),
        ),
    ]
}

/// The blank nodes reachable from `record` through the triples.
fn reachable_blank_nodes(record: &NamedNode, triples: &[Triple]) -> HashSet<BlankNode> {
    let mut reached: HashSet<BlankNode> = HashSet::new();
    let mut frontier: Vec<NamedOrBlankNode> = vec![record.clone().into()];
    // Nodes of the record's own IRI space (fragments) lead on as well.
    for t in triples {
        if let NamedOrBlankNode::NamedNode(n) = &t.subject
            && n.as_str().starts_with(record.as_str())
        {
            frontier.push(t.subject.clone());
        }
    }
    while let Some(node) = frontier.pop() {
        for t in triples.iter().filter(|t| t.subject == node) {
            if let Term::BlankNode(b) = &t.object
                && reached.insert(b.clone())
            {
                frontier.push(b.clone().into());
            }
        }
    }
    reached
}

/// The record's triples as sorted N-Triples lines, blank nodes labelled
/// canonically (RDFC-1.0) so that equal records give equal lines.
fn canonical_lines(triples: &[Triple]) -> Vec<String> {
    let mut graph: oxigraph::model::Graph = triples.iter().collect();
    if triples
        .iter()
        .any(|t| t.subject.is_blank_node() || t.object.is_blank_node())
    {
        graph.canonicalize(oxrdf::graph::CanonicalizationAlgorithm::Rdfc10 {
            hash_algorithm: oxrdf::graph::CanonicalizationHashAlgorithm::Sha256,
        });
    }
    let mut lines: Vec<String> = graph.iter().map(|t| format!("{t} .")).collect();
    lines.sort();
    lines
}

/// Parses the N-Triples kept in the journal (written by this module).
fn parse_lines(text: &str) -> Vec<Triple> {
    oxttl::NTriplesParser::new()
        .for_slice(text.as_bytes())
        .filter_map(Result::ok)
        .collect()
}

fn entry_node(id: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("urn:bibia:change:{id}"))
}

/// A new journal id: the time in nanoseconds, made unique in this process.
fn next_id() -> String {
    static LAST: std::sync::Mutex<u128> = std::sync::Mutex::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    *last = now.max(*last + 1);
    last.to_string()
}

/// The time a journal id was made.
pub fn time_of(id: &str) -> SystemTime {
    let nanos: u128 = id.parse().unwrap_or(0);
    UNIX_EPOCH + std::time::Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

fn date_time(time: SystemTime) -> Literal {
    Literal::new_typed_literal(crate::time::xsd_date_time(time), xsd::DATE_TIME)
}

fn entry_quads(e: &Entry) -> Vec<Quad> {
    let node = entry_node(&e.id);
    let g = GraphName::from(vocab::JOURNAL_GRAPH);
    let q = |p, o: Term| Quad::new(node.clone(), p, o, g.clone());
    let mut quads = vec![
        q(rdf::TYPE, journal::CHANGE.into_owned().into()),
        q(journal::RECORD, e.record.clone().into()),
        q(journal::ACTION, Literal::from(e.action.as_str()).into()),
        q(journal::STATE, Literal::from(e.state.as_str()).into()),
        q(journal::ACCOUNT, Literal::from(e.account.as_str()).into()),
        q(journal::SUBMITTED, date_time(e.submitted).into()),
        q(
            journal::PREVIOUS,
            Literal::from(canonical_lines(&e.before).join("\n")).into(),
        ),
        q(
            journal::CONTENT,
            Literal::from(canonical_lines(&e.after).join("\n")).into(),
        ),
    ];
    if let Some(org) = &e.organisation {
        quads.push(q(journal::ORGANISATION, org.clone().into()));
    }
    if let Some(base) = &e.base {
        quads.push(q(journal::BASE, Literal::from(base.as_str()).into()));
    }
    if let Some(reason) = &e.reason {
        quads.push(q(journal::REASON, Literal::from(reason.as_str()).into()));
    }
    quads
}

/// When (and by which moderator) a change was decided.
fn decided(id: &str, moderator: Option<&str>) -> Vec<Quad> {
    let node = entry_node(id);
    let g = GraphName::from(vocab::JOURNAL_GRAPH);
    let mut quads = vec![Quad::new(
        node.clone(),
        journal::DECIDED,
        date_time(SystemTime::now()),
        g.clone(),
    )];
    if let Some(m) = moderator {
        quads.push(Quad::new(node, journal::MODERATOR, Literal::from(m), g));
    }
    quads
}

fn read_entry(id: &str, props: &BTreeMap<&'static str, Vec<Term>>) -> Entry {
    let text = |name: &str| {
        props.get(name).and_then(|v| {
            v.iter().find_map(|t| match t {
                Term::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            })
        })
    };
    let node = |name: &str| {
        props.get(name).and_then(|v| {
            v.iter().find_map(|t| match t {
                Term::NamedNode(n) => Some(n.clone()),
                _ => None,
            })
        })
    };
    // A refused change keeps its state literal "refused" beside nothing
    // else; an accepted one "accepted": the latest state is the only one.
    let state = props
        .get("state")
        .and_then(|v| {
            v.iter()
                .filter_map(|t| match t {
                    Term::Literal(l) => Some(l.value()),
                    _ => None,
                })
                .max_by_key(|s| {
                    ["pending", "applied", "accepted", "refused"]
                        .iter()
                        .position(|x| x == s)
                })
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let action = props
        .get("action")
        .and_then(|v| {
            v.iter()
                .filter_map(|t| match t {
                    Term::Literal(l) => Some(l.value()),
                    _ => None,
                })
                .max_by_key(|s| *s == "restore")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    Entry {
        id: id.to_owned(),
        record: node("record").unwrap_or_else(|| NamedNode::new_unchecked("urn:bibia:inconnu")),
        action,
        state,
        account: text("account").unwrap_or_default(),
        organisation: node("organisation"),
        submitted: time_of(id),
        moderator: text("moderator"),
        reason: text("reason"),
        base: text("base"),
        before: parse_lines(&text("previous").unwrap_or_default()),
        after: parse_lines(&text("content").unwrap_or_default()),
    }
}

/// Writes a file only its owner reads, atomically.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
