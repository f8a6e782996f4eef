#!/usr/bin/env python3
"""Load test of bibia (issue 18): N concurrent connections for S seconds
mixing entity pages, lists with facets, search, SPARQL queries and writes
through the API, against a real `bibia serve` on the demo data. Reports the
throughput, p50/p99 per kind of request and overall, and every error: a
status other than the expected one, a refused or reset connection. Exits 1
when there was any error (the target is zero).

    python3 bench/load.py [--bin target/release/bibia] [--connections 64]
                          [--seconds 60] [--data DIR] [--seed 1]

Without --data, a fresh data directory is made (the first start loads the
demo). A moderator account and token are made with `bibia user add` and
`bibia token create`; writes change the title of a few demo use cases
(GET with the token for the ETag, then PUT with If-Match: a 412 from a
concurrent writer is expected and counted apart, not as an error).
The clock starts once the server's log says its lists' and search indexes
and the example queries' answers are made (as a load balancer waits for a new server to be ready). Each
connection is kept alive (HTTP/1.1) and reopened if the server closes it. Python's threads measure a server on the same 2 cores: the figures
are what a client sees, the client's own time included.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

PASSWORD = "un mot de passe assez long"
MODERATOR = "charge@reseau.example"


def start(binary, data, port, base_iri=None):
    """Serves `data`; returns the process and the URL it answers on. The
    pages link under the base IRI, and the clients follow those paths on
    the server's own address."""
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen(
        [binary, "serve", "--data-dir", data, "--bind", f"127.0.0.1:{port}",
         "--base-iri", base_iri or url, "--max-connections", "256"],
        stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if line.startswith("bibia écoute sur"):
            break
    else:
        sys.exit("bibia serve s'est arrêté avant d'écouter")
    # Ready as a load balancer would wait for: the lists' and search
    # indexes and the example queries' answers made (on a large store, the
    # indexes take tens of seconds, some queries seconds each).
    waited = time.perf_counter()
    for line in proc.stderr:
        if "réponses des exemples préparées" in line:
            print(f"{line.strip().split(': ', 1)[-1]} "
                  f"(attendu {time.perf_counter() - waited:.1f} s après l'écoute)")
            break
    else:
        sys.exit("bibia serve s'est arrêté avant d'être prêt (index et réponses des exemples)")
    # Keep reading its log so that it never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return proc, url


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token(binary, data, base):
    env = dict(os.environ, BIBIA_PASSWORD=PASSWORD)
    subprocess.run([binary, "user", "add", MODERATOR, "--moderator", "--name", "Charge",
                    "--data-dir", data, "--base-iri", base], env=env,
                   capture_output=True)
    out = subprocess.run([binary, "token", "create", MODERATOR, "--data-dir", data,
                          "--label", "test de charge"], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def targets(base):
    """What the clients ask for: lists of paths per kind, read once from
    the service (the lists' first pages, the example queries)."""
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=60)
    def get(path, accept="text/html"):
        conn.request("GET", path, headers={"Accept": accept})
        r = conn.getresponse()
        return r.read().decode("utf-8", "replace")
    projets = sorted(set(re.findall(r'href="(/page/projet/[^"#]+)"', get("/projets"))))
    orgs = sorted(set(re.findall(r'href="(/page/organisation/[^"#]+)"', get("/organisations"))))
    # Not /dumps/: under a stream of writes it waits for the dumps of the
    # new version (seconds of work over the whole data), which is measured
    # on its own; a page of the mix that waits that long would measure the
    # dumps, not the pages.
    pages = projets + orgs[:40] + ["/", "/statistiques", "/carte", "/def"]
    lists = ["/projets", "/projets?theme=transition-ecologique-et-energetique",
             "/projets?statut=en-deploiement&audience=grand-public", "/organisations",
             "/solutions", "/ressources", "/projets?page=2"]
    words = ["déchets", "dépôts sauvages", "chatbot", "cantine", "eau", "mobilité",
             "énergie", "vision par ordinateur", "dechets", "transport"]
    search = [f"/recherche?q={urllib.parse.quote(w)}" for w in words]
    search += [f"/projets?q={urllib.parse.quote(w)}" for w in words[:4]]
    queries = []
    root = os.path.join(os.path.dirname(__file__), "..", "data", "queries")
    for name in sorted(os.listdir(root)):
        if name.endswith(".rq"):
            with open(os.path.join(root, name), encoding="utf-8") as f:
                queries.append(f.read())
    sparql = [f"/sparql?query={urllib.parse.quote(q)}" for q in queries]
    writable = [p.replace("/page/", "/id/") for p in projets[:6]]
    conn.close()
    return {"page": pages, "liste": lists, "recherche": search, "sparql": sparql,
            "écriture": writable}


# Writes are rare on a catalogue (a few an hour); 2 % of a saturating load
# is already one every few tens of requests, each a new data version that
# the pages' caches and indexes follow.
MIX = [("page", 40), ("liste", 15), ("recherche", 15), ("sparql", 28), ("écriture", 2)]


class Client(threading.Thread):
    def __init__(self, n, base, paths, tok, stop, seed):
        super().__init__(daemon=True)
        self.netloc = urllib.parse.urlsplit(base).netloc
        self.paths, self.tok, self.stop = paths, tok, stop
        self.rng = random.Random(seed * 1000 + n)
        self.times = {k: [] for k, _ in MIX}
        self.errors = []
        self.conflicts = 0
        self.conn = None

    def connect(self):
        self.conn = http.client.HTTPConnection(self.netloc, timeout=60)

    def request(self, method, path, headers, body=None):
        for attempt in (1, 2):
            if self.conn is None:
                self.connect()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, r.getheader("etag"), data
            except (http.client.RemoteDisconnected, BrokenPipeError) as e:
                # A kept-alive connection the server closed while idle:
                # reopened once, as any client does.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise e
        raise RuntimeError("unreachable")

    def one(self, kind):
        path = self.rng.choice(self.paths[kind])
        if kind == "écriture":
            auth = {"Authorization": f"Bearer {self.tok}", "Accept": "text/turtle"}
            status, etag, body = self.request("GET", path, auth)
            if status != 200:
                return status, 200
            text = body.decode("utf-8")
            text = re.sub(r'(dcterms:title ")([^"]*?)( \(\d+\))?("@fr)',
                          lambda m: f'{m.group(1)}{m.group(2)} ({self.rng.randrange(1000)}){m.group(4)}',
                          text, count=1)
            status, _, _ = self.request("PUT", path, {
                "Authorization": f"Bearer {self.tok}", "Content-Type": "text/turtle",
                "If-Match": etag or ""}, text.encode("utf-8"))
            if status == 412:
                self.conflicts += 1
                return 200, 200
            return status, 200
        accept = ("application/sparql-results+json, text/turtle;q=0.9"
                  if kind == "sparql" else "text/html")
        status, _, _ = self.request("GET", path, {"Accept": accept})
        return status, 200

    def run(self):
        weights = [w for _, w in MIX]
        kinds = [k for k, _ in MIX]
        while not self.stop.is_set():
            kind = self.rng.choices(kinds, weights)[0]
            t = time.perf_counter()
            try:
                status, expected = self.one(kind)
            except Exception as e:  # refused, reset, timed out
                self.errors.append(f"{kind} : {type(e).__name__} {e}")
                self.conn = None
                continue
            self.times[kind].append(time.perf_counter() - t)
            if status != expected:
                self.errors.append(f"{kind} : statut {status}")


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"),
                                                  "release", "bibia"))
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--data", help="an existing data directory (default: a new one, seeded with the demo)")
    ap.add_argument("--base-iri", help="the base IRI of --data's store (default: the server's address)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--writes", type=float, default=2,
                    help="part of writes, in percent (taken from SPARQL's)")
    args = ap.parse_args()
    global MIX
    MIX = [(k, (w + 2 - args.writes) if k == "sparql" else (args.writes if k == "écriture" else w))
           for k, w in MIX]
    binary = shutil.which(args.bin) or args.bin
    data = args.data or tempfile.mkdtemp(prefix="bibia-charge-")
    port = free_port()
    proc, base = start(binary, data, port, args.base_iri)
    try:
        tok = token(binary, data, args.base_iri or base)
        paths = targets(base)
        print(f"bibia ({binary}) sur {base} ; {args.connections} connexions pendant "
              f"{args.seconds:.0f} s ; mélange : " +
              ", ".join(f"{k} {w} %" for k, w in MIX))
        print("chemins : " + ", ".join(f"{len(v)} {k}" for k, v in paths.items()))
        stop = threading.Event()
        clients = [Client(i, base, paths, tok, stop, args.seed) for i in range(args.connections)]
        started = time.perf_counter()
        for c in clients:
            c.start()
        time.sleep(args.seconds)
        stop.set()
        for c in clients:
            c.join(timeout=120)
        elapsed = time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        if not args.data:
            shutil.rmtree(data, ignore_errors=True)
    total = sum(len(c.times[k]) for c in clients for k, _ in MIX)
    errors = [e for c in clients for e in c.errors]
    conflicts = sum(c.conflicts for c in clients)
    print(f"\n{'requêtes':<12}{'nombre':>8}{'p50 ms':>10}{'p99 ms':>10}")
    everything = []
    for kind, _ in MIX:
        times = [t for c in clients for t in c.times[kind]]
        everything += times
        print(f"{kind:<12}{len(times):>8}{pct(times, 50):>10.1f}{pct(times, 99):>10.1f}")
    print(f"{'toutes':<12}{total:>8}{pct(everything, 50):>10.1f}{pct(everything, 99):>10.1f}")
    print(f"\ndébit : {total / elapsed:.0f} requêtes/s sur {elapsed:.1f} s ; "
          f"{conflicts} écriture(s) en conflit (412, attendu) ; {len(errors)} erreur(s)")
    for e in sorted(set(errors))[:20]:
        print(f"  ✗ {e} (×{errors.count(e)})")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
