//! What a bare GET on `/sparql` answers: the SPARQL 1.1 Service
//! Description (RDF) and, for people, a query page in French. The page is
//! progressive: a plain form that submits without JavaScript, improved by
//! inline script (no CDN) that runs the query with `fetch`, shows a table
//! with links and offers downloads in every format.

use super::super::{AppState, HttpError};
use super::examples::EXAMPLES;
use axum::response::Html;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxrdf::{BlankNode, Graph, Literal, NamedNode, NamedNodeRef, TripleRef, vocab::rdf};
use std::sync::LazyLock;

/// SPARQL 1.1 Service Description terms.
mod sd {
    use oxrdf::NamedNodeRef;
    pub(super) const NS: &str = "http://www.w3.org/ns/sparql-service-description#";
    macro_rules! t {
        ($($n:ident = $l:literal;)*) => { $(pub(super) const $n: NamedNodeRef<'static> = NamedNodeRef::new_unchecked(concat!("http://www.w3.org/ns/sparql-service-description#", $l));)* };
    }
    t! {
        SERVICE = "Service"; ENDPOINT = "endpoint"; SUPPORTED_LANGUAGE = "supportedLanguage";
        SPARQL11_QUERY = "SPARQL11Query"; RESULT_FORMAT = "resultFormat"; FEATURE = "feature";
        UNION_DEFAULT_GRAPH = "UnionDefaultGraph"; BASIC_FEDERATED_QUERY = "BasicFederatedQuery";
        DEFAULT_DATASET = "defaultDataset"; DATASET = "Dataset"; DEFAULT_GRAPH = "defaultGraph"; GRAPH = "Graph";
        DEFAULT_ENTAILMENT_REGIME = "defaultEntailmentRegime";
    }
}

const FORMATS: &str = "http://www.w3.org/ns/formats/";
const RESULT_FORMATS: &[&str] = &[
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "N-Quads",
    "JSON-LD",
    "RDF_XML",
];
const DCTERMS_TITLE: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://purl.org/dc/terms/title");
const DCTERMS_DESCRIPTION: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://purl.org/dc/terms/description");
const SIMPLE_ENTAILMENT: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/ns/entailment/Simple");

/// The Service Description of this endpoint, serialised in `format`.
pub(crate) fn service_description(
    state: &AppState,
    format: RdfFormat,
) -> Result<Vec<u8>, HttpError> {
    let endpoint = state.base.join("sparql");
    let mut g = Graph::new();
    let s = endpoint.as_ref();
    g.insert(TripleRef::new(s, rdf::TYPE, sd::SERVICE));
    g.insert(TripleRef::new(s, sd::ENDPOINT, s));
    g.insert(TripleRef::new(
        s,
        sd::SUPPORTED_LANGUAGE,
        sd::SPARQL11_QUERY,
    ));
    g.insert(TripleRef::new(s, sd::FEATURE, sd::UNION_DEFAULT_GRAPH));
    if !state.limits().service_allow.is_empty() {
        g.insert(TripleRef::new(s, sd::FEATURE, sd::BASIC_FEDERATED_QUERY));
    }
    g.insert(TripleRef::new(
        s,
        sd::DEFAULT_ENTAILMENT_REGIME,
        SIMPLE_ENTAILMENT,
    ));
    for f in RESULT_FORMATS {
        let f = NamedNode::new_unchecked(format!("{FORMATS}{f}"));
        g.insert(TripleRef::new(s, sd::RESULT_FORMAT, &f));
    }
    let title = Literal::new_language_tagged_literal_unchecked(
        "Point d'accès SPARQL public de la bibliothèque d'IA territoriale",
        "fr",
    );
    g.insert(TripleRef::new(s, DCTERMS_TITLE, &title));
    let description = Literal::new_language_tagged_literal_unchecked(
        format!(
            "Lecture seule. Seules les données publiques sont interrogeables : aucun champ restreint n'y figure. \
             Temps limite {} s par requête (paramètre timeout= pour le réduire), au plus {} lignes par réponse \
             (en-tête X-Bibia-Max-Rows), {} requêtes à la fois.",
            state.limits().timeout.as_secs_f64(),
            state.limits().max_rows,
            state.limits().max_concurrent
        ),
        "fr",
    );
    g.insert(TripleRef::new(s, DCTERMS_DESCRIPTION, &description));
    let dataset = BlankNode::default();
    let default_graph = BlankNode::default();
    g.insert(TripleRef::new(s, sd::DEFAULT_DATASET, &dataset));
    g.insert(TripleRef::new(&dataset, rdf::TYPE, sd::DATASET));
    g.insert(TripleRef::new(&dataset, sd::DEFAULT_GRAPH, &default_graph));
    g.insert(TripleRef::new(&default_graph, rdf::TYPE, sd::GRAPH));
    let union = Literal::new_language_tagged_literal_unchecked(
        "Le graphe par défaut est l'union de tous les graphes nommés publics : un graphe par fiche \
         (projet, organisation, solution, ressource, territoire), un par vocabulaire, et l'ontologie. \
         FROM, FROM NAMED, GRAPH, default-graph-uri et named-graph-uri désignent ces graphes.",
        "fr",
    );
    g.insert(TripleRef::new(&default_graph, DCTERMS_DESCRIPTION, &union));

    let mut serializer = RdfSerializer::from_format(format)
        .with_prefix("sd", sd::NS)
        .and_then(|s| s.with_prefix("dcterms", "http://purl.org/dc/terms/"))
        .and_then(|s| s.with_prefix("formats", FORMATS))
        .map_err(HttpError::internal)?
        .for_writer(Vec::new());
    for t in &g {
        serializer
            .serialize_triple(t)
            .map_err(HttpError::internal)?;
    }
    serializer.finish().map_err(HttpError::internal)
}

/// The query page; only the base IRI changes from one deployment to another.
pub(crate) fn html(state: &AppState) -> Html<String> {
    Html(PAGE.replace("{{BASE}}", &escape(state.base.as_str())))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page with the examples and prefixes filled in, built once.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    let prefixes: String = std::iter::once(("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"))
        .chain(crate::vocab::PREFIXES.iter().copied())
        .map(|(p, iri)| format!("PREFIX {p}: <{iri}>\n"))
        .collect();
    let examples = serde_json::to_string(&*EXAMPLES)
        .unwrap_or_else(|_| "[]".into())
        .replace("</", "<\\/");
    let options: String = EXAMPLES
        .iter()
        .map(|e| {
            format!(
                "<option value=\"{}\" title=\"{}\">{}</option>",
                escape(e.id),
                escape(e.question),
                escape(e.title)
            )
        })
        .collect();
    let initial = format!(
        "{prefixes}\nSELECT ?projet ?titre WHERE {{\n  ?projet a bia:UseCase ; dcterms:title ?titre .\n}}\nORDER BY ?titre\nLIMIT 20\n"
    );
    TEMPLATE
        .replace("{{OPTIONS}}", &options)
        .replace("{{EXAMPLES}}", &examples)
        .replace("{{QUERY}}", &escape(&initial))
});

const TEMPLATE: &str = r##"<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="bibia-base" content="{{BASE}}">
<title>Interroger la bibliothèque d'IA territoriale en SPARQL — bibia</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:78rem;padding:1rem 1.5rem;color:#1e1e1e;line-height:1.45}
h1{font-size:1.6rem;margin:.5rem 0}
label{font-weight:600;display:block;margin:.8rem 0 .3rem}
textarea{width:100%;box-sizing:border-box;min-height:18rem;font:0.9rem/1.4 ui-monospace,Menlo,Consolas,monospace;padding:.6rem;border:1px solid #666;border-radius:4px;tab-size:2}
select,button,input{font-size:1rem;padding:.35rem .6rem}
button{background:#000091;color:#fff;border:0;border-radius:4px;cursor:pointer}
button:focus,select:focus,textarea:focus,a:focus{outline:3px solid #0a76f6;outline-offset:2px}
.bar{display:flex;gap:.8rem;align-items:end;flex-wrap:wrap;margin:.6rem 0}
.note{color:#555;font-size:.9rem}
#question{font-style:italic;margin:.3rem 0}
#status{margin:.8rem 0;font-weight:600}
#status.error{color:#b00020;white-space:pre-wrap}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f8;position:sticky;top:0}
td small{color:#666}
#downloads a{margin-right:.8rem}
pre{background:#f6f6f6;padding:.6rem;overflow:auto;max-height:40rem}
</style>
</head>
<body>
<header>
<h1>Interroger la bibliothèque d'IA territoriale en SPARQL</h1>
<p>Ce point d'accès SPARQL 1.1 donne accès, en lecture seule, aux <strong>données publiques</strong> de la bibliothèque :
projets d'IA des collectivités, organisations, solutions, ressources techniques, territoires et vocabulaires.
Les champs restreints n'y figurent pas. <strong>Les données de démonstration sont fictives.</strong></p>
<p class="note">Adresse du point d'accès : <code>{{BASE}}sparql</code> (GET ou POST, protocole SPARQL 1.1).
Description du service : <a href="sparql?format=ttl">Turtle</a>.</p>
</header>
<main>
<form id="form" method="get" action="sparql">
<div class="bar">
<div><label for="example">Exemples de questions</label>
<select id="example"><option value="">— choisir un exemple —</option>{{OPTIONS}}</select></div>
</div>
<p id="question" aria-live="polite"></p>
<label for="query">Requête SPARQL</label>
<textarea id="query" name="query" spellcheck="false" autocapitalize="off">{{QUERY}}</textarea>
<div class="bar">
<div><label for="format">Format (sans JavaScript ou pour télécharger)</label>
<select id="format" name="format">
<option value="">automatique</option><option value="json">JSON</option><option value="xml">XML</option>
<option value="csv">CSV</option><option value="tsv">TSV</option><option value="ttl">Turtle</option>
<option value="nt">N-Triples</option><option value="nq">N-Quads</option><option value="jsonld">JSON-LD</option>
<option value="rdf">RDF/XML</option></select></div>
<div><label for="timeout">Temps limite (s)</label><input id="timeout" name="timeout" type="number" min="0.1" step="0.1" placeholder="30" size="5"></div>
<button type="submit">Exécuter la requête</button>
<span class="note">Raccourci : Ctrl+Entrée</span>
</div>
</form>
<div id="status" role="status" aria-live="polite"></div>
<p id="downloads"></p>
<div id="results"></div>
</main>
<script id="examples" type="application/json">{{EXAMPLES}}</script>
<script>
(function () {
  "use strict";
  var base = document.querySelector('meta[name="bibia-base"]').content;
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var form = document.getElementById("form"), query = document.getElementById("query");
  var status = document.getElementById("status"), results = document.getElementById("results");
  var downloads = document.getElementById("downloads"), question = document.getElementById("question");
  var RESULT_FORMATS = [["json", "JSON"], ["xml", "XML"], ["csv", "CSV"], ["tsv", "TSV"]];
  var GRAPH_FORMATS = [["ttl", "Turtle"], ["nt", "N-Triples"], ["nq", "N-Quads"], ["jsonld", "JSON-LD"], ["rdf", "RDF/XML"]];

  document.getElementById("example").addEventListener("change", function () {
    var ex = examples.filter(function (e) { return e.id === this.value; }, this)[0];
    if (ex) { query.value = ex.query; question.textContent = ex.question; }
  });
  query.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
  });
  form.addEventListener("submit", function (ev) {
    if (document.getElementById("format").value) return; // explicit format: let the browser show the file
    ev.preventDefault(); run();
  });

  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }

  function link(iri) {
    var a = el("a", iri.indexOf(base) === 0 ? iri.substring(base.length - 1) : iri);
    a.href = iri; a.title = iri;
    return a;
  }

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") td.appendChild(link(term.value));
    else if (term.type === "bnode") td.textContent = "_:" + term.value;
    else {
      td.appendChild(document.createTextNode(term.value));
      var extra = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype && term.datatype.indexOf("#string") < 0 ? " " + term.datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:") : "");
      if (extra) { td.appendChild(document.createTextNode(" ")); td.appendChild(el("small", extra)); }
    }
    return td;
  }

  function offerDownloads(formats, q) {
    downloads.textContent = "Télécharger : ";
    formats.forEach(function (f) {
      var a = el("a", f[1]);
      a.href = "sparql?query=" + encodeURIComponent(q) + "&format=" + f[0];
      a.setAttribute("download", "resultats." + f[0]);
      downloads.appendChild(a);
    });
  }

  function run() {
    var q = query.value, started = performance.now();
    var body = new URLSearchParams({ query: q });
    var t = document.getElementById("timeout").value;
    if (t) body.set("timeout", t);
    status.className = ""; status.textContent = "Requête en cours…"; results.textContent = ""; downloads.textContent = "";
    fetch("sparql", {
      method: "POST",
      headers: { "Accept": "application/sparql-results+json, text/turtle;q=0.9", "Content-Type": "application/x-www-form-urlencoded" },
      body: body
    }).then(function (r) {
      return r.text().then(function (text) {
        var ms = Math.round(performance.now() - started);
        if (!r.ok) { status.className = "error"; status.textContent = "Erreur " + r.status + " : " + text; return; }
        var type = r.headers.get("content-type") || "";
        if (type.indexOf("sparql-results+json") >= 0) showResults(JSON.parse(text), r, ms, q);
        else { status.textContent = "Graphe reçu en " + ms + " ms."; var pre = el("pre", text); results.appendChild(pre); offerDownloads(GRAPH_FORMATS, q); }
      });
    }).catch(function (e) { status.className = "error"; status.textContent = "Le service ne répond pas : " + e; });
  }

  function showResults(data, response, ms, q) {
    offerDownloads(RESULT_FORMATS, q);
    if (typeof data.boolean === "boolean") { status.textContent = "Réponse : " + (data.boolean ? "oui" : "non") + " (" + ms + " ms)."; return; }
    var vars = data.head.vars, rows = data.results.bindings;
    var truncated = data["bibia:truncated"] || response.headers.get("x-bibia-truncated") === "true";
    status.textContent = rows.length + " résultat" + (rows.length > 1 ? "s" : "") + " en " + ms + " ms" +
      (truncated ? " — tronqué à " + response.headers.get("x-bibia-max-rows") + " lignes : ajoutez LIMIT et OFFSET pour parcourir la suite." : ".");
    var table = el("table"), head = el("tr");
    vars.forEach(function (v) { var th = el("th", "?" + v); th.scope = "col"; head.appendChild(th); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    results.appendChild(table);
  }
})();
</script>
</body>
</html>
"##;
