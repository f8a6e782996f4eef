"""Real SPARQL clients against a running bibia: SPARQLWrapper and rdflib's
SPARQLStore, as researchers use them.

Usage: python3 sparql_clients.py http://127.0.0.1:PORT/sparql BASE_IRI

Prints one line per check and exits 1 at the first failure; exits 3 when a
client library is not installed (the Rust test decides whether that is a
skip or a failure).
"""

import json
import sys
import warnings

try:
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import (
        CSV,
        JSON,
        JSONLD,
        N3,
        RDFXML,
        TSV,
        TURTLE,
        XML,
        SPARQLWrapper,
    )
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"client library missing: {e}")
    sys.exit(3)

ENDPOINT = sys.argv[1]
BIA = "https://w3id.org/bibia/def#"
PROJECT = sys.argv[2] + "id/projet/metropole-de-lyon-chatbot-dechets"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?p a <{BIA}UseCase> }}"
ASK = f"ASK {{ <{PROJECT}> a <{BIA}UseCase> }}"
CONSTRUCT = f"CONSTRUCT {{ <{PROJECT}> ?p ?o }} WHERE {{ <{PROJECT}> ?p ?o }}"
USE_CASES = 46

# SPARQLWrapper warns when it sends */*: that would mean a format it does
# not know for this query form, which the checks below must not rely on.
warnings.filterwarnings("error", message="Sending Accept header")


def check(what, ok, detail=""):
    if not ok:
        print(f"ÉCHEC {what} {detail}")
        sys.exit(1)
    print(f"ok   {what}")


def wrapper(query, fmt, method="GET"):
    w = SPARQLWrapper(ENDPOINT)
    w.setQuery(query)
    w.setReturnFormat(fmt)
    w.setMethod(method)
    return w.query()


def graph_of(data, fmt):
    g = rdflib.Graph()
    g.parse(data=data, format=fmt)
    return g


def triples_about_project(g):
    return len(list(g.triples((rdflib.URIRef(PROJECT), None, None))))


for method in ("GET", "POST"):
    # SELECT in the four result formats.
    r = wrapper(COUNT, JSON, method).convert()
    n = int(r["results"]["bindings"][0]["n"]["value"])
    check(f"SPARQLWrapper {method} SELECT json", n == USE_CASES, n)
    doc = wrapper(COUNT, XML, method).convert()
    literal = doc.getElementsByTagName("literal")[0].firstChild.data
    check(f"SPARQLWrapper {method} SELECT xml", int(literal) == USE_CASES, literal)
    for fmt, sep in ((CSV, ","), (TSV, "\t")):
        text = wrapper(f"SELECT ?n WHERE {{ VALUES ?n {{ {USE_CASES} }} }}", fmt, method).convert()
        text = text.decode() if isinstance(text, bytes) else text
        check(f"SPARQLWrapper {method} SELECT {fmt}", str(USE_CASES) in text, repr(text))

    # ASK.
    r = wrapper(ASK, JSON, method).convert()
    check(f"SPARQLWrapper {method} ASK json", r["boolean"] is True, r)
    doc = wrapper(ASK, XML, method).convert()
    value = doc.getElementsByTagName("boolean")[0].firstChild.data
    check(f"SPARQLWrapper {method} ASK xml", value == "true", value)

    # CONSTRUCT in each RDF format the client knows.
    baseline = None
    for fmt, parse_as in ((TURTLE, "turtle"), (N3, "n3"), (JSONLD, "json-ld"), (RDFXML, "xml"), (XML, "xml")):
        result = wrapper(CONSTRUCT, fmt, method)
        ctype = result.info().get("content-type", "")
        converted = result.convert()
        if isinstance(converted, rdflib.Graph):
            g = converted
        elif isinstance(converted, (bytes, str)):
            g = graph_of(converted, parse_as)
        else:  # JSON-LD comes back as a parsed JSON document
            g = graph_of(json.dumps(converted), "json-ld")
        n = triples_about_project(g)
        baseline = baseline or n
        check(f"SPARQLWrapper {method} CONSTRUCT {fmt} ({ctype})", n > 5 and n == baseline, n)
    # A French label survives the round trip (UTF-8 everywhere).
    g = graph_of(wrapper(CONSTRUCT, TURTLE, method).convert(), "turtle")
    titles = [str(o) for o in g.objects(rdflib.URIRef(PROJECT), rdflib.URIRef("http://purl.org/dc/terms/title"))]
    check(f"SPARQLWrapper {method} CONSTRUCT turtle keeps accents", titles == ["Chatbot déchets"], titles)

# rdflib's SPARQLStore: a graph backed by the endpoint.
for method in ("GET", "POST_FORM"):
    store = SPARQLStore(ENDPOINT, method=method)
    g = rdflib.Graph(store=store)
    rows = list(g.query(COUNT))
    check(f"rdflib SPARQLStore {method} SELECT", int(rows[0][0]) == USE_CASES, rows)
    check(f"rdflib SPARQLStore {method} ASK", bool(g.query(ASK)), "")
    constructed = g.query(CONSTRUCT).graph
    check(f"rdflib SPARQLStore {method} CONSTRUCT", triples_about_project(constructed) > 5, len(constructed))
    triples = list(g.triples((rdflib.URIRef(PROJECT), None, None)))
    check(f"rdflib SPARQLStore {method} triples()", len(triples) == triples_about_project(constructed), len(triples))

print("tous les clients SPARQL : ok")
