#!/usr/bin/env python3
"""Side-by-side SHACL validation times: bibia, pySHACL and rudof (pyrudof).

    python3 bench/shacl.py [--bibia PATH] [--cap SECONDS] [--sizes 1000,20000,100000] [--runs 3]

Cases: the demo data (data/demo/*.ttl + the data/reference/ territories it links to,
as scripts/check-model.py does), and graphs of N synthetic use cases made by
`bibia generate --projects N --seed 1` (generated once into /tmp/bench-shacl-N.nt,
reused if present) + data/reference/regions.ttl.

Data graph = case files + ontology/bibia.ttl + ontology/vocabularies/*.ttl,
shapes = shapes/bibia.shapes.ttl, base http://localhost:8080/.

* bibia: wall time of the `bibia validate --format json` CLI (output to /dev/null;
  bundled shapes + context, which are the repository's files compiled in), best of
  --runs. bibia prints no timing, so the split is estimated with two extra runs:
  - "parse": same command with an empty shapes file (`--shapes empty.ttl`): process
    start + reading the model + parsing the data + building the data graph, no shape;
  - "validate" = full wall time - parse run (the shapes' compilation is included).
  - fixed overhead: `bibia validate` on data/valid/complete.ttl (one typical use-case
    record): process start + parsing the bundled ontology/vocabularies/shapes.
* pySHACL (advanced=True, inference none) and rudof (native engine): graphs are parsed
  first in a child process, then only validate() is timed. Each child is killed when
  its validation exceeds --cap seconds (default 900): reported as ">cap". pySHACL's
  figure for a capped size is also extrapolated linearly from the largest size it
  completed (hence the small 1000-use-case case).
  Note: rudof does not run bibia's SPARQL-based Luhn component (it ignores it), so
  it does slightly less work than the two others.

The machine should be otherwise idle: the times are wall-clock.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parent.parent / "scripts"))
from demo_context import demo_files  # noqa: E402
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://localhost:8080/"
MODEL_FILES = [str(ROOT / "ontology" / "bibia.ttl"), *sorted(glob.glob(str(ROOT / "ontology" / "vocabularies" / "*.ttl")))]
SHAPES = str(ROOT / "shapes" / "bibia.shapes.ttl")

# ---------------------------------------------------------------------------------
# child processes: python3 -c CODE FILE... SHAPES BASE

CHILD_PYSHACL = """
import sys, time, json
t0 = time.perf_counter()
import pyshacl
from rdflib import Graph
files, shapes_path, base = sys.argv[1:-2], sys.argv[-2], sys.argv[-1]
data = Graph()
for f in files:
    data.parse(f, format="nt" if f.endswith(".nt") else "turtle", publicID=base)
shapes = Graph().parse(shapes_path, format="turtle", publicID=base)
print(json.dumps({"parse": time.perf_counter() - t0, "triples": len(data)}), flush=True)
t1 = time.perf_counter()
conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True)
t2 = time.perf_counter()
from rdflib.namespace import SH
n = len(list(report.objects(None, SH.result)))
print(json.dumps({"validate": t2 - t1, "conforms": bool(conforms), "results": n}), flush=True)
"""

CHILD_RUDOF = """
import sys, time, json
t0 = time.perf_counter()
from pyrudof import Rudof, RudofConfig, RDFFormat, ReaderMode, ShaclFormat, ShaclValidationMode
files, shapes_path, base = sys.argv[1:-2], sys.argv[-2], sys.argv[-1]
r = Rudof(RudofConfig())
for i, f in enumerate(files):
    fmt = RDFFormat.NTriples if f.endswith(".nt") else RDFFormat.Turtle
    r.read_data(f, format=fmt, base=base, reader_mode=ReaderMode.Strict, merge=i > 0)
r.read_shacl(shapes_path, format=ShaclFormat.Turtle, base=base, reader_mode=ReaderMode.Strict)
print(json.dumps({"parse": time.perf_counter() - t0}), flush=True)
t1 = time.perf_counter()
rep = r.validate_shacl(mode=ShaclValidationMode.Native)
t2 = time.perf_counter()
print(json.dumps({"validate": t2 - t1, "conforms": bool(rep.conforms), "results": len(rep)}), flush=True)
"""


def run_child(code: str, files: list[str], cap: float) -> dict:
    """Run a child that prints a JSON line after parsing and one after validating.
    The cap applies to the validation (after the first line)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *files, SHAPES, BASE],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    out: dict = {}
    lines: list[str] = []
    t_start = time.perf_counter()

    def reader() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    parsed_at = None
    while True:
        if lines and parsed_at is None:
            parsed_at = time.perf_counter()
            out.update(json.loads(lines[0]))
        # Its peak memory, read while it runs (the high-water mark of its
        # own address space; wait4's figure would start from this process's).
        out["rss_kb"] = max(out.get("rss_kb", 0), peak_rss_kb(proc.pid))
        if proc.poll() is not None:
            break
        if parsed_at is not None and time.perf_counter() - parsed_at > cap:
            out["rss_kb"] = peak_rss_kb(proc.pid)
            proc.kill()
            proc.wait()
            out["capped"] = True
            return out
        time.sleep(0.2)
    th.join(timeout=5)
    for line in lines:
        out.update(json.loads(line))
    if proc.returncode != 0 or "validate" not in out:
        out["error"] = (proc.stderr.read() if proc.stderr else "")[-800:]  # type: ignore[union-attr]
    out["wall"] = time.perf_counter() - t_start
    return out


def peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0


# ---------------------------------------------------------------------------------


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
    return dt


def best(cmd: list[str], runs: int) -> float:
    return min(wall(cmd) for _ in range(runs))



def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bibia", default=os.environ.get("BIBIA", "/tmp/bibia-bench"))
    ap.add_argument("--cap", type=float, default=900.0, help="per-tool validation time cap, seconds (default 900)")
    ap.add_argument("--sizes", default="1000,20000,100000",
                    help="generated sizes; a small one gives pySHACL a measured basis for extrapolation")
    ap.add_argument("--runs", type=int, default=3, help="bibia runs per measure (best is kept)")
    ap.add_argument("--tools", default="bibia,pyshacl,rudof")
    args = ap.parse_args()
    tools = args.tools.split(",")
    bibia = args.bibia
    if not Path(bibia).exists():
        bibia = str(ROOT / "target" / "debug" / "bibia")
    tmp = Path("/tmp")
    sizes = [int(s) for s in args.sizes.split(",") if s]

    cases: list[tuple[str, list[str], int | None]] = [("demo", demo_files(tmp / "bench-shacl-demo-territories.nt"), None)]
    for n in sizes:
        f = tmp / f"bench-shacl-{n}.nt"
        if not f.exists():
            subprocess.run([bibia, "generate", "--projects", str(n), "--seed", "1", "-o", str(f)], check=True,
                           stdout=subprocess.DEVNULL)
        cases.append((f"{n} use cases", [str(f), str(ROOT / "data" / "reference" / "regions.ttl")], n))

    empty = tmp / "bench-shacl-empty-shapes.ttl"
    empty.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n")
    print(f"bibia binary: {bibia}")
    print(f"cap per tool and case: {args.cap:.0f} s; bibia: best of {args.runs} runs; CPU count {os.cpu_count()}")
    print()

    # fixed overhead: one typical use-case record
    one = str(ROOT / "data" / "valid" / "complete.ttl")
    if "bibia" in tools:
        t_one = best([bibia, "validate", "--format", "json", one], max(args.runs, 5))
        t_one_empty = best([bibia, "validate", "--format", "json", "--shapes", str(empty), one], max(args.runs, 5))
        print("bibia, one typical use-case record (data/valid/complete.ttl), CLI wall time:")
        print(f"  bibia validate                      {t_one * 1000:7.1f} ms  (process start + bundled model parse + validation)")
        print(f"  same with an empty shapes file      {t_one_empty * 1000:7.1f} ms  (no shape compiled or run)")
        print("  (the CLI figure includes process start and parsing the ontology/vocabularies/shapes;")
        print("   the per-record validation itself is a fraction of it)")
        print()

    rows = []
    for name, files, n in cases:
        row: dict = {"case": name, "n": n}
        print(f"== {name}: {', '.join(Path(f).name for f in files)}", flush=True)
        if "bibia" in tools:
            full = best([bibia, "validate", "--format", "json", *files], args.runs)
            parse = best([bibia, "validate", "--format", "json", "--shapes", str(empty), *files], args.runs)
            row["bibia"] = {"wall": full, "parse": parse, "validate": max(full - parse, 0.0)}
            print(f"  bibia   wall {fmt_s(full)}; parse-only run {fmt_s(parse)}; => validation ~{fmt_s(full - parse)}",
                  flush=True)
        for tool, code in (("pyshacl", CHILD_PYSHACL), ("rudof", CHILD_RUDOF)):
            if tool not in tools:
                continue
            res = run_child(code, [*files, *MODEL_FILES], args.cap)
            row[tool] = res
            if res.get("capped"):
                print(f"  {tool:<7} parse {fmt_s(res.get('parse'))}; validate >{args.cap:.0f} s (killed at cap)", flush=True)
            elif "error" in res:
                print(f"  {tool:<7} ERROR {res['error']}", flush=True)
            else:
                print(f"  {tool:<7} parse {fmt_s(res['parse'])}; validate {fmt_s(res['validate'])} "
                      f"(conforms={res['conforms']}, {res['results']} results)", flush=True)
        rows.append(row)

    # pySHACL extrapolation (linear in use cases) from the largest size it completed
    basis = None
    for r in rows:
        p = r.get("pyshacl", {})
        if not r["n"]:
            continue
        if "validate" in p and not p.get("capped"):
            basis = r
        elif basis is not None and p:
            p["extrapolated"] = basis["pyshacl"]["validate"] * r["n"] / basis["n"]
            p["basis"] = basis["n"]
        elif p.get("capped") and "first_capped" not in locals():
            first_capped = r
        elif p.get("capped"):
            # no completed size: a lower bound, linear from the first capped size
            p["lower_bound"] = args.cap * r["n"] / first_capped["n"]
            p["lb_basis"] = first_capped["n"]

    print()
    print("Summary (seconds; validation excludes parsing; bibia validation = full run - parse-only run)")
    hdr = f"{'case':<18} {'bibia wall':>11} {'bibia valid.':>12} {'pySHACL valid.':>22} {'rudof valid.':>13} {'speed-up':>10}"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        b = r.get("bibia", {})
        cells = []
        vals = {}
        for tool in ("pyshacl", "rudof"):
            res = r.get(tool)
            if res is None:
                cells.append("-")
            elif res.get("capped"):
                c = f">{args.cap:.0f}"
                if "extrapolated" in res:
                    c += f" (~{res['extrapolated']:.0f} extrap.)"
                cells.append(c)
                vals[tool] = res.get("extrapolated", args.cap)
            elif "validate" in res:
                cells.append(f"{res['validate']:.2f}")
                vals[tool] = res["validate"]
            else:
                cells.append("error")
        if b and vals:
            fastest_tool = min(vals, key=vals.get)
            ratio = vals[fastest_tool] / b["validate"] if b["validate"] > 0 else float("inf")
            lower = "≥" if r.get(fastest_tool, {}).get("capped") else ""
            sp = f"{lower}{ratio:.0f}x vs {fastest_tool}"
        else:
            sp = "-"
        print(f"{r['case']:<18} {b.get('wall', 0):>11.2f} {b.get('validate', 0):>12.2f} {cells[0]:>22} {cells[1]:>13} {sp:>10}")
    print()
    print("speed-up = validation time of the faster of pySHACL and rudof / bibia's estimated validation time.")
    print("Wall-clock, end to end (parse + validate, including process start for bibia):")
    for r in rows:
        parts = [f"bibia {r['bibia']['wall']:.2f}"] if "bibia" in r else []
        for tool in ("pyshacl", "rudof"):
            res = r.get(tool)
            if res and "validate" in res and "parse" in res:
                parts.append(f"{tool} {res['parse'] + res['validate']:.1f}")
            elif res and res.get("capped"):
                parts.append(f"{tool} >{res.get('parse', 0) + args.cap:.0f}")
        print(f"  {r['case']:<18} " + ", ".join(parts))
    for r in rows:
        p = r.get("pyshacl", {})
        if "lower_bound" in p:
            print(f"pySHACL on {r['n']} use cases: > {p['lower_bound']:.0f} s EXTRAPOLATED (lower bound, linear from "
                  f"the cap it exceeded on {p['lb_basis']} use cases; it grows faster than linearly here).")
    if any("extrapolated" in r.get("pyshacl", {}) for r in rows):
        for r in rows:
            if "extrapolated" in r.get("pyshacl", {}):
                print(f"pySHACL on {r['n']} use cases: ~{r['pyshacl']['extrapolated']:.0f} s EXTRAPOLATED linearly "
                      f"from its measured time on {r['pyshacl']['basis']} use cases (not measured).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

# Engine-level figures (no process start, no parsing): run
#   bibia validate --timings --format json FILES > /dev/null
# which prints on stderr the indexing time, the whole-graph validation time
# and the median / worst time of validating one use-case record on its own.
