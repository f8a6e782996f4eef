//! The VoID description of the public data (`/.well-known/void`, as the
//! VoID recommendation places it): its figures (distinct triples,
//! entities, subjects, objects, one partition per class and per
//! property), its SPARQL endpoint, its dumps, its URI space, the
//! vocabularies it uses and when it last changed.
//!
//! The dataset it describes is the catalogue's knowledge graph
//! (`/catalog#graphe`): one IRI for the data in DCAT and in VoID. Every
//! figure comes from [`PublicStore::statistics`], over the union of the
//! projection's graphs, which is what the SPARQL endpoint queries.

use super::{Builder, LICENCE, iri};
use crate::export::DUMPS;
use crate::iri::BaseIri;
use crate::store::{PublicStore, StoreError};
use crate::vocab::{PREFIXES, dcterms, foaf, void};
use oxrdf::Triple;

/// The formats the data are served in (W3C's format IRIs).
const FEATURES: [&str; 4] = [
    "http://www.w3.org/ns/formats/N-Quads",
    "http://www.w3.org/ns/formats/Turtle",
    "http://www.w3.org/ns/formats/JSON-LD",
    "http://www.w3.org/ns/formats/RDF_XML",
];

/// The VoID description of the projection, served at `base`'s
/// `.well-known/void`.
pub fn void(store: &PublicStore, base: &BaseIri) -> Result<Vec<Triple>, StoreError> {
    let uri_space = format!("{}id/", base.as_str());
    let stats = store.statistics(&uri_space)?;
    let mut b = Builder::default();
    let document = base.join(".well-known/void");
    let dataset = base.join("catalog#graphe");

    b.typed(&document, void::DATASET_DESCRIPTION);
    b.text(
        &document,
        dcterms::TITLE,
        "Description VoID des données de la bibliothèque d'IA territoriale",
    );
    b.link(&document, foaf::PRIMARY_TOPIC, &dataset);

    b.typed(&dataset, void::DATASET);
    b.text(
        &dataset,
        dcterms::TITLE,
        "Graphe de connaissances de la bibliothèque d'IA territoriale",
    );
    b.text(
        &dataset,
        dcterms::DESCRIPTION,
        "Les données publiques de la bibliothèque : projets d'IA des collectivités, fiches de transparence, organisations, solutions, ressources, territoires et listes de concepts.",
    );
    b.link(&dataset, foaf::HOMEPAGE, &base.join(""));
    b.link(&dataset, dcterms::LICENSE, &iri(LICENCE));
    b.date_time(
        &dataset,
        dcterms::MODIFIED,
        &crate::time::xsd_date_time(store.version().modified),
    );
    b.link(&dataset, void::SPARQL_ENDPOINT, &base.join("sparql"));
    for dump in &DUMPS {
        b.link(
            &dataset,
            void::DATA_DUMP,
            &base.join(&format!("dumps/{}", dump.name)),
        );
    }
    for feature in FEATURES {
        b.link(&dataset, void::FEATURE, &iri(feature));
    }
    b.plain(&dataset, void::URI_SPACE, &uri_space);
    let used = stats.classes.keys().chain(stats.properties.keys());
    let mut vocabularies: Vec<&str> = PREFIXES
        .iter()
        .map(|(_, ns)| *ns)
        .filter(|ns| used.clone().any(|t| t.as_str().starts_with(ns)))
        .collect();
    vocabularies.sort_unstable();
    for ns in vocabularies {
        b.link(&dataset, void::VOCABULARY, &iri(ns));
    }
    if let Some(example) = store
        .instances(crate::vocab::bia::USE_CASE)?
        .into_iter()
        .filter(|p| p.as_str().starts_with(&uri_space))
        .min()
    {
        b.link(&dataset, void::EXAMPLE_RESOURCE, &example);
    }

    b.integer(&dataset, void::TRIPLES, stats.triples);
    b.integer(&dataset, void::ENTITIES, stats.entities);
    b.integer(&dataset, void::DISTINCT_SUBJECTS, stats.distinct_subjects);
    b.integer(&dataset, void::DISTINCT_OBJECTS, stats.distinct_objects);
    b.integer(&dataset, void::CLASSES, stats.classes.len());
    b.integer(&dataset, void::PROPERTIES, stats.properties.len());
    // Partitions are named after their rank (`#classe-3`), so the
    // document, and its ETag, are the same for the same data.
    for (i, (class, n)) in stats.classes.iter().enumerate() {
        let part = base.join(&format!(".well-known/void#classe-{}", i + 1));
        b.link(&dataset, void::CLASS_PARTITION, &part);
        b.link(&part, void::CLASS, class);
        b.integer(&part, void::ENTITIES, *n);
    }
    for (i, (property, n)) in stats.properties.iter().enumerate() {
        let part = base.join(&format!(".well-known/void#propriete-{}", i + 1));
        b.link(&dataset, void::PROPERTY_PARTITION, &part);
        b.link(&part, void::PROPERTY, property);
        b.integer(&part, void::TRIPLES, *n);
    }
    Ok(b.0)
}
