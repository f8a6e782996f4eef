#!/usr/bin/env python3
"""Check bibia's data model: ontology, vocabularies, shapes and example data.

    python3 scripts/check-model.py

1. Parse every .ttl under ontology/, shapes/ and data/ (base http://localhost:8080/).
2. Validate each data/invalid/*.ttl with pySHACL and compare the results with
   data/invalid/expected.json exactly (sets of focus, path, component, severity).
3. Validate data/valid/*.ttl and data/demo/*.ttl: no violation allowed (warnings are
   reported). Territories of data/reference/ that demo records link to are added to
   the data graph, as bibia does when it validates a record with its context.
4. Check that every bia: term used in shapes and data is declared in
   ontology/bibia.ttl with an rdfs:label in French and in English, that every
   property declared there has a bia:accessLevel, and that every predicate used in
   data is declared with an access level (otherwise the public projection could
   not classify it).

Data graph for validation = the file + ontology/bibia.ttl + ontology/vocabularies/*.ttl;
shapes graph = shapes/bibia.shapes.ttl; pyshacl.validate(advanced=True, allow_warnings=True).
Exit status 0 when everything passes, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyshacl
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://localhost:8080/"
BIA = Namespace("https://w3id.org/bibia/def#")
SH = Namespace("http://www.w3.org/ns/shacl#")

failures: list[str] = []


def fail(msg: str) -> None:
    failures.append(msg)
    print(f"  FAIL {msg}")


def parse(path: Path, graph: Graph | None = None) -> Graph:
    g = graph if graph is not None else Graph()
    g.parse(path, format="turtle", publicID=BASE)
    return g


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def results_of(report: Graph) -> set[tuple]:
    out = set()
    # Top-level results only (pySHACL also types the sh:detail results of sh:node).
    for r in report.objects(None, SH.result):
        path = report.value(r, SH.resultPath)
        out.add(
            (
                str(report.value(r, SH.focusNode)),
                str(path) if isinstance(path, URIRef) else (None if path is None else "_:bnode"),
                str(report.value(r, SH.sourceConstraintComponent)),
                str(report.value(r, SH.resultSeverity)),
            )
        )
    return out


def validate(data: Graph, shapes: Graph) -> tuple[set[tuple], Graph]:
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, advanced=True, allow_warnings=True, inference="none"
    )
    return results_of(report), report


def show(results: set[tuple]) -> str:
    return "\n".join(
        f"      {c.split('#')[-1]:<36} {s.split('#')[-1]:<9} focus={f} path={p}" for f, p, c, s in sorted(results, key=str)
    )


def main() -> int:
    t0 = time.time()

    # 1. parse everything -----------------------------------------------------------
    print("1. Parsing Turtle files")
    parsed: dict[Path, Graph] = {}
    files = sorted(
        p for d in ("ontology", "shapes", "data") for p in (ROOT / d).rglob("*.ttl") if p.is_file()
    )
    for p in files:
        try:
            parsed[p] = parse(p)
        except Exception as e:  # noqa: BLE001 - report any parser error
            fail(f"{rel(p)} does not parse: {e}")
    print(f"  {len(parsed)} files parsed, {sum(len(g) for g in parsed.values())} triples")

    onto_path = ROOT / "ontology" / "bibia.ttl"
    vocab_paths = sorted((ROOT / "ontology" / "vocabularies").glob("*.ttl"))
    model = Graph()
    for p in [onto_path, *vocab_paths]:
        model += parsed.get(p, Graph())
    shapes = parsed.get(ROOT / "shapes" / "bibia.shapes.ttl")
    onto = parsed.get(onto_path, Graph())
    if shapes is None:
        fail("shapes/bibia.shapes.ttl missing or unparsable")
        return summary(t0)

    def data_graph(extra: Graph) -> Graph:
        g = Graph()
        g += model
        g += extra
        return g

    # 2. invalid examples --------------------------------------------------------------
    print(f"  ({time.time() - t0:.0f} s)")
    print("2. Invalid examples (data/invalid/) against expected.json")
    expected_path = ROOT / "data" / "invalid" / "expected.json"
    expected = json.loads(expected_path.read_text(encoding="utf-8")) if expected_path.exists() else {}
    invalid_files = sorted((ROOT / "data" / "invalid").glob("*.ttl"))
    for p in invalid_files:
        if p.name not in expected:
            fail(f"{rel(p)} has no entry in expected.json")
    for name in expected:
        if not (ROOT / "data" / "invalid" / name).exists():
            fail(f"expected.json names {name}, which does not exist")
    ok = 0
    for p in invalid_files:
        if p not in parsed or p.name not in expected:
            continue
        got, _ = validate(data_graph(parsed[p]), shapes)
        want = {(e["focus"], e["path"], e["component"], e["severity"]) for e in expected[p.name]}
        if got == want:
            ok += 1
            (f, path, c, s) = next(iter(want)) if len(want) == 1 else ("", "", "several", "")
            print(f"  ok   {p.name:<36} {c.split('#')[-1]}")
        else:
            fail(f"{p.name}: results differ\n    expected:\n{show(want)}\n    got:\n{show(got)}")
    print(f"  {ok}/{len(invalid_files)} invalid examples give exactly the expected results")

    # 3. valid and demo data -----------------------------------------------------------
    print(f"  ({time.time() - t0:.0f} s)")
    print("3. Valid examples (data/valid/) and demo data (data/demo/): no violation allowed")
    reference = Graph()
    ref_files = [p for p in sorted((ROOT / "data" / "reference").glob("*.ttl")) if p in parsed]
    for p in ref_files:
        reference += parsed[p]
    for folder in ("valid", "demo"):
        paths = [p for p in sorted((ROOT / "data" / folder).glob("*.ttl")) if p in parsed]
        if not paths:
            print(f"  (no data/{folder}/*.ttl)")
            continue
        # The files of one folder form one dataset (records link across files).
        g = Graph()
        for p in paths:
            g += parsed[p]
        context = Graph()
        for o in set(g.objects()):
            if isinstance(o, URIRef) and str(o).startswith(BASE + "id/territoire/"):
                for t in reference.triples((o, None, None)):
                    context.add(t)
        got, _ = validate(data_graph(g + context), shapes)
        violations = {r for r in got if r[3] == str(SH.Violation)}
        warnings = got - violations
        names = ", ".join(p.name for p in paths)
        if violations:
            fail(f"data/{folder}/ ({names}): {len(violations)} violation(s)\n{show(violations)}")
        else:
            extra = f", {len(warnings)} warning(s)" if warnings else ""
            print(f"  ok   data/{folder}/ ({names}) conforms{extra}")
            if warnings:
                print(show(warnings))

    # 4. vocabulary declarations -------------------------------------------------------
    print(f"  ({time.time() - t0:.0f} s)")
    print("4. Declarations in ontology/bibia.ttl")
    declared_props = set()
    for t in (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        declared_props |= set(onto.subjects(RDF.type, t))

    def labelled(term: URIRef) -> bool:
        langs = {l.language for l in onto.objects(term, RDFS.label) if isinstance(l, Literal)}
        return {"fr", "en"} <= langs

    n_bad = 0
    for prop in sorted(declared_props):
        if onto.value(prop, BIA.accessLevel) not in (BIA.public, BIA.restreint):
            fail(f"property {prop} has no bia:accessLevel")
            n_bad += 1
    bia_declared = {s for s in onto.subjects() if isinstance(s, URIRef) and s.startswith(str(BIA))}
    for term in sorted(bia_declared):
        if not labelled(term):
            fail(f"{term} lacks an rdfs:label @fr and @en")
            n_bad += 1

    # bia: terms used by the shapes (shape IRIs, which the shapes file defines, excepted)
    shape_subjects = set(shapes.subjects())
    used: dict[URIRef, str] = {}
    for s, p, o in shapes:
        for t in (p, o):
            if isinstance(t, URIRef) and t.startswith(str(BIA)) and t not in shape_subjects:
                used.setdefault(t, "shapes/bibia.shapes.ttl")
    data_paths = [p for p in parsed if rel(p).startswith("data/") or "vocabularies" in rel(p)]
    predicates_used: dict[URIRef, str] = {}
    for p in data_paths:
        for s, pr, o in parsed[p]:
            predicates_used.setdefault(pr, rel(p))
            for t in (s, pr, o):
                if isinstance(t, URIRef) and t.startswith(str(BIA)):
                    used.setdefault(t, rel(p))
    for term, where in sorted(used.items()):
        if term not in bia_declared:
            fail(f"{term} (used in {where}) is not declared in ontology/bibia.ttl")
            n_bad += 1
        elif not labelled(term):
            fail(f"{term} (used in {where}) has no rdfs:label @fr and @en")
            n_bad += 1
    for pr, where in sorted(predicates_used.items()):
        if onto.value(pr, BIA.accessLevel) is None:
            fail(f"predicate {pr} (used in {where}) has no bia:accessLevel in the ontology")
            n_bad += 1
    classes = {s for s in onto.subjects(RDF.type, OWL.Class) if s.startswith(str(BIA))}
    props = {s for s in declared_props if s.startswith(str(BIA))}
    print(
        f"  {len(classes)} bia classes, {len(props)} bia properties, {len(declared_props) - len(props)} reused "
        f"properties declared; {len(used)} bia terms and {len(predicates_used)} predicates used in shapes/data; "
        f"{n_bad} problem(s)"
    )
    schemes = set(model.subjects(RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme")))
    concepts = set(model.subjects(RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#Concept")))
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    prop_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    print(f"  {len(schemes)} concept schemes, {len(concepts)} concepts; "
          f"{len(node_shapes)} node shapes, {len(prop_shapes)} named property shapes")
    return summary(t0)


def summary(t0: float) -> int:
    print()
    if failures:
        print(f"FAILED: {len(failures)} problem(s) ({time.time() - t0:.1f} s)")
        return 1
    print(f"PASSED: the model is consistent ({time.time() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
