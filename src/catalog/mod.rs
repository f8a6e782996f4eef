//! The DCAT-AP 3 catalogue of the service (`/catalog`): a `dcat:Catalog`
//! describing the knowledge graph as a `dcat:Dataset` with its
//! distributions (the network's CSV export, the pages), the SPARQL endpoint
//! as a `dcat:DataService`, and each technical resource of the library that
//! is a data set as a `dcat:Dataset` of its own with its distribution.
//!
//! What data.gouv.fr's DCAT harvester needs is there: a stable
//! `dct:identifier` and a French `dct:title` on every dataset and service,
//! a `dcat:accessURL` on every distribution (and `dcat:downloadURL` and
//! `dcat:mediaType` where a file exists), ISO 8601 dates, a publisher and a
//! contact point, the licence as an IRI it recognises (Licence Ouverte 2.0),
//! `dct:temporal` as a blank node. Past `page_size` datasets the catalogue
//! is paged with Hydra (`hydra:PartialCollectionView`, `hydra:next` and the
//! older `hydra:nextPage`); the knowledge graph and the service are on
//! every page.
//!
//! Built from the public projection only, like every public surface; the
//! VoID description of the same data is [`void`].

mod void;

pub use void::void;

use crate::browse::{Index, Kind};
use crate::iri::BaseIri;
use crate::store::{PublicStore, StoreError, best_text_of};
use crate::vocab::{bia, dcat, dcterms, foaf, hydra, vcard};
use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedNodeRef, Term, Triple};

/// Datasets per page of the catalogue unless configured otherwise.
pub const PAGE_SIZE: usize = 100;

/// The licence of the library's data (Etalab's Licence Ouverte 2.0, the
/// IRI data.gouv.fr recognises).
pub const LICENCE: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";

const FRENCH: &str = "http://publications.europa.eu/resource/authority/language/FRA";
const SPARQL_PROTOCOL: &str = "https://www.w3.org/TR/sparql11-protocol/";
const IANA: &str = "https://www.iana.org/assignments/media-types/";

/// One page of the catalogue: its triples, and how many pages there are.
#[derive(Debug)]
pub struct CatalogPage {
    /// The triples of the page.
    pub triples: Vec<Triple>,
    /// How many pages the catalogue has.
    pub pages: usize,
}

/// Builds page `page` (from 1) of the catalogue; `None` past the last page.
pub fn catalog(
    store: &PublicStore,
    index: &Index,
    base: &BaseIri,
    contact: &str,
    page: usize,
    page_size: usize,
) -> Result<Option<CatalogPage>, StoreError> {
    let page_size = page_size.max(1);
    let mut b = Builder::default();
    let catalog = base.join("catalog");
    let graph = base.join("catalog#graphe");
    let service = base.join("catalog#sparql");
    let publisher = base.join("catalog#editeur");
    let modified = crate::time::xsd_date_time(store.version().modified);

    // The knowledge graph is on every page; the resources that are data
    // sets are paged, by IRI.
    let mut resources: Vec<NamedNode> = store
        .instances(bia::DATASET)?
        .into_iter()
        .filter(|r| base.relative(r.as_str()).is_some())
        .collect();
    resources.sort();
    let pages = resources.len().div_ceil(page_size).max(1);
    if page == 0 || page > pages {
        return Ok(None);
    }
    let shown = &resources[(page - 1) * page_size..(page * page_size).min(resources.len())];

    b.typed(&catalog, dcat::CATALOG);
    b.text(&catalog, dcterms::TITLE, "Bibliothèque d'IA territoriale");
    b.text(
        &catalog,
        dcterms::DESCRIPTION,
        "Catalogue des données ouvertes de la bibliothèque d'IA territoriale : les projets d'intelligence artificielle des collectivités françaises, leurs fiches de transparence, les organisations, solutions et ressources, en données liées (RDF) et au format CSV du réseau.",
    );
    b.plain(&catalog, dcterms::IDENTIFIER, catalog.as_str());
    b.link(&catalog, dcterms::PUBLISHER, &publisher);
    b.page(&catalog, foaf::HOMEPAGE, &base.join(""));
    b.link(&catalog, dcterms::LANGUAGE, &iri(FRENCH));
    b.link(&catalog, dcterms::LICENSE, &iri(LICENCE));
    b.date_time(&catalog, dcterms::MODIFIED, &modified);
    b.link(&catalog, dcat::SERVICE, &service);
    b.link(&catalog, dcat::HAS_DATASET, &graph);
    for d in shown {
        b.link(&catalog, dcat::HAS_DATASET, d);
    }
    b.typed(&iri(FRENCH), dcterms::LINGUISTIC_SYSTEM);
    b.typed(&iri(LICENCE), dcterms::LICENSE_DOCUMENT);

    b.typed(&publisher, foaf::AGENT);
    b.text(
        &publisher,
        foaf::NAME,
        "Réseau de la bibliothèque d'IA territoriale (Les Interconnectés, France urbaine, Intercommunalités de France)",
    );

    // The SPARQL endpoint.
    b.typed(&service, dcat::DATA_SERVICE);
    b.text(
        &service,
        dcterms::TITLE,
        "Point d'accès SPARQL de la bibliothèque d'IA territoriale",
    );
    b.text(
        &service,
        dcterms::DESCRIPTION,
        "Point d'accès SPARQL 1.1 (requêtes seulement) sur les données publiques de la bibliothèque.",
    );
    b.plain(&service, dcterms::IDENTIFIER, service.as_str());
    b.link(&service, dcat::ENDPOINT_URL, &base.join("sparql"));
    b.typed(&base.join("sparql"), rdfs::RESOURCE);
    b.link(&service, dcterms::CONFORMS_TO, &iri(SPARQL_PROTOCOL));
    b.typed(&iri(SPARQL_PROTOCOL), dcterms::STANDARD);
    b.link(&service, dcat::SERVES_DATASET, &graph);
    // On every page, so that what the service serves is a dataset there too.
    b.typed(&graph, dcat::DATASET);
    b.link(&service, dcterms::LICENSE, &iri(LICENCE));
    b.link(&service, dcterms::PUBLISHER, &publisher);

    knowledge_graph(
        &mut b, store, index, base, contact, &graph, &service, &publisher, &modified,
    )?;
    for d in shown {
        resource(&mut b, store, base, d)?;
    }

    if pages > 1 {
        let at = |p: usize| base.join(&format!("catalog?page={p}"));
        let view = at(page);
        b.link(&catalog, hydra::VIEW, &view);
        b.typed(&view, hydra::PARTIAL_COLLECTION_VIEW);
        b.link(&view, hydra::FIRST, &at(1));
        b.link(&view, hydra::LAST, &at(pages));
        if page < pages {
            b.link(&view, hydra::NEXT, &at(page + 1));
            b.link(&view, hydra::NEXT_PAGE, &at(page + 1));
        }
        if page > 1 {
            b.link(&view, hydra::PREVIOUS, &at(page - 1));
        }
        b.integer(&view, hydra::TOTAL_ITEMS, resources.len() + 1);
        b.integer(&view, hydra::ITEMS_PER_PAGE, page_size);
    }
    Ok(Some(CatalogPage {
        triples: b.0,
        pages,
    }))
}

#[expect(
    clippy::too_many_arguments,
    reason = "the nodes the catalogue already named"
)]
fn knowledge_graph(
    b: &mut Builder,
    store: &PublicStore,
    index: &Index,
    base: &BaseIri,
    contact: &str,
    graph: &NamedNode,
    service: &NamedNode,
    publisher: &NamedNode,
    modified: &str,
) -> Result<(), StoreError> {
    b.typed(graph, dcat::DATASET);
    b.text(
        graph,
        dcterms::TITLE,
        "Graphe de connaissances de la bibliothèque d'IA territoriale",
    );
    let counts: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{} {}", index.entries(*k).len(), k.title().to_lowercase()))
        .collect();
    b.text(
        graph,
        dcterms::DESCRIPTION,
        &format!(
            "Les cas d'usage de l'intelligence artificielle des collectivités françaises, avec la fiche de transparence de chaque algorithme, les organisations, les solutions et les ressources techniques, reliés aux territoires et aux listes du réseau ({}). Les champs que le réseau réserve à ses membres ne sont pas publiés.",
            counts.join(", ")
        ),
    );
    b.plain(graph, dcterms::IDENTIFIER, graph.as_str());
    b.link(graph, dcterms::PUBLISHER, publisher);
    b.page(graph, dcat::LANDING_PAGE, &base.join(""));
    b.link(graph, dcterms::LANGUAGE, &iri(FRENCH));
    b.date_time(graph, dcterms::MODIFIED, modified);
    if let Some(issued) = issued(store, base)? {
        b.date(graph, dcterms::ISSUED, &issued);
    }
    let contact_node = base.join("catalog#contact");
    b.link(graph, dcat::CONTACT_POINT, &contact_node);
    b.typed(&contact_node, vcard::KIND);
    b.text(&contact_node, vcard::FN, "Bibliothèque d'IA territoriale");
    b.link(
        &contact_node,
        vcard::HAS_EMAIL,
        &iri(&format!("mailto:{contact}")),
    );
    if let Some(start) = index
        .entries(Kind::Projet)
        .iter()
        .map(|e| e.start.as_str())
        .filter(|s| !s.is_empty())
        .min()
    {
        let period = BlankNode::default();
        b.0.push(Triple::new(
            graph.clone(),
            dcterms::TEMPORAL,
            period.clone(),
        ));
        b.0.push(Triple::new(
            period.clone(),
            rdf::TYPE,
            dcterms::PERIOD_OF_TIME,
        ));
        b.0.push(Triple::new(
            period,
            dcat::START_DATE,
            Literal::new_typed_literal(full_date(start), xsd::DATE),
        ));
    }
    for dump in &crate::export::DUMPS {
        let node = base.join(&format!("catalog#{}", dump.name.replace('.', "-")));
        distribution(
            b,
            graph,
            &node,
            dump.title,
            &base.join(&format!("dumps/{}", dump.name)),
            Some(dump.media_type),
        );
        let gzip = iri(&format!("{IANA}{}", crate::export::dumps::GZIP));
        b.link(&node, dcat::COMPRESS_FORMAT, &gzip);
        b.typed(&gzip, dcterms::MEDIA_TYPE);
    }
    distribution(
        b,
        graph,
        &base.join("catalog#csv"),
        "Projets au format CSV du réseau",
        &base.join("export/projets.csv"),
        Some("text/csv"),
    );
    let sparql = base.join("catalog#sparql-distribution");
    distribution(
        b,
        graph,
        &sparql,
        "Point d'accès SPARQL",
        &base.join("sparql"),
        None,
    );
    b.link(&sparql, dcat::ACCESS_SERVICE, service);
    distribution(
        b,
        graph,
        &base.join("catalog#pages"),
        "Pages des fiches (HTML, et RDF par négociation de contenu)",
        &base.join(""),
        None,
    );
    Ok(())
}

/// A technical resource that is a data set, as the catalogue describes it.
fn resource(
    b: &mut Builder,
    store: &PublicStore,
    base: &BaseIri,
    dataset: &NamedNode,
) -> Result<(), StoreError> {
    b.typed(dataset, dcat::DATASET);
    let title = store
        .label(dataset.as_ref())?
        .unwrap_or_else(|| dataset.as_str().to_owned());
    b.text(dataset, dcterms::TITLE, &title);
    let description = best_text_of(
        store
            .objects(dataset.as_ref(), dcterms::DESCRIPTION)?
            .iter(),
    )
    .unwrap_or_else(|| title.clone());
    b.text(dataset, dcterms::DESCRIPTION, &description);
    b.plain(dataset, dcterms::IDENTIFIER, dataset.as_str());
    if let Some(rest) = base
        .relative(dataset.as_str())
        .and_then(|r| r.strip_prefix("id/"))
    {
        b.page(
            dataset,
            dcat::LANDING_PAGE,
            &base.join(&format!("page/{rest}")),
        );
    }
    if let Some(Term::NamedNode(publisher)) = store
        .objects(dataset.as_ref(), dcterms::PUBLISHER)?
        .into_iter()
        .next()
    {
        b.link(dataset, dcterms::PUBLISHER, &publisher);
        b.typed(&publisher, foaf::AGENT);
        let name = store
            .label(publisher.as_ref())?
            .unwrap_or_else(|| publisher.as_str().to_owned());
        b.text(&publisher, foaf::NAME, &name);
    }
    if let Some(Term::Literal(issued)) = store
        .objects(dataset.as_ref(), dcterms::ISSUED)?
        .into_iter()
        .next()
    {
        b.date(dataset, dcterms::ISSUED, issued.value());
    }
    let access = store.objects(dataset.as_ref(), dcat::ACCESS_URL)?;
    if let Some(Term::NamedNode(url)) = access.into_iter().next() {
        let distribution_node =
            NamedNode::new_unchecked(format!("{}#distribution", dataset.as_str()));
        distribution(b, dataset, &distribution_node, &title, &url, None);
        if let Some(Term::NamedNode(licence)) = store
            .objects(dataset.as_ref(), dcterms::LICENSE)?
            .into_iter()
            .next()
        {
            b.link(&distribution_node, dcterms::LICENSE, &licence);
            b.typed(&licence, dcterms::LICENSE_DOCUMENT);
        }
    }
    Ok(())
}

/// A distribution `node` of `dataset`.
fn distribution(
    b: &mut Builder,
    dataset: &NamedNode,
    node: &NamedNode,
    title: &str,
    access: &NamedNode,
    media_type: Option<&str>,
) {
    b.link(dataset, dcat::HAS_DISTRIBUTION, node);
    b.typed(node, dcat::DISTRIBUTION);
    b.text(node, dcterms::TITLE, title);
    b.link(node, dcat::ACCESS_URL, access);
    if let Some(media) = media_type {
        b.link(node, dcat::DOWNLOAD_URL, access);
        let media = iri(&format!("{IANA}{media}"));
        b.link(node, dcat::MEDIA_TYPE, &media);
        b.typed(&media, dcterms::MEDIA_TYPE);
        b.link(node, dcterms::LICENSE, &iri(LICENCE));
    }
}

/// The earliest `dcterms:issued` of the datasets the data describe
/// (`/id/jeu/…`), if any.
fn issued(store: &PublicStore, base: &BaseIri) -> Result<Option<String>, StoreError> {
    let mut dates = Vec::new();
    for d in store.instances(dcat::DATASET)? {
        if base
            .relative(d.as_str())
            .is_some_and(|r| r.starts_with("id/jeu/"))
        {
            for t in store.objects(d.as_ref(), dcterms::ISSUED)? {
                if let Term::Literal(l) = t {
                    dates.push(l.value().to_owned());
                }
            }
        }
    }
    Ok(dates.into_iter().min())
}

/// A start date as a full `xsd:date` (`2022-09` → `2022-09-01`).
fn full_date(start: &str) -> String {
    match start.len() {
        4 => format!("{start}-01-01"),
        7 => format!("{start}-01"),
        _ => start.chars().take(10).collect(),
    }
}

fn iri(s: &str) -> NamedNode {
    NamedNode::new_unchecked(s)
}

/// The triples of a page, written once each.
#[derive(Default)]
struct Builder(Vec<Triple>);

impl Builder {
    fn push(&mut self, t: Triple) {
        if !self.0.contains(&t) {
            self.0.push(t);
        }
    }

    fn typed(&mut self, s: &NamedNode, class: NamedNodeRef<'_>) {
        self.push(Triple::new(s.clone(), rdf::TYPE, class));
    }

    fn link(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: &NamedNode) {
        self.push(Triple::new(s.clone(), p, o.clone()));
    }

    /// A link to a web page, typed `foaf:Document` as DCAT-AP's ranges ask.
    fn page(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, page: &NamedNode) {
        self.link(s, p, page);
        self.typed(page, foaf::DOCUMENT);
    }

    fn text(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, text: &str) {
        self.push(Triple::new(
            s.clone(),
            p,
            Literal::new_language_tagged_literal_unchecked(text, "fr"),
        ));
    }

    fn plain(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, text: &str) {
        self.push(Triple::new(s.clone(), p, Literal::new_simple_literal(text)));
    }

    fn date_time(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: &str) {
        self.push(Triple::new(
            s.clone(),
            p,
            Literal::new_typed_literal(value, xsd::DATE_TIME),
        ));
    }

    fn date(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: &str) {
        self.push(Triple::new(
            s.clone(),
            p,
            Literal::new_typed_literal(full_date(value), xsd::DATE),
        ));
    }

    fn integer(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, n: usize) {
        self.push(Triple::new(
            s.clone(),
            p,
            Literal::new_typed_literal(n.to_string(), xsd::INTEGER),
        ));
    }
}
