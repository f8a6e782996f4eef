#!/usr/bin/env python3
"""Parse data/reference/*.ttl(.gz) with rdflib against base http://localhost:8080/ and
print triple counts plus a few consistency checks. Usage: python3 scripts/reference/verify.py"""
import gzip
import re
import sys
from pathlib import Path

from rdflib import Graph, Namespace, URIRef, RDF, Literal
from rdflib.namespace import XSD

BASE = "http://localhost:8080/"
BIA = Namespace("https://w3id.org/bibia/def#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
ref = Path(__file__).resolve().parents[2] / "data" / "reference"


def luhn(s: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


merged = Graph()
merged.bind("bia", BIA)
merged.bind("igeo", IGEO)
ok = True
for name in ["regions.ttl", "departements.ttl", "epci.ttl", "communes.ttl"]:
    p = ref / name
    gz = ref / (name + ".gz")
    if p.exists():
        data, shown = p.read_bytes(), p
    elif gz.exists():
        data, shown = gzip.decompress(gz.read_bytes()), gz
    else:
        print(f"MISSING {name}")
        ok = False
        continue
    if re.search(rb"^\s*(@base|BASE)\b", data, re.M):
        print(f"{name}: contains @base"); ok = False
    g = Graph()
    g.parse(data=data, format="turtle", publicID=BASE)
    print(f"{shown.name}: {len(g)} triples, {shown.stat().st_size} bytes")
    merged += g

print(f"total: {len(merged)} triples")

for cls in ["Region", "Departement", "Intercommunalite", "Commune"]:
    n = len(set(merged.subjects(RDF.type, IGEO[cls])))
    print(f"  igeo:{cls}: {n}")
territories = set(merged.subjects(RDF.type, BIA.Territory))
print(f"  bia:Territory: {len(territories)}")

# every subject is under the base, every link target within /id/territoire/ exists
dangling = {o for p in (IGEO.subdivisionDe, BIA.memberOf, IGEO.chefLieu) for o in merged.objects(None, p)
            if str(o).startswith(BASE) and o not in territories}
print(f"  dangling territory links: {len(dangling)}")
ok &= not dangling
lyon = URIRef(BASE + "id/territoire/commune-69123")
print("  Lyon:", sorted((merged.qname(p), str(o)) for p, o in merged.predicate_objects(lyon)))
bad = [str(s) for s in merged.objects(None, BIA.siren)
       if not (len(str(s)) == 9 and str(s).isdigit() and luhn(str(s)))]
epci_bad = [str(s) for e in merged.subjects(RDF.type, IGEO.Intercommunalite)
            for s in merged.objects(e, BIA.siren) if not luhn(str(s))]
print(f"  SIREN failing Luhn: EPCI {len(epci_bad)} {epci_bad}, all {len(bad)}")
nonint = [o for o in merged.objects(None, BIA.population) if not (isinstance(o, Literal) and o.datatype == XSD.integer)]
print(f"  non-integer populations: {len(nonint)}")
print("  predicates:", sorted(merged.qname(p) for p in set(merged.predicates())))
sys.exit(0 if ok else 1)
