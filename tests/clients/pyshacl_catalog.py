"""Second check of bibia's DCAT-AP 3 catalogue, with pySHACL (PyPI).

Usage: pyshacl_catalog.py SHAPES_DIR PAGE.ttl...

Validates each page of the catalogue against the official DCAT-AP 3.0.1
shapes (dcat-ap-SHACL.ttl and ranges.ttl of SHAPES_DIR). ranges.ttl names, as
values of sh:property, shapes it never defines; pySHACL refuses a shapes
graph with such dangling references, so they are dropped first (bibia's
engine ignores them the same way). Prints each page's violations; exits 0
when every page conforms, 1 otherwise, 3 when pySHACL is not installed.
"""

import sys

try:
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH
except ImportError as e:
    print(f"pySHACL absent : {e}")
    sys.exit(3)


def shapes(folder):
    g = Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        g.parse(f"{folder}/{name}", format="turtle")
    dangling = [
        (s, o)
        for s, o in g.subject_objects(SH.property)
        if (o, None, None) not in g
    ]
    for s, o in dangling:
        g.remove((s, SH.property, o))
    print(f"{len(dangling)} références sh:property sans forme retirées")
    return g


def main():
    folder, pages = sys.argv[1], sys.argv[2:]
    graph = shapes(folder)
    failed = 0
    for page in pages:
        data = Graph().parse(page, format="turtle")
        _, report, _ = pyshacl.validate(
            data, shacl_graph=graph, inference="none", allow_warnings=True
        )
        violations = [
            r for r in report.subjects(SH.resultSeverity, SH.Violation)
        ]
        if violations:
            failed += 1
            print(f"{page} : {len(violations)} violation(s)")
            for r in violations:
                focus = report.value(r, SH.focusNode)
                path = report.value(r, SH.resultPath)
                message = report.value(r, SH.resultMessage)
                print(f"  {focus} {path} : {message}")
        else:
            print(f"{page} : conforme")
    if failed:
        sys.exit(1)
    print("catalogue conforme pour pySHACL")


main()
