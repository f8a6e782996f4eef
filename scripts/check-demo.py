#!/usr/bin/env python3
"""Quality gate for the fictitious demo data in data/demo/.

Parses every data/demo/*.ttl (base http://localhost:8080/), counts what the demo
must contain and prints the counts, checks SIREN/SIRET Luhn keys, checks that
every concept IRI used exists in ontology/vocabularies/*.ttl, that every link
to a record resolves, that every property used is declared in the ontology
(when ontology/bibia.ttl exists) and, when shapes/bibia.shapes.ttl exists,
runs pyshacl (data = demo + ontology + vocabularies + the reference territories
the demo links to, shapes = shapes/bibia.shapes.ttl, advanced=True).

Exit status: 0 when everything passes, 1 otherwise.
Usage: python3 scripts/check-demo.py [--no-shacl]
"""
import glob
import os
import re
import sys
from collections import Counter

import rdflib
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDFS, SKOS, XSD

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = "http://localhost:8080/"
BIA = Namespace("https://w3id.org/bibia/def#")
ORG = Namespace("http://www.w3.org/ns/org#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SCHEMA = Namespace("http://schema.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
CONCEPT = BASE + "id/concept/"
TERR = BASE + "id/territoire/"

failures = []


def check(ok, label, detail=""):
    print(f"  [{'ok' if ok else 'FAIL'}] {label}" + (f" — {detail}" if detail else ""))
    if not ok:
        failures.append(label)


def luhn_ok(s):
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def c(scheme, notation):
    return URIRef(f"{CONCEPT}{scheme}/{notation}")


def parse(paths):
    g = rdflib.Graph()
    for p in paths:
        g.parse(p, format="turtle", publicID=BASE)
    return g


def main():
    run_shacl = "--no-shacl" not in sys.argv
    demo_files = sorted(glob.glob(os.path.join(ROOT, "data/demo/*.ttl")))
    vocab_files = sorted(glob.glob(os.path.join(ROOT, "ontology/vocabularies/*.ttl")))
    onto_file = os.path.join(ROOT, "ontology/bibia.ttl")
    shapes_file = os.path.join(ROOT, "shapes/bibia.shapes.ttl")
    ref_dir = os.path.join(ROOT, "data/reference")

    print(f"Demo files: {', '.join(os.path.basename(f) for f in demo_files)}")
    for f in demo_files:
        text = open(f, encoding="utf-8").read()
        check(not re.search(r"^\s*@base|^\s*BASE\s", text, re.M | re.I), f"{os.path.basename(f)} has no @base")
    g = parse(demo_files)
    print(f"Parsed {len(g)} triples.\n")

    def typed(cls):
        return set(g.subjects(RDF.type, cls))

    def one(s, p):
        return g.value(s, p)

    # ---------------------------------------------------------------- records
    print("Records")
    projects = typed(BIA.UseCase)
    orgs = typed(ORG.Organization)
    solutions = typed(BIA.Solution)
    resources = typed(BIA.TechnicalResource)
    algos = typed(BIA.AlgorithmRecord)
    check(len(projects) >= 40, "use cases (bia:UseCase) >= 40", str(len(projects)))
    check(len(orgs) >= 30, "organisations >= 30", str(len(orgs)))
    check(len(solutions) >= 15, "solutions >= 15", str(len(solutions)))
    check(len(resources) >= 30, "technical resources >= 30", str(len(resources)))
    check(len(algos) >= 20, "algorithm records >= 20", str(len(algos)))
    dataset = URIRef(BASE + "id/jeu/demo")
    check((dataset, RDF.type, DCAT.Dataset) in g and (dataset, RDF.type, VOID.Dataset) in g,
          "</id/jeu/demo> is a dcat:Dataset and void:Dataset")
    check(Literal("Données de démonstration (fictives)", lang="fr") in set(g.objects(dataset, DCTERMS.title)),
          "</id/jeu/demo> title « Données de démonstration (fictives) »")
    records = projects | orgs | solutions | resources | {dataset}
    not_fict = [s for s in records if (s, BIA.isFictitious, Literal(True)) not in g]
    check(not not_fict, "every record carries bia:isFictitious true", f"{len(records)} records" + (f"; missing: {not_fict[:5]}" if not_fict else ""))
    outside = {s for s in g.subjects() if isinstance(s, URIRef) and not str(s).startswith(BASE + "id/")}
    check(not outside, "every subject is a relative /id/ IRI", ", ".join(map(str, list(outside)[:5])))
    bnodes = {s for s in g.subjects() if isinstance(s, rdflib.BNode)}
    check(not bnodes, "no blank nodes (fragments #contact, #algorithme, #partenariat-* instead)")

    # ---------------------------------------------------------------- organisations
    print("\nOrganisations")
    kinds = Counter(str(one(o, BIA.organisationType)).rsplit("/", 1)[-1] for o in orgs)
    print("  types: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    for k in ("commune", "metropole", "communaute-urbaine", "communaute-d-agglomeration", "communaute-de-communes",
              "ept", "departement", "region", "syndicat-mixte", "operateur", "entreprise", "laboratoire",
              "association", "service-de-l-etat"):
        check(kinds[k] >= 1, f"at least one organisation of type {k}", str(kinds[k]))
    classes = Counter(str(t).rsplit("#", 1)[-1] for o in orgs for t in g.objects(o, RDF.type) if str(t).startswith(str(BIA)))
    print("  classes: " + ", ".join(f"{k} {v}" for k, v in sorted(classes.items())))
    for k in ("LocalAuthority", "PublicOperator", "Company", "ResearchLab", "Association", "StateService"):
        check(classes[k] >= 1, f"at least one bia:{k}")
    bad = []
    n_ids = 0
    for o in orgs:
        siren = one(o, BIA.siren)
        for prop, n in ((BIA.siren, 9), (BIA.siret, 14)):
            for v in g.objects(o, prop):
                n_ids += 1
                s = str(v)
                if not (len(s) == n and s.isdigit() and (luhn_ok(s) or (n == 14 and s.startswith("356000000") and sum(map(int, s)) % 5 == 0))):
                    bad.append(f"{o} {s}")
        for v in g.objects(o, BIA.siret):
            if siren is not None and not str(v).startswith(str(siren)):
                bad.append(f"{o} SIRET {v} does not start with SIREN {siren}")
    check(not bad, "SIREN (9 digits) and SIRET (14 digits) pass the Luhn check", f"{n_ids} identifiers" + (f"; bad: {bad}" if bad else ""))

    # territories → régions, through the reference data when available
    region_of = {}
    for name in ("departements.ttl", "communes.ttl"):
        path = os.path.join(ref_dir, name)
        if not os.path.exists(path):
            continue
        for chunk in re.split(r"\n\s*\n", open(path, encoding="utf-8").read()):
            subj = re.match(r"\s*</id/territoire/((?:departement|commune)-\w+)>", chunk)
            reg = re.search(r"</id/territoire/(region-\w+)>", chunk)
            if subj and reg:
                region_of[subj.group(1)] = reg.group(1)
                epci = re.search(r"bia:memberOf </id/territoire/(epci-\d+)>", chunk)
                if epci:
                    region_of.setdefault(epci.group(1), reg.group(1))
    regions = set()
    unresolved = []
    for o in orgs:
        for t in g.objects(o, BIA.territory):
            key = str(t)[len(TERR):]
            r = key if key.startswith("region-") else region_of.get(key)
            if r:
                regions.add(r)
            else:
                unresolved.append(key)
    check(not unresolved, "every organisation territory resolves to a région", ", ".join(unresolved[:5]))
    check(len(regions) >= 10, "organisations located in >= 10 régions", f"{len(regions)}: {' '.join(sorted(r[7:] for r in regions))}")
    no_terr = [o for o in orgs if one(o, BIA.territory) is None]
    check(not no_terr, "every organisation has a bia:territory", str(no_terr[:3]) if no_terr else "")

    # ---------------------------------------------------------------- projects
    print("\nProjects")
    statuses = Counter(str(one(p, ADMS.status)).rsplit("/", 1)[-1] for p in projects)
    print("  statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    for s in ("en-exploration", "en-experimentation", "en-deploiement", "terminee", "abandonne"):
        check(statuses[s] >= 1, f"status {s} used")
    aband = [p for p in projects if one(p, ADMS.status) == c("statut", "abandonne")]
    check(all(one(p, BIA.abandonReason) for p in aband), "every abandoned project has bia:abandonReason", str(len(aband)))
    themes = Counter(one(p, DCAT.theme) for p in projects)
    check(len(themes) >= 5, "several themes used", str(len(themes)))
    subs = {o for p in projects for o in g.objects(p, BIA.subTheme)}
    check(len(subs) >= 15, "several sub-themes used", str(len(subs)))
    auds = {o for p in projects for o in g.objects(p, BIA.audience)}
    multi_aud = [p for p in projects if len(set(g.objects(p, BIA.audience))) > 1]
    check(len(auds) >= 6 and len(multi_aud) >= 10, "multiple audiences", f"{len(auds)} audiences, {len(multi_aud)} projects with several")
    years = []
    bad_dates = []
    for p in projects:
        sd = one(p, SCHEMA.startDate)
        if sd is None or sd.datatype not in (XSD.gYearMonth, XSD.date):
            bad_dates.append(str(p))
            continue
        years.append(int(str(sd)[:4]))
        md = one(p, DCTERMS.modified)
        if md is None or md.datatype != XSD.date:
            bad_dates.append(str(p))
    check(not bad_dates, "schema:startDate is xsd:gYearMonth or xsd:date, dcterms:modified is xsd:date", ", ".join(bad_dates[:3]))
    check(years and min(years) >= 2018 and max(years) <= 2026 and len(set(years)) >= 6,
          "start dates spread over 2018-2026", f"{min(years)}-{max(years)}, {len(set(years))} distinct years")
    dts = Counter(str(one(p, SCHEMA.startDate).datatype).rsplit("#", 1)[-1] for p in projects)
    print("  startDate datatypes: " + ", ".join(f"{k} {v}" for k, v in dts.items()))
    parts = [(p, pt) for p in projects for pt in g.objects(p, BIA.partnership)]
    roles = {one(pt, BIA.partnerRole) for _, pt in parts}
    check(len(parts) >= 20 and all(one(pt, BIA.partner) and one(pt, BIA.partnerRole) for _, pt in parts) and len(roles) >= 4,
          "partnerships with partner and role", f"{len(parts)} partnerships, {len(roles)} roles")
    sol_users = Counter()
    for s in solutions:
        sol_users[s] = len({one(p, BIA.ledBy) for p in g.subjects(BIA.usesSolution, s)})
    shared = [s for s, n in sol_users.items() if n >= 2]
    check(len(shared) >= 3, "solutions used by several authorities", f"{len(shared)} solutions used by >= 2 organisations")
    linked_res = {r for p in projects for r in g.objects(p, BIA.hasResource)}
    check(len(linked_res) >= 20, "resources linked from projects (bia:hasResource)", f"{len(linked_res)} distinct resources linked")
    coords = [(float(one(p, GEO.lat)), float(one(p, GEO.long))) for p in projects if one(p, GEO.lat) is not None]
    badtype = [p for p in projects for v in list(g.objects(p, GEO.lat)) + list(g.objects(p, GEO.long)) if v.datatype != XSD.decimal]
    check(len(coords) == len(projects) and not badtype, "geo:lat / geo:long (xsd:decimal) on every project")
    metro = [x for x in coords if 41.3 <= x[0] <= 51.2 and -5.3 <= x[1] <= 9.6]
    overseas = [x for x in coords if x not in metro]
    check(len(metro) + len(overseas) == len(coords) and len(overseas) >= 2, "coordinates in France, some overseas",
          f"{len(metro)} metropolitan, {len(overseas)} overseas")
    in_fr = all((41.3 <= la <= 51.2 and -5.3 <= lo <= 9.6) or (-21.5 <= la <= -20.8 and 55.1 <= lo <= 55.9)
                or (15.8 <= la <= 16.6 and -61.9 <= lo <= -61.0) or (14.3 <= la <= 14.9 and -61.3 <= lo <= -60.8)
                or (2.0 <= la <= 6.0 and -54.7 <= lo <= -51.5) or (-13.1 <= la <= -12.6 and 45.0 <= lo <= 45.3)
                for la, lo in coords)
    check(in_fr, "every coordinate falls in metropolitan France or a DROM")

    # restricted fields
    full = 0
    for p in projects:
        a = one(p, BIA.algorithm)
        cp = one(p, DCAT.contactPoint)
        ok = (cp is not None and (cp, RDF.type, VCARD.Kind) in g and one(cp, VCARD.hasEmail) is not None
              and all(one(p, q) is not None for q in (BIA.budgetBand, BIA.fundingSource, BIA.deliveryMode, BIA.hosting, BIA.resourceUrl))
              and a is not None
              and all(one(a, q) is not None for q in (BIA.algorithmName, BIA.algorithmDescription, BIA.algorithmOperations,
                                                         BIA.algorithmType, BIA.environmentalImpact, BIA.dataSource, BIA.dataAccess)))
        full += ok
    check(full >= 25, "projects with every restricted field filled (contact, budget, funding, delivery, hosting, resource URL, algorithm name/description/operations/type, environmental impact, data source/access)", str(full))

    # ---------------------------------------------------------------- algorithm records
    print("\nAlgorithm records")
    risks = Counter(str(one(a, BIA.aiActRiskCategory)).rsplit("/", 1)[-1] for a in algos)
    print("  risk categories: " + ", ".join(f"{k} {v}" for k, v in sorted(risks.items())))
    check(risks["risque-eleve"] >= 2, "several « risque élevé »", str(risks["risque-eleve"]))
    check(risks["risque-limite"] >= 1 and risks["risque-minimal"] >= 1, "« risque limité » and « risque minimal » present")
    high = [a for a in algos if one(a, BIA.aiActRiskCategory) == c("risque-ia", "risque-eleve")]
    check(all(one(a, BIA.humanOversight) and one(a, BIA.legalBasis) for a in high),
          "every high-risk record has human oversight and legal basis")
    without = sum(1 for a in high if one(a, BIA.objectionProcedure) is None)
    check(1 <= without < len(high), "some, not all, high-risk records lack an objection procedure (example query 04)",
          f"{without} of {len(high)}")
    for q, label in ((BIA.decisionScope, "decision scope"), (BIA.explainabilityLevel, "explainability"),
                     (BIA.reversibility, "reversibility"), (BIA.legalBasis, "legal basis"), (BIA.riskAssessment, "risk assessment"),
                     (BIA.proportionality, "proportionality"), (BIA.errorLevel, "error level"), (BIA.automationLevel, "automation level")):
        n = sum(1 for a in algos if one(a, q) is not None)
        check(n >= 20, f"{label} filled on >= 20 records", str(n))
    types = {one(a, BIA.algorithmType) for a in algos}
    check(len(types) >= 5, "several algorithm types", str(len(types)))

    # ---------------------------------------------------------------- solutions & resources
    print("\nSolutions and resources")
    kinds_r = Counter(str(t).rsplit("#", 1)[-1] for r in resources for t in g.objects(r, RDF.type) if t != BIA.TechnicalResource)
    print("  resource kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds_r.items())))
    for k in ("SourceCode", "Dataset", "TrainedModel", "Document"):
        check(kinds_r[k] >= 3, f"resources of kind bia:{k}", str(kinds_r[k]))
    spdx = lambda v: v is not None and str(v).startswith("http://spdx.org/licenses/")
    check(all(spdx(one(r, DCTERMS.license)) for r in resources), "every resource has an SPDX licence IRI")
    links = lambda r: [v for q in (DCAT.accessURL, FOAF.page, SCHEMA.codeRepository) for v in g.objects(r, q)]
    check(all(links(r) and all(re.match(r"^https?://", str(v)) for v in links(r)) for r in resources), "every resource has an http(s) link")
    check(all(one(r, DCTERMS.publisher) in orgs for r in resources), "every resource has a publisher in the demo")
    lic_sol = [s for s in solutions if one(s, DCTERMS.license) is not None]
    check(all(spdx(one(s, DCTERMS.license)) for s in lic_sol), "solution licences are SPDX IRIs", f"{len(lic_sol)} with a licence")
    check(all(one(s, SCHEMA.provider) in orgs for s in solutions), "every solution has a provider in the demo")

    # ---------------------------------------------------------------- links
    print("\nLinks and concepts")
    dangling = []
    for prop, targets in ((BIA.ledBy, orgs), (BIA.partner, orgs), (BIA.usesSolution, solutions), (BIA.hasResource, resources),
                          (DCTERMS.publisher, orgs), (SCHEMA.provider, orgs), (BIA.algorithm, algos), (DCAT.contactPoint, None),
                          (BIA.partnership, None)):
        for s, o in g.subject_objects(prop):
            if (targets is not None and o not in targets) or (targets is None and not (o, RDF.type, None) in g):
                dangling.append(f"{s} {prop} {o}")
    check(not dangling, "every link to a record resolves inside the demo", "; ".join(dangling[:5]))

    vg = parse(vocab_files) if vocab_files else rdflib.Graph()
    known = set(vg.subjects(RDF.type, SKOS.Concept)) | set(vg.subjects(RDF.type, SKOS.ConceptScheme))
    used = {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(CONCEPT)}
    missing = sorted(str(u)[len(BASE) - 1:] for u in used if u not in known)
    check(bool(vocab_files) and not missing, "every concept IRI used exists in ontology/vocabularies/*.ttl",
          f"{len(used)} concepts used" + (f"; missing: {missing}" if missing else ""))

    og = rdflib.Graph()
    if os.path.exists(onto_file):
        og.parse(onto_file, format="turtle", publicID=BASE)
        declared = {s for s in og.subjects(BIA.accessLevel, None)}
        preds = {p for p in g.predicates() if p != RDF.type}
        undeclared = sorted(str(p) for p in preds if p not in declared)
        check(not undeclared, "every property used is declared in ontology/bibia.ttl with bia:accessLevel",
              f"{len(preds)} properties" + (f"; undeclared: {undeclared}" if undeclared else ""))
    else:
        print("  [skip] ontology/bibia.ttl not found: property declarations not checked")

    # ---------------------------------------------------------------- SHACL
    print("\nSHACL")
    if not run_shacl:
        print("  [skip] --no-shacl")
    elif not os.path.exists(shapes_file):
        print("  [skip] shapes/bibia.shapes.ttl not found")
    else:
        import pyshacl
        data = rdflib.Graph()
        data += g
        data += og
        data += vg
        # The loader validates a record with the records it links to; the demo links
        # to reference territories, so load those that are used (bia:territory targets).
        terr_used = {str(o) for o in g.objects(None, BIA.territory)}
        if os.path.isdir(ref_dir):
            for f in sorted(glob.glob(os.path.join(ref_dir, "*.ttl"))):
                text = open(f, encoding="utf-8").read()
                chunks = [ch for ch in re.split(r"\n\s*\n", text)
                          if any(ch.lstrip().startswith(f"<{t[len(BASE) - 1:]}>") for t in terr_used)]
                if chunks:
                    prefixes = "\n".join(l for l in text.splitlines() if l.startswith("@prefix"))
                    data.parse(data=prefixes + "\n" + "\n\n".join(chunks), format="turtle", publicID=BASE)
        shapes = rdflib.Graph().parse(shapes_file, format="turtle", publicID=BASE)
        conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True)
        results = list(report.subjects(RDF.type, SH.ValidationResult))
        sev = Counter(str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1] for r in results)
        for r in results:
            print(f"    {str(report.value(r, SH.resultSeverity)).rsplit('#', 1)[-1]}: {report.value(r, SH.focusNode)} "
                  f"{report.value(r, SH.resultPath)} = {report.value(r, SH.value)} — {report.value(r, SH.resultMessage)}")
        print(f"  pyshacl: conforms={conforms}, results={dict(sev) or 0}")
        check(sev["Violation"] == 0, "pyshacl: zero violations", str(sev["Violation"]))
        if sev["Warning"] or sev["Info"]:
            print(f"  [note] {sev['Warning']} warning(s), {sev['Info']} info(s): advice only, not a failure")

    print()
    if failures:
        print(f"FAILED: {len(failures)} check(s): " + "; ".join(failures))
        return 1
    print("All demo checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
