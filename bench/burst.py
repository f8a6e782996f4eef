#!/usr/bin/env python3
"""Bursts of clients: CLIENTS clients each send REQUESTS cheap DESCRIBE
queries on a kept-alive connection, as fast as they can, to `bibia serve`
with its default limits (8 queries at once, the others queued) and to
`oxigraph serve` over the same public data (the demo). Prints the answers
by status, the throughput and the p50/p99 latency of each server.

    cargo build --release
    bench/burst.py [--clients 64] [--requests 100]

Loopback only; data in a temporary directory under /tmp.
"""

import argparse
import collections
import http.client
import importlib.util
import os
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench_sparql", os.path.join(HERE, "sparql.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

PROJECT = bench.BASE + "id/projet/metropole-de-lyon-chatbot-dechets"


def burst(port: int, path: str, clients: int, requests: int):
    query = urllib.parse.quote(f"DESCRIBE <{PROJECT}>")
    statuses: collections.Counter = collections.Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, seen = [], collections.Counter()
        for _ in range(requests):
            started = time.perf_counter()
            try:
                conn.request("GET", f"{path}?query={query}", headers={"Accept": "text/turtle"})
                r = conn.getresponse()
                r.read()
                seen[r.status] += 1
            except (http.client.HTTPException, OSError) as e:
                seen[type(e).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            mine.append(time.perf_counter() - started)
        with lock:
            statuses.update(seen)
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses, len(latencies) / (time.perf_counter() - started), latencies


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bibia", default=os.path.join(bench.ROOT, "target", "release", "bibia"))
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--requests", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bibia-burst-") as work:
        servers = bench.Servers(args.bibia, "demo", work, serve_args=())
        try:
            for name, port, path in (("bibia", servers.bibia_port, "/sparql"), ("oxigraph", servers.ox_port, "/query")):
                statuses, rate, lat = burst(port, path, args.clients, args.requests)
                answers = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str))
                print(
                    f"{name:9} {args.clients} clients x {args.requests}: {answers} ; "
                    f"{rate:8.1f} requêtes/s ; p50 {bench.pct(lat, 50) * 1000:6.2f} ms ; p99 {bench.pct(lat, 99) * 1000:7.2f} ms"
                )
        finally:
            servers.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
