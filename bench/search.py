#!/usr/bin/env python3
"""Benchmark bibia's French full-text search (`/recherche`).

Generates `--projects` synthetic use cases (`bibia generate`), loads them
into a store without the demo, times `bibia reindex` (the public projection
then the search index: the script prints the index's own build time), then
serves the store and asks a fixed set of French queries (plain words,
plurals, accents, typos) through `/recherche?format=json`:

  * one client, each query once per limit (`limite=1..20`): p50, p99;
  * `--clients` concurrent clients over the same queries with other limits
    and each kind (`type=`): throughput, p50, p99.

Every request is a different URL, so none is answered from the page cache:
the figures are those of the search itself. Loopback only; data in a
temporary directory under /tmp.

Usage:
  cargo build --release
  bench/search.py                       # 100 000 projects, 16 clients
  bench/search.py --projects 10000 --bibia target/debug/bibia
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = "http://localhost:8080/"
QUERIES = [
    "dépôts sauvages",
    "depot sauvage",
    "détection de fuites",
    "fuite réseau d'eau",
    "courrier",
    "tri automatique du courrier entrant",
    "cantines",
    "fréquentation des cantines",
    "canopée urbaine",
    "tournées de collecte",
    "pilotage énergétique des bâtiments",
    "trafic heures de pointe",
    "marchés publics",
    "traduction administrative",
    "assistant conversationnel",
    "démarches",
    "conseil municipal comptes rendus",
    "detecton des fuites",
    "canopé urbane",
    "optimisation",
]
KINDS = ["", "projets", "organisations", "solutions", "ressources"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    print("$ " + " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def serve(bibia: str, data: str, extra: list[str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    p = subprocess.Popen(
        [bibia, "serve", "--data-dir", data, "--base-iri", BASE, "--bind", f"127.0.0.1:{port}", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, RUST_LOG="warn"),
    )
    deadline = time.time() + 900
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return p, port
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("bibia did not start")


def ask(conn: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        raise RuntimeError(f"{path}: {r.status}")
    return time.perf_counter() - started


def path(q: str, limit: int, kind: str = "") -> str:
    params = {"q": q, "format": "json", "limite": str(limit)}
    if kind:
        params["type"] = kind
    return "/recherche?" + urllib.parse.urlencode(params)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bibia", default=os.path.join(ROOT, "target", "release", "bibia"))
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(args.bibia):
        print(f"{args.bibia} is missing: run `cargo build --release` first", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="bibia-search-", dir="/tmp")
    try:
        data = os.path.join(work, "data")
        generated = os.path.join(work, "generated.nt")
        run([args.bibia, "generate", "--projects", str(args.projects), "-o", generated])
        p, _ = serve(args.bibia, data, ["--no-demo"])
        p.terminate()
        p.wait()
        run([args.bibia, "load", "--data-dir", data, "--base-iri", BASE, generated],
            stdout=subprocess.DEVNULL)
        out = run([args.bibia, "reindex", "--data-dir", data, "--base-iri", BASE],
                  capture_output=True, text=True)
        built = re.search(r"Index de recherche reconstruit : (\d+) fiches en ([\d.]+) s", out.stderr)
        p, port = serve(args.bibia, data, [])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            ask(conn, path("amorce", 1))
            single = [ask(conn, path(q, n)) for n in range(1, 21) for q in QUERIES]
            paths = [path(q, n, k) for n in range(21, 31) for k in KINDS for q in QUERIES]
            lat: list[float] = []
            lock = threading.Lock()

            def client(mine: list[str]) -> None:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                local = [ask(c, x) for x in mine]
                with lock:
                    lat.extend(local)

            threads = [threading.Thread(target=client, args=(paths[i::args.clients],)) for i in range(args.clients)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        finally:
            p.terminate()
            p.wait()
        print(f"\n## search, {args.projects} generated projects ({args.bibia})")
        if built:
            print(f"index build (bibia reindex): {built.group(1)} records in {built.group(2)} s")
        print(f"single client, {len(single)} queries: p50 {statistics.median(single)*1e3:.2f} ms, "
              f"p99 {pct(single, 99)*1e3:.2f} ms (target p99 < 20 ms)")
        print(f"{args.clients} clients, {len(lat)} queries: {len(lat)/elapsed:.1f} queries/s, "
              f"p50 {statistics.median(lat)*1e3:.2f} ms, p99 {pct(lat, 99)*1e3:.2f} ms")
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
