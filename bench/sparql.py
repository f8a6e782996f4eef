#!/usr/bin/env python3
"""Benchmark bibia's public SPARQL endpoint against `oxigraph serve`.

Both servers hold the same triples: bibia's public projection, exported with
`bibia export` and loaded into oxigraph (queried with --union-default-graph,
which is bibia's default dataset). The example queries of data/queries/ run
against each, on loopback only:

  * latency: each query alone, sequentially, `--repeat` times (p50, p95);
  * throughput: `--clients` concurrent clients cycling through all queries
    for at most `--duration` seconds or `--max-requests` requests.

bibia is measured twice: cold, with its cache of answers off
(`--answer-cache-mb 0`: every query evaluated, the figure compared with
oxigraph), then warm, restarted with the cache on (the default), where a
query asked again over unchanged data is answered from memory.

Sizes: the demo data (what `bibia serve` loads into an empty store) and
synthetic graphs from `bibia generate --projects N` (N=40000 is 1.07 million
generated triples, 1.2 million public quads with the demo). Everything lives in a temporary directory under /tmp.

Usage:
  cargo build --release
  bench/sparql.py                      # demo and 40000 projects
  bench/sparql.py --sizes demo --duration 5

`bench/run` reuses its clients (`Client`, `latency`, `throughput`) against
bibia, oxigraph and Virtuoso over one data set.
"""

from __future__ import annotations

import argparse
import glob
import http.client
import os
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
COLD = ["--answer-cache-mb", "0"]
ACCEPT = {"SELECT": "application/sparql-results+json", "GRAPH": "application/n-triples"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, path: str, timeout: float = 600.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            if c.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def run(cmd: list[str], **kw) -> None:
    print("  $", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kw)


def load_queries() -> list[tuple[str, str, str]]:
    """(name, query text with an explicit BASE, Accept)."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "data", "queries", "*.rq"))):
        text = open(path, encoding="utf-8").read()
        body = "\n".join(l for l in text.splitlines() if not l.startswith("#"))
        kind = "GRAPH" if any(k in body for k in ("CONSTRUCT", "DESCRIBE")) else "SELECT"
        out.append((os.path.basename(path)[:-3], f"BASE <{BASE}>\n{text}", ACCEPT[kind]))
    return out


class Client:
    """One keep-alive connection; POST application/sparql-query, or an HTML
    form (`form=True`: `query=…`, what every endpoint accepts; Virtuoso 7.2
    does not read a bare query body)."""

    def __init__(self, port: int, path: str, form: bool = False, timeout: float = 120):
        self.port, self.path, self.form, self.timeout = port, path, form, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.body = b""

    def query(self, text: str, accept: str) -> float:
        if self.form:
            body = urllib.parse.urlencode({"query": text}).encode("ascii")
            kind = "application/x-www-form-urlencoded"
        else:
            body, kind = text.encode("utf-8"), "application/sparql-query"
        started = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request("POST", self.path, body=body, headers={"Content-Type": kind, "Accept": accept})
                r = self.conn.getresponse()
                self.body = r.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt:
                    raise
        if r.status != 200:
            raise RuntimeError(f"HTTP {r.status} on port {self.port}")
        return time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def latency(port: int, path: str, queries, repeat: int, form: bool = False, warmup: bool = True,
            timeout: float = 120) -> dict[str, list[float]]:
    c = Client(port, path, form, timeout)
    out = {}
    for name, text, accept in queries:
        if warmup:
            c.query(text, accept)
        out[name] = [c.query(text, accept) for _ in range(repeat)]
    return out


def answer_size(body: bytes, accept: str) -> int:
    """Rows of a SPARQL JSON answer, or triples of an N-Triples one."""
    if accept.startswith("application/sparql-results+json"):
        import json

        return len(json.loads(body)["results"]["bindings"])
    return sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))


def throughput(port: int, path: str, queries, clients: int, duration: float, max_requests: int,
               form: bool = False, timeout: float = 120):
    lock = threading.Lock()
    done = [0]
    lat: list[float] = []
    stop_at = time.perf_counter() + duration

    def worker(offset: int):
        c = Client(port, path, form, timeout)
        i = offset
        mine = []
        while time.perf_counter() < stop_at:
            with lock:
                if done[0] >= max_requests:
                    break
                done[0] += 1
            _, text, accept = queries[i % len(queries)]
            mine.append(c.query(text, accept))
            i += 1
        with lock:
            lat.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return len(lat) / elapsed, lat


class Servers:
    """bibia and oxigraph over the same public data, for one size."""

    def __init__(self, bibia: str, size: str, work: str, serve_args=("--max-concurrent-queries", "64")):
        self.procs: list[subprocess.Popen] = []
        self.serve_args = list(serve_args)
        data = os.path.join(work, f"bibia-{size}")
        ox = os.path.join(work, f"oxigraph-{size}")
        dump = os.path.join(work, f"public-{size}.nq")
        if size != "demo":
            generated = os.path.join(work, f"generated-{size}.nt")
            run([bibia, "generate", "--projects", size, "-o", generated])
            # First run loads the model and territories, then the synthetic graph.
            self.start_bibia(bibia, data, extra=["--no-demo"], stop=True)
            run([bibia, "load", "--data-dir", data, "--base-iri", BASE, generated])
        else:
            self.start_bibia(bibia, data, extra=[], stop=True)
        run([bibia, "export", "--data-dir", data, "--base-iri", BASE, "--format", "nq", "-o", dump])
        run(["oxigraph", "load", "--location", ox, "--file", dump], stdout=subprocess.DEVNULL)
        self.triples = sum(1 for _ in open(dump, encoding="utf-8"))
        self.bibia, self.data = bibia, data
        self.bibia_port = self.start_bibia(bibia, data, extra=COLD, stop=False)
        self.ox_port = free_port()
        self.procs.append(
            subprocess.Popen(
                ["oxigraph", "serve", "--location", ox, "--bind", f"127.0.0.1:{self.ox_port}", "--union-default-graph"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_ready(self.ox_port, "/query?query=ASK%7B%7D")

    def start_bibia(self, bibia: str, data: str, extra: list[str], stop: bool) -> int:
        port = free_port()
        env = dict(os.environ, RUST_LOG="warn")
        p = subprocess.Popen(
            [bibia, "serve", "--data-dir", data, "--base-iri", BASE, "--bind", f"127.0.0.1:{port}",
             *self.serve_args, *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        # Measured once ready (indexes and the examples' answers made), as
        # a load balancer would send it clients.
        wait_ready(port, "/readyz")
        if stop:
            p.terminate()
            p.wait()
        else:
            self.procs.append(p)
        return port

    def warm(self) -> int:
        """Restarts bibia with its cache of answers on; returns its port."""
        cold = self.procs.pop(0)
        cold.terminate()
        cold.wait()
        self.bibia_port = self.start_bibia(self.bibia, self.data, extra=[], stop=False)
        return self.bibia_port

    def close(self):
        for p in self.procs:
            p.terminate()
            p.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bibia", default=os.path.join(ROOT, "target", "release", "bibia"))
    ap.add_argument("--sizes", default="demo,40000", help="comma-separated: demo and/or numbers of projects")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of throughput measurement per server")
    ap.add_argument("--max-requests", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=20, help="sequential runs per query for latency")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    if not os.path.exists(args.bibia):
        print(f"{args.bibia} is missing: run `cargo build --release` first", file=sys.stderr)
        return 2
    queries = load_queries()
    work = tempfile.mkdtemp(prefix="bibia-bench-", dir="/tmp")
    failed = False
    try:
        for size in args.sizes.split(","):
            print(f"\n== size {size}: preparing", file=sys.stderr)
            servers = Servers(args.bibia, size, work)
            try:
                print(f"\n## {size} ({servers.triples} public quads), {args.clients} clients")
                targets = {"bibia": (servers.bibia_port, "/sparql"), "oxigraph": (servers.ox_port, "/query")}
                lat = {k: latency(p, path, queries, args.repeat) for k, (p, path) in targets.items()}
                print(f"\n{'query':<36} {'bibia p50':>10} {'p95':>8} {'oxigraph p50':>13} {'p95':>8}   (ms)")
                for name, _, _ in queries:
                    b, o = lat["bibia"][name], lat["oxigraph"][name]
                    print(f"{name:<36} {statistics.median(b)*1e3:>10.2f} {pct(b,95)*1e3:>8.2f} "
                          f"{statistics.median(o)*1e3:>13.2f} {pct(o,95)*1e3:>8.2f}")
                # Alternate the order to be fair to both on a shared machine.
                tp = {}
                for k in ("oxigraph", "bibia", "oxigraph", "bibia"):
                    port, path = targets[k]
                    qps, l = throughput(port, path, queries, args.clients, args.duration / 2, args.max_requests // 2)
                    prev = tp.get(k, (0.0, []))
                    tp[k] = (prev[0] + qps / 2, prev[1] + l)
                print(f"\n{'server':<10} {'queries/s':>10} {'p50 ms':>8} {'p95 ms':>8}")
                for k in ("bibia", "oxigraph"):
                    qps, l = tp[k]
                    print(f"{k:<10} {qps:>10.1f} {statistics.median(l)*1e3:>8.2f} {pct(l,95)*1e3:>8.2f}")
                ratio = tp["bibia"][0] / tp["oxigraph"][0]
                print(f"ratio bibia (cold)/oxigraph throughput: {ratio:.3f} (target >= 0.95)")
                failed |= ratio < 0.95
                # Warm: the cache on; the latency runs fill it.
                port = servers.warm()
                warm = latency(port, "/sparql", queries, args.repeat)
                print(f"\n{'query':<36} {'cold p50':>10} {'warm p50':>10} {'warm p95':>9}   (ms, bibia)")
                for name, _, _ in queries:
                    c, w = lat["bibia"][name], warm[name]
                    print(f"{name:<36} {statistics.median(c)*1e3:>10.2f} {statistics.median(w)*1e3:>10.2f} {pct(w,95)*1e3:>9.2f}")
                qps, l = throughput(port, "/sparql", queries, args.clients, args.duration / 2, args.max_requests // 2)
                print(f"bibia warm {qps:>10.1f} queries/s, p50 {statistics.median(l)*1e3:.2f} ms, p95 {pct(l,95)*1e3:.2f} ms; "
                      f"warm/cold {qps / tp['bibia'][0]:.2f}x, warm/oxigraph {qps / tp['oxigraph'][0]:.2f}x")
            finally:
                servers.close()
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
