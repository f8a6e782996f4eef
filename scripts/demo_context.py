"""The demo files plus only the reference territories they link to, shared
by scripts/shacl-differential.py and bench/shacl.py (validating the
whole territory set would dominate pySHACL's time)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://localhost:8080/"


def demo_files(out: Path) -> list[str]:
    """The demo Turtle files and `out`, an N-Triples file written with the
    triples of every territory the demo links to."""
    from rdflib import Graph, URIRef

    demo = sorted(str(p) for p in (ROOT / "data" / "demo").glob("*.ttl"))
    g = Graph()
    for p in demo:
        g.parse(p, format="turtle", publicID=BASE)
    wanted = {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(BASE + "id/territoire/")}
    ctx = Graph()
    for p in sorted((ROOT / "data" / "reference").glob("*.ttl")):
        ref = Graph().parse(p, format="turtle", publicID=BASE)
        for s in wanted:
            for t in ref.triples((s, None, None)):
                ctx.add(t)
    ctx.serialize(out, format="nt", encoding="utf-8")
    return [*demo, str(out)]
