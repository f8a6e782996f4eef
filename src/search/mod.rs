//! Full-text search in French over the records people browse (use cases,
//! organisations, solutions, resources), with tantivy.
//!
//! - **Derived from the public projection only**: each record's title, its
//!   organisation's name, its public description and the labels of its
//!   facet values (themes, status…), read through [`crate::browse::Index`]
//!   and [`PublicStore`]. Restricted text never reaches the projection, so
//!   it can never enter the index.
//! - **French analysis**: words lower-cased, accents folded (`dépôt` =
//!   `depot`), French stop words dropped, then stemmed with the Snowball
//!   French stemmer (`déchets` finds `déchet`).
//! - **Ranking**: BM25, a word in the title counting three times one in the
//!   description, the organisation's name twice; every word of the query
//!   may match (more words matched rank higher). A word of five letters or
//!   more also matches, at a lower weight, the words as written one edit
//!   away (a typo: `détectoin` finds `détection`), looked for among the
//!   unstemmed words, since a misspelt word's stem may be further away.
//! - **Snippets**: the passage of the description where the words are,
//!   with `<mark>` around them, HTML-escaped.
//! - **On disk** under `{data}/search/`, one folder per version of the
//!   data: built in a temporary folder, then renamed, so a reader never
//!   opens half an index; `bibia reindex` builds it again, and `serve`
//!   builds a new one after a write (see `http/derived.rs`).
//!
//! The facets of the lists combine with a query: the search gives the
//! records it matched, and the lists' index counts and filters them, so a
//! search's counts are those a click on a list gives.

use crate::browse::{Entry, Index as Records, Kind};
use crate::store::{DataVersion, PublicStore, StoreError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream as _,
};
use tantivy::{IndexReader, ReloadPolicy, TantivyDocument, Term};

/// The analyser of French text, by its name in the schema.
const FRENCH: &str = "fr";

/// The analyser of the words as written (lower case, accents folded, not
/// stemmed), where typos are looked for.
const PLAIN: &str = "fr-mots";

/// Words of at least this many letters also match one typo away.
const FUZZY_FROM: usize = 5;

/// Why the index could not be built or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// Reading the projection failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The index failed.
    #[error("index de recherche : {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A file of the index folder.
    #[error("index de recherche, {}", crate::datadir::io_message(path, source))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// One record found.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Its IRI.
    pub iri: String,
    /// Its kind.
    pub kind: Kind,
    /// Its place among the records of its kind in the lists' index
    /// ([`Records::entries`]).
    pub position: usize,
    /// Its relevance (higher is better).
    pub score: f32,
    /// The passage of its description where the words are, as HTML
    /// (escaped, the words in `<mark>`); empty until
    /// [`SearchIndex::snippets`] fills it, and when no passage has them.
    pub snippet: String,
    address: tantivy::DocAddress,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    /// The record's rank among the lists' records (kind by kind).
    ord: Field,
    kind: Field,
    title: Field,
    organisation: Field,
    body: Field,
    /// Every word of the three, as written: typos are matched there, as a
    /// stem may differ from its misspelt word's by more than one letter.
    words: Field,
}

impl Fields {
    fn schema() -> (Schema, Self) {
        let mut b = Schema::builder();
        let text = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(FRENCH)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let fields = Self {
            ord: b.add_u64_field("ord", FAST),
            kind: b.add_text_field("kind", STRING),
            title: b.add_text_field("title", text.clone()),
            organisation: b.add_text_field("organisation", text.clone()),
            body: b.add_text_field("body", text),
            words: b.add_text_field(
                "words",
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(PLAIN)
                        .set_index_option(IndexRecordOption::Basic),
                ),
            ),
        };
        (b.build(), fields)
    }
}

fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn french() -> TextAnalyzer {
    let mut builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    if let Some(stop) = StopWordFilter::new(Language::French) {
        builder = builder.filter_dynamic(stop);
    }
    builder
        .filter_dynamic(Stemmer::new(Language::French))
        .build()
}

/// The words of a text that are not stop words, each as the index holds
/// it (its stem) and as written (folded).
fn analyse(text: &str) -> Vec<(String, String)> {
    let mut plain = plain();
    let mut stemmed = french();
    let mut out = Vec::new();
    let mut stream = plain.token_stream(text);
    while stream.advance() {
        let word = stream.token().text.clone();
        let mut one = stemmed.token_stream(&word);
        let stem = one.advance().then(|| one.token().text.clone());
        drop(one);
        if let Some(stem) = stem {
            out.push((stem, word));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// How many records of each kind match, and the best hits, best first.
pub type Overview = (Vec<(Kind, usize)>, Vec<Hit>);

/// A search index for one version of the data.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    /// How many records it holds.
    pub records: usize,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Indexes every record of `records` in the folder `dir` (which must
    /// be new and empty).
    pub fn build(
        store: &PublicStore,
        records: &Records,
        dir: &Path,
    ) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = Fields::schema();
        let index = tantivy::Index::create_in_dir(dir, schema)?;
        index.tokenizers().register(FRENCH, french());
        index.tokenizers().register(PLAIN, plain());
        let mut writer = index.writer::<TantivyDocument>(50_000_000)?;
        let mut n: usize = 0;
        for kind in Kind::ALL {
            for entry in records.entries(kind) {
                writer.add_document(document(store, fields, kind, entry, n as u64)?)?;
                n += 1;
            }
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        Self::opened(index, fields, n)
    }

    /// Opens the index of the folder `dir`.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        let index = tantivy::Index::open_in_dir(dir)?;
        index.tokenizers().register(FRENCH, french());
        index.tokenizers().register(PLAIN, plain());
        let (_, fields) = Fields::schema();
        let n = index.reader()?.searcher().num_docs() as usize;
        Self::opened(index, fields, n)
    }

    fn opened(index: tantivy::Index, fields: Fields, n: usize) -> Result<Self, SearchError> {
        // An index is never written once built: nothing to watch.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            reader,
            fields,
            records: n,
        })
    }

    /// The query of `text`: each of its words, stemmed, in the title
    /// (weight 3), the organisation (2) or the description (1), and one
    /// typo away for words of five letters or more (a third of that);
    /// only records of `kind` when given. `None` when no word is left.
    fn query(&self, text: &str, kind: Option<Kind>) -> Option<BooleanQuery> {
        let f = self.fields;
        let words = analyse(text);
        if words.is_empty() {
            return None;
        }
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (stem, written) in &words {
            for (field, boost) in [(f.title, 3.0), (f.organisation, 2.0), (f.body, 1.0)] {
                let term = Term::from_field_text(field, stem);
                let exact = TermQuery::new(term, IndexRecordOption::WithFreqs);
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(exact), boost)),
                ));
            }
            if written.chars().count() >= FUZZY_FROM {
                let term = Term::from_field_text(f.words, written);
                let near = FuzzyTermQuery::new(term, 1, true);
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(near), 0.5)),
                ));
            }
        }
        let mut all: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(any)))];
        if let Some(kind) = kind {
            let term = Term::from_field_text(f.kind, kind.path());
            all.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        Some(BooleanQuery::new(all))
    }

    /// The records of `records` (the lists' index the search index was
    /// built from) that match `text`, best first, at most `limit`, of
    /// `kind` only when given. Snippets are left empty.
    pub fn search(
        &self,
        records: &Records,
        text: &str,
        kind: Option<Kind>,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let Some(query) = self.query(text, kind) else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        // The ranking keeps as many places as there are matches, not as
        // `limit` asks: a list asks for every match, which may be ten
        // thousand among a hundred thousand records.
        let limit = if limit > 1000 {
            limit.min(searcher.search(&query, &tantivy::collector::Count)?)
        } else {
            limit
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut columns = HashMap::new();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(c) => c.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .u64("ord")?,
                ),
            };
            let Some(ord) = column.first(address.doc_id) else {
                continue;
            };
            let Some((kind, position)) = nth(records, ord as usize) else {
                continue;
            };
            hits.push(Hit {
                iri: records.entries(kind)[position].iri.as_str().to_owned(),
                kind,
                position,
                score,
                snippet: String::new(),
                address,
            });
        }
        Ok(hits)
    }

    /// How many records of each kind match `text` (only `kind` when
    /// given), and the best `best` of each, best first. Cheaper than
    /// [`SearchIndex::search`] for every match: counting needs no score,
    /// and the best few are found without ranking the others.
    pub fn overview(
        &self,
        records: &Records,
        text: &str,
        kind: Option<Kind>,
        best: usize,
    ) -> Result<Overview, SearchError> {
        let mut counts = Vec::new();
        let mut hits = Vec::new();
        for k in Kind::ALL {
            if kind.is_some_and(|only| only != k) {
                continue;
            }
            let Some(query) = self.query(text, Some(k)) else {
                return Ok((Vec::new(), Vec::new()));
            };
            let n = self
                .reader
                .searcher()
                .search(&query, &tantivy::collector::Count)?;
            counts.push((k, n));
            if n > 0 && best > 0 {
                hits.extend(self.search(records, text, Some(k), best)?);
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok((counts, hits))
    }

    /// Fills the snippets of `hits` for the words of `text`.
    pub fn snippets(&self, text: &str, hits: &mut [&mut Hit]) -> Result<(), SearchError> {
        let Some(query) = self.query(text, None) else {
            return Ok(());
        };
        let searcher = self.reader.searcher();
        let mut generator = SnippetGenerator::create(&searcher, &query, self.fields.body)?;
        generator.set_max_num_chars(220);
        for hit in hits {
            let doc: TantivyDocument = searcher.doc(hit.address)?;
            let mut snippet = generator.snippet_from_doc(&doc);
            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
            if !snippet.is_empty() {
                hit.snippet = snippet.to_html();
            }
        }
        Ok(())
    }
}

/// The kind and place of the `n`-th record of the lists' index, kind
/// after kind.
fn nth(records: &Records, mut n: usize) -> Option<(Kind, usize)> {
    for kind in Kind::ALL {
        let entries = records.entries(kind);
        if n < entries.len() {
            return Some((kind, n));
        }
        n -= entries.len();
    }
    None
}

/// The document of one record.
fn document(
    store: &PublicStore,
    f: Fields,
    kind: Kind,
    entry: &Entry,
    ord: u64,
) -> Result<TantivyDocument, SearchError> {
    let iri = entry.iri.as_ref();
    let description = crate::store::best_text_of(
        store
            .objects(iri, crate::vocab::dcterms::DESCRIPTION)?
            .iter(),
    )
    .unwrap_or_default();
    let mut body = description;
    for values in entry.facets.values() {
        for v in values {
            body.push('\n');
            body.push_str(&v.label);
        }
    }
    let mut doc = TantivyDocument::default();
    doc.add_u64(f.ord, ord);
    doc.add_text(f.kind, kind.path());
    doc.add_text(f.title, &entry.title);
    if let Some((_, name)) = &entry.organisation {
        doc.add_text(f.organisation, name);
    }
    doc.add_text(f.body, &body);
    doc.add_text(f.words, &entry.title);
    if let Some((_, name)) = &entry.organisation {
        doc.add_text(f.words, name);
    }
    doc.add_text(f.words, &body);
    Ok(doc)
}

/// The folder of the search indexes, one per version of the data. Which
/// version a running service searches is `serve`'s business
/// (`http/derived.rs`): it keeps each open index beside the lists' index
/// it was built from.
#[derive(Debug)]
pub struct Searches {
    dir: PathBuf,
}

impl Searches {
    /// The indexes kept under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder of the index of `version`.
    fn name(version: DataVersion) -> String {
        format!(
            "v{}-{}",
            version.generation,
            version
                .modified
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        )
    }

    /// The index of the data version `version`, whose lists' index is
    /// `records` (the hits are places in it): opened from disk when an
    /// earlier run left it, else built in a temporary folder renamed once
    /// complete. The descriptions are read from `store` as it is now.
    pub fn of_version(
        &self,
        store: &PublicStore,
        records: &Records,
        version: DataVersion,
    ) -> Result<SearchIndex, SearchError> {
        let folder = self.dir.join(Self::name(version));
        match SearchIndex::open(&folder) {
            Ok(index) => Ok(index),
            Err(e) => {
                // Derived data: a damaged index is made again.
                if folder.exists() {
                    tracing::warn!(
                        "index de recherche {} illisible ({e}) : il est effacé et refait",
                        folder.display()
                    );
                    std::fs::remove_dir_all(&folder).map_err(|source| SearchError::Io {
                        path: folder.clone(),
                        source,
                    })?;
                }
                self.build(store, records, &folder)
            }
        }
    }

    /// Builds the index of the current data into `folder`, through a
    /// temporary folder renamed once the index is committed.
    fn build(
        &self,
        store: &PublicStore,
        records: &Records,
        folder: &Path,
    ) -> Result<SearchIndex, SearchError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| SearchError::Io { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let tmp = tempfile::Builder::new()
            .prefix(".construction-")
            .tempdir_in(&self.dir)
            .map_err(io(&self.dir))?;
        let started = std::time::Instant::now();
        let built = SearchIndex::build(store, records, tmp.path())?;
        drop(built);
        // Another builder of the same version (two apps on one store) may
        // have been first: its index is as good.
        if let Err(e) = std::fs::rename(tmp.path(), folder)
            && SearchIndex::open(folder).is_err()
        {
            return Err(io(folder)(e));
        }
        let index = SearchIndex::open(folder)?;
        tracing::info!(
            "index de recherche construit en {:.2} s : {} fiches",
            started.elapsed().as_secs_f64(),
            index.records
        );
        Ok(index)
    }

    /// Removes the folders of every version but `version` (an index
    /// still open keeps its files until it is dropped).
    pub fn keep_only(&self, version: DataVersion) {
        let keep = Self::name(version);
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('v') && name != keep {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }

    /// Builds the index of the current data again (`bibia reindex`).
    pub fn rebuild(
        &self,
        store: &PublicStore,
        base: &crate::iri::BaseIri,
    ) -> Result<SearchIndex, SearchError> {
        let version = store.version();
        let records = Records::build(store, base)?;
        let _ = std::fs::remove_dir_all(&self.dir);
        let index = self.of_version(store, &records, version)?;
        self.keep_only(version);
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::analyse;

    #[test]
    fn french_words_meet_their_plural_and_their_accents() {
        let words = |t: &str| -> Vec<String> { analyse(t).into_iter().map(|(w, _)| w).collect() };
        assert_eq!(words("déchets"), words("dechet"));
        assert_eq!(words("Dépôts SAUVAGES"), words("depot sauvage"));
        assert!(
            words("la détection des dépôts").len() == 2,
            "stop words dropped"
        );
    }
}
