//! The forms against the bundled shapes and the fictitious demo data.

use super::*;
use crate::browse::Kind;
use crate::iri::BaseIri;
use crate::model::{Model, bundle, parse_group};
use crate::shacl::DataGraph;
use crate::vocab::{bia, dcat, dcterms};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Literal, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use std::collections::{BTreeSet, HashSet};
use std::sync::OnceLock;

const BASE: &str = "http://localhost:8080/";
const LYON: &str = "http://localhost:8080/id/projet/metropole-de-lyon-chatbot-dechets";

fn base() -> BaseIri {
    BaseIri::parse(BASE).unwrap()
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::bundled(&base()).unwrap())
}

fn forms() -> &'static Forms {
    static FORMS: OnceLock<Forms> = OnceLock::new();
    FORMS.get_or_init(|| Forms::new(model()))
}

fn demo() -> &'static [Quad] {
    static DEMO: OnceLock<Vec<Quad>> = OnceLock::new();
    DEMO.get_or_init(|| parse_group(bundle::DEMO, &base()).unwrap())
}

fn use_case() -> &'static Form {
    forms().form(Kind::Projet).unwrap()
}

/// The quads of one record of the demo: those about it and about its
/// nested nodes (`{record}#…`).
fn record_quads(record: &NamedNode) -> Vec<Quad> {
    let nested = format!("{}#", record.as_str());
    demo()
        .iter()
        .filter(|q| match &q.subject {
            NamedOrBlankNode::NamedNode(n) => n == record || n.as_str().starts_with(&nested),
            NamedOrBlankNode::BlankNode(_) => false,
        })
        .cloned()
        .collect()
}

fn names(fields: &[Field]) -> Vec<&str> {
    fields.iter().map(|f| f.name.as_str()).collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn the_use_case_form_has_the_groups_and_the_order_of_the_shapes() {
    let form = use_case();
    assert_eq!(form.class.as_ref(), bia::USE_CASE);
    let groups: Vec<&str> = form.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(
        groups,
        [
            "Informations générales",
            "Méthodes et moyens",
            "Algorithme et données",
            "Métadonnées de la fiche"
        ]
    );
    assert_eq!(
        names(&form.groups[0].fields),
        [
            "title",
            "description",
            "ledBy",
            "partnership",
            "startDate",
            "status",
            "abandonReason",
            "theme",
            "subTheme",
            "audience",
            "usesSolution",
            "hasResource",
            "url",
            "logo",
            "lat",
            "long"
        ]
    );
    assert_eq!(
        names(&form.groups[1].fields),
        [
            "budgetBand",
            "fundingSource",
            "fundingNote",
            "deliveryMode",
            "hosting",
            "resourceUrl",
            "contactPoint"
        ]
    );
    assert_eq!(names(&form.groups[2].fields), ["algorithm"]);
    assert_eq!(
        names(&form.groups[3].fields),
        [
            "created",
            "modified",
            "isFictitious",
            "sourceRow",
            "generatedAtTime",
            "unmatchedValue"
        ]
    );
}

#[test]
fn each_field_says_what_the_shapes_and_the_ontology_say() {
    let form = use_case();
    let field = |name: &str| form.field(name).unwrap();

    let title = field("title");
    assert!(title.required && !title.repeatable && !title.restricted);
    assert_eq!(title.label, "titre");
    assert_eq!(
        title.help.as_deref(),
        Some("Titre du projet ou de la ressource.")
    );
    assert!(
        matches!(&title.input, Input::Text { datatype, multiline: false } if datatype.as_ref() == rdf::LANG_STRING)
    );
    assert!(matches!(
        field("description").input,
        Input::Text {
            multiline: true,
            ..
        }
    ));

    let theme = field("theme");
    assert!(theme.required && !theme.repeatable, "a select");
    let Input::Choice(themes) = &theme.input else {
        panic!("{:?}", theme.input)
    };
    let labels: Vec<&str> = themes.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels.len(), 6);
    assert_eq!(
        labels[0], "Transition écologique et énergétique",
        "in the vocabulary's order"
    );

    let audience = field("audience");
    assert!(audience.required && audience.repeatable, "checkboxes");
    assert!(matches!(&audience.input, Input::Choice(c) if c.len() == 9));

    let budget = field("budgetBand");
    assert!(budget.restricted && !budget.repeatable);
    assert!(!field("theme").restricted);

    let contact = field("contactPoint");
    assert!(contact.restricted && contact.recommended && !contact.required);

    assert!(matches!(field("startDate").input, Input::PartialDate));
    assert!(
        matches!(field("lat").input, Input::Decimal { ref min, .. } if min.as_deref() == Some("-90"))
    );
    assert!(
        matches!(&field("ledBy").input, Input::Reference(c) if c.as_str() == "http://www.w3.org/ns/org#Organization")
    );
    assert!(matches!(field("url").input, Input::Url));
    assert!(matches!(field("isFictitious").input, Input::Boolean));

    let algorithm = field("algorithm");
    assert!(!algorithm.repeatable);
    let Input::Node(node) = &algorithm.input else {
        panic!(
            "the algorithm record is a nested node: {:?}",
            algorithm.input
        )
    };
    assert_eq!(node.class.as_ref(), bia::ALGORITHM_RECORD);
    assert_eq!(node.label, "Fiche algorithme");
    let groups: Vec<&str> = node.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(
        groups,
        ["Algorithme et données", "Évaluation", "Transparence"]
    );
    let name = &node.groups[0].fields[0];
    assert_eq!(name.name, "algorithmName");
    assert!(name.restricted, "restricted in the ontology");
    assert!(
        !node
            .groups
            .iter()
            .flat_map(|g| &g.fields)
            .any(|f| f.property.as_ref() == bia::ALGORITHM),
        "the inverse link to the use case is the parent's field"
    );

    let Input::Node(partnership) = &field("partnership").input else {
        panic!("a partnership is a nested node")
    };
    assert!(field("partnership").repeatable);
    assert_eq!(partnership.fragment, "partenariat");

    let Input::Node(contact) = &contact.input else {
        panic!("a contact is a nested node")
    };
    let email = contact.groups[0]
        .fields
        .iter()
        .find(|f| f.name == "hasEmail");
    assert!(matches!(email.map(|f| &f.input), Some(Input::Email)));
    assert!(email.is_some_and(|f| f.restricted));
}

#[test]
fn the_other_kinds_have_their_forms_and_same_local_names_are_prefixed() {
    let organisation = forms().form(Kind::Organisation).unwrap();
    let category = organisation.field("type").unwrap();
    assert!(
        matches!(&category.input, Input::Choice(c) if c.iter().any(|c| c.label == "Collectivité")),
        "the ontology's subclasses of org:Organization"
    );
    assert!(organisation.field("name").is_some_and(|f| f.required));
    let solution = forms().form(Kind::Solution).unwrap();
    assert!(solution.field("dcterms-license").is_some());
    assert!(solution.field("doap-license").is_some());
    assert!(solution.field("license").is_none());
    assert!(
        forms()
            .form(Kind::Ressource)
            .unwrap()
            .field("title")
            .is_some()
    );
}

/// Every demo record of the four kinds, through the form and back, gives
/// its own triples. The form covers all of them: it would leave out texts
/// in other languages than French, inverse paths and nested nodes that are
/// blank nodes (renamed `{record}#…`), none of which the demo has.
#[test]
fn a_demo_record_read_back_from_its_values_gives_its_triples() {
    let mut checked = 0;
    for kind in Kind::ALL {
        let form = forms().form(kind).unwrap();
        let records: BTreeSet<NamedNode> = demo()
            .iter()
            .filter(|q| q.predicate == rdf::TYPE && q.object == Term::from(form.class.clone()))
            .filter_map(|q| match &q.subject {
                NamedOrBlankNode::NamedNode(n) => Some(n.clone()),
                NamedOrBlankNode::BlankNode(_) => None,
            })
            .collect();
        assert!(!records.is_empty(), "{kind:?}");
        for record in records {
            let quads = record_quads(&record);
            let values = form.values(&record, &quads);
            let submission = form.read(&record, &values.pairs());
            assert!(
                submission.errors.is_empty(),
                "{record}: {:?}",
                submission.errors
            );
            assert_eq!(submission.values, values, "{record}");
            let expected: HashSet<Triple> = quads.into_iter().map(Triple::from).collect();
            let got: HashSet<Triple> = submission.triples.into_iter().collect();
            let missing: Vec<_> = expected.difference(&got).collect();
            let extra: Vec<_> = got.difference(&expected).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{record}\nmissing: {missing:#?}\nextra: {extra:#?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn the_values_of_a_record_name_nested_blocks_after_their_fragments() {
    let record = NamedNode::new_unchecked(LYON);
    let values = use_case().values(&record, &record_quads(&record));
    assert_eq!(values.get("title"), ["Chatbot déchets"]);
    assert_eq!(
        values.get("budgetBand"),
        ["http://localhost:8080/id/concept/budget/de-50k-a-100k"],
        "restricted fields are filled too"
    );
    assert_eq!(values.blocks("algorithm"), ["algorithme"]);
    assert_eq!(values.blocks("partnership"), ["partenariat-civitalis-ia"]);
    assert_eq!(
        values.get("partnership.partenariat-civitalis-ia.partner"),
        ["http://localhost:8080/id/organisation/civitalis-ia"]
    );
    assert_eq!(
        values.get("contactPoint.contact.hasEmail"),
        ["ia-proprete@grandlyon.example-collectivite.fr"]
    );
    assert_eq!(
        values.get("contactPoint.contact.hasTelephone"),
        ["+33199000000"]
    );
}

#[test]
fn reading_trims_drops_empty_values_ignores_unknown_names_and_says_what_is_wrong() {
    let record = NamedNode::new_unchecked("http://localhost:8080/id/projet/essai");
    let submission = use_case().read(
        &record,
        &pairs(&[
            ("csrf", "jeton"),
            ("inconnu", "valeur"),
            ("title", "  Un projet  "),
            ("description", ""),
            ("startDate", "15/03/2024"),
            ("lat", "45,764"),
            ("long", "quatre"),
            ("created", "2024-13-45"),
            ("theme", "http://localhost:8080/id/concept/theme/nulle-part"),
            (
                "audience",
                "http://localhost:8080/id/concept/audience/agent",
            ),
            ("audience", "http://localhost:8080/id/concept/audience/elu"),
            ("isFictitious", "peut-être"),
            ("contactPoint.contact.hasEmail", "prenom.nom@exemple.fr"),
            ("contactPoint.contact.hasTelephone", "+33 1 99 00 00 00"),
            ("partnership.partenariat.partner", ""),
            ("partnership.partenariat.partnerRole", "  "),
            ("algorithm.a.b.algorithmName", "sans champ connu : ignoré"),
            (
                "partnership.mauvais!nom.partner",
                "http://localhost:8080/id/organisation/x",
            ),
        ]),
    );
    let has = |p: oxrdf::NamedNodeRef<'_>, o: Term| {
        submission
            .triples
            .contains(&Triple::new(record.clone(), p.into_owned(), o))
    };
    assert!(has(rdf::TYPE, bia::USE_CASE.into_owned().into()));
    assert!(has(
        dcterms::TITLE,
        Literal::new_language_tagged_literal_unchecked("Un projet", "fr").into()
    ));
    assert!(has(
        oxrdf::NamedNodeRef::new_unchecked("http://schema.org/startDate"),
        Literal::new_typed_literal("2024-03-15", xsd::DATE).into()
    ));
    assert!(has(
        oxrdf::NamedNodeRef::new_unchecked("http://www.w3.org/2003/01/geo/wgs84_pos#lat"),
        Literal::new_typed_literal("45.764", xsd::DECIMAL).into()
    ));
    let contact = NamedNode::new_unchecked(format!("{}#contact", record.as_str()));
    assert!(has(dcat::CONTACT_POINT, contact.clone().into()));
    assert!(submission.triples.contains(&Triple::new(
        contact.clone(),
        NamedNode::new_unchecked("http://www.w3.org/2006/vcard/ns#hasEmail"),
        NamedNode::new_unchecked("mailto:prenom.nom@exemple.fr"),
    )));
    assert!(submission.triples.contains(&Triple::new(
        contact,
        NamedNode::new_unchecked("http://www.w3.org/2006/vcard/ns#hasTelephone"),
        NamedNode::new_unchecked("tel:+33199000000"),
    )));
    assert_eq!(
        submission
            .triples
            .iter()
            .filter(|t| t.predicate.as_ref() == bia::AUDIENCE)
            .count(),
        2
    );
    assert!(
        !submission
            .triples
            .iter()
            .any(|t| t.predicate.as_ref() == bia::PARTNERSHIP_LINK),
        "an empty block is no node"
    );
    assert!(
        !submission
            .triples
            .iter()
            .any(|t| t.predicate.as_ref() == dcterms::DESCRIPTION)
    );
    assert_eq!(submission.values.get("title"), ["Un projet"]);
    assert_eq!(
        submission.values.get("long"),
        ["quatre"],
        "kept to show again"
    );

    let errors = &submission.errors;
    for name in ["long", "created", "theme", "isFictitious"] {
        assert_eq!(errors.of(name).len(), 1, "{name}: {errors:?}");
    }
    assert!(errors.of("long")[0].contains("n'est pas un nombre décimal"));
    assert!(errors.of("theme")[0].contains("ne fait pas partie des valeurs proposées"));
    assert_eq!(
        errors.general().len(),
        1,
        "the block named « mauvais!nom » is refused: {errors:?}"
    );
    assert_eq!(errors.len(), 5);
}

/// The demo record, through the form with `changes` (name, values) made,
/// validated with the model and the rest of the demo as context.
fn validate_changed(
    record: &NamedNode,
    changes: &[(&str, &[&str])],
) -> (Submission, crate::shacl::ValidationReport) {
    let mut values = use_case().values(record, &record_quads(record));
    for (name, new) in changes {
        values.set(name, new.iter().map(|v| (*v).to_owned()).collect());
    }
    let submission = use_case().read(record, &values.pairs());
    let nested = format!("{}#", record.as_str());
    let others = demo().iter().filter(|q| match &q.subject {
        NamedOrBlankNode::NamedNode(n) => n != record && !n.as_str().starts_with(&nested),
        NamedOrBlankNode::BlankNode(_) => true,
    });
    let data = DataGraph::from_triples(
        model()
            .context()
            .chain(others.cloned().map(Triple::from))
            .chain(submission.triples.iter().cloned()),
    );
    let focus: Vec<Term> = submission
        .triples
        .iter()
        .map(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(n) => Term::from(n.clone()),
            NamedOrBlankNode::BlankNode(b) => Term::from(b.clone()),
        })
        .collect();
    let report = model().shapes.validate_focus(&data, &focus);
    (submission, report)
}

#[test]
fn validation_results_land_on_their_fields() {
    let record = NamedNode::new_unchecked(LYON);
    let (_, report) = validate_changed(&record, &[]);
    assert!(!report.has_violations(), "{}", report.to_turtle());

    let (submission, report) = validate_changed(
        &record,
        &[
            ("title", &[]),
            ("status", &[]),
            ("partnership.partenariat-civitalis-ia.partner", &[]),
            (
                "algorithm.algorithme.aiActRiskCategory",
                &["http://localhost:8080/id/concept/risque-ia/risque-eleve"],
            ),
            ("algorithm.algorithme.humanOversight", &[]),
            ("algorithm.algorithme.objectionProcedure", &[]),
        ],
    );
    assert!(submission.errors.is_empty());
    let form = use_case();
    let errors = form.errors(&report, &record);
    assert_eq!(
        errors.of("title"),
        ["Le titre du projet est obligatoire (une seule valeur, un texte en français marqué @fr)."]
    );
    assert_eq!(errors.of("status").len(), 1, "{errors:?}");
    assert_eq!(
        errors
            .of("partnership.partenariat-civitalis-ia.partner")
            .len(),
        1,
        "a nested node's result on its field: {errors:?}"
    );
    assert!(
        errors.of("algorithm.algorithme")[0].contains("risque élevé"),
        "a rule on the nested node on its block: {errors:?}"
    );
    assert!(errors.general().is_empty(), "{errors:?}");
    let advice = form.advice(&report, &record);
    assert!(
        advice.of("algorithm.algorithme")[0].contains("s'opposer"),
        "warnings are advice: {advice:?}"
    );
    assert!(advice.of("title").is_empty());
}

#[test]
fn a_change_to_the_shapes_changes_the_form() {
    let shapes = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shapes/bibia.shapes.ttl"),
    )
    .unwrap();
    let extra = r#"
bia:UseCaseShape sh:property bia:UseCaseShape-essai .
bia:UseCaseShape-essai a sh:PropertyShape ;
    sh:group bia:group-general ;
    sh:order 2.5 ;
    sh:path <http://example.org/essai> ;
    sh:name "Champ d'essai"@fr ;
    sh:description "Un champ ajouté aux formes seulement."@fr ;
    sh:minCount 1 ;
    sh:maxCount 1 ;
    sh:datatype xsd:date .
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("formes.ttl");
    std::fs::write(&path, format!("{shapes}\n{extra}")).unwrap();
    let model = Model::with_shapes(&base(), &[path]).unwrap();
    let forms = Forms::new(&model);
    let form = forms.form(Kind::Projet).unwrap();
    assert_eq!(
        names(&form.groups[0].fields)[..4],
        ["title", "description", "essai", "ledBy"]
    );
    let field = form.field("essai").unwrap();
    assert_eq!(field.label, "Champ d'essai");
    assert_eq!(
        field.help.as_deref(),
        Some("Un champ ajouté aux formes seulement.")
    );
    assert!(field.required && !field.repeatable && matches!(field.input, Input::Date));
    assert!(field.restricted, "a property the ontology does not publish");
    assert!(use_case().field("essai").is_none());
}

#[test]
fn a_status_is_one_of_its_list_in_the_order_of_the_vocabulary() {
    let Input::Choice(statuses) = &use_case().field("status").unwrap().input else {
        panic!("a list")
    };
    let keys: Vec<&str> = statuses.iter().map(Choice::key).collect();
    assert_eq!(
        keys,
        [
            "en-exploration",
            "en-experimentation",
            "en-deploiement",
            "terminee",
            "abandonne"
        ]
        .map(|s| format!("http://localhost:8080/id/concept/statut/{s}"))
    );
    assert_eq!(statuses[0].label, "En exploration");
}
