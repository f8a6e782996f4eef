#!/usr/bin/env python3
"""Benchmark of a cached entity page (issue 14).

Three servers answer the same use case, one after the other, to `wrk` with
64 connections kept alive:

  * bibia: `GET --path` (the use-case page by default) with
    `Accept: text/html` and, unless --no-gzip, `Accept-Encoding: gzip`,
    once fetched beforehand so that it is cached;
  * oxigraph: `oxigraph serve --union-default-graph` loaded with bibia's
    public projection (`bibia export`), `GET /query?query=DESCRIBE <IRI>`
    with `Accept: text/turtle`;
  * static: bench/static-page, a minimal axum server answering the exact
    bytes bibia's page gave the client (gzip data when gzip is asked for:
    it serves them as they are, without compressing), with the same
    request headers as bibia.

Only one server is under load at a time; each round runs the three in turn,
in alternating order, and the table shows per server the median
requests/s of the rounds, their spread, the median p50 and p99 latencies
(wrk --latency), the bytes of an answer, the CPU used by the server, by wrk
and by the rest of the machine (the 2 cores are shared), and the errors
(non-2xx/3xx answers, socket errors). Then the ratios against the targets:
bibia >= 5 x oxigraph and bibia >= 0.5 x static. Exit code 1 when a target
is missed or a run had errors, 2 when a server does not start or the page
does not answer 200.

Loopback only; data in a temporary directory under /tmp.

Usage:
  python3 bench/pages.py                       # builds, then 3 rounds of 10 s
  python3 bench/pages.py --no-build --path /sparql --duration 5 --repeat 5
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from typing import NamedTuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATIC_MANIFEST = os.path.join(ROOT, "bench", "static-page", "Cargo.toml")
BASE = "http://localhost:8080/"
PAGE = "/page/projet/metropole-de-lyon-chatbot-dechets"
ENTITY = "id/projet/metropole-de-lyon-chatbot-dechets"
TICKS = os.sysconf("SC_CLK_TCK")

# Every process this script starts, ended on the way out whatever happens.
CHILDREN: list[subprocess.Popen] = []


def stop_children() -> None:
    for p in CHILDREN:
        if p.poll() is None:
            p.terminate()
    for p in CHILDREN:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    CHILDREN.clear()


def on_signal(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def start(cmd: list[str], log: str, **kw) -> subprocess.Popen:
    print("  $", " ".join(cmd), file=sys.stderr)
    with open(log, "ab") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, **kw)
    CHILDREN.append(p)
    return p


def stop(p: subprocess.Popen) -> None:
    p.terminate()
    p.wait(timeout=30)
    CHILDREN.remove(p)


def run(cmd: list[str], **kw) -> None:
    print("  $", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kw)


def output(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def wrk_version() -> str:
    m = re.search(r"^wrk (\S+)", output(["wrk", "-v"]), re.M)
    return m.group(1) if m else "?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(p: subprocess.Popen, port: int, path: str, log: str, timeout: float = 600.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if p.poll() is not None:
            tail = open(log, encoding="utf-8", errors="replace").read()[-2000:]
            raise RuntimeError(f"{p.args[0]} stopped with code {p.returncode}:\n{tail}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            if c.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port} after {timeout:.0f} s")


class Answer(NamedTuple):
    status: int
    encoding: str
    body: bytes


def fetch(port: int, path: str, headers: dict[str, str]) -> Answer:
    """One GET; http.client decodes nothing, so the body is the bytes sent."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", path, headers=headers)
        r = c.getresponse()
        return Answer(r.status, r.getheader("Content-Encoding") or "identity", r.read())
    finally:
        c.close()


def cpu_seconds(pid: int) -> float:
    """User + system time of a running process, all its threads."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_seconds() -> float:
    """CPU time the whole machine has used since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in f.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / TICKS


def machine_busy(seconds: float = 2.0) -> float:
    """How many cores the machine keeps busy, measured over `seconds`."""
    before = machine_seconds()
    time.sleep(seconds)
    return (machine_seconds() - before) / seconds


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("Installation de wrk (paquet Debian)", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    run([*sudo, "apt-get", "update", "-qq"])
    run([*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "wrk"],
        stdout=subprocess.DEVNULL)


def ensure_oxigraph() -> None:
    if shutil.which("oxigraph"):
        return
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "oxigraph"]
    if subprocess.run(pip).returncode != 0:
        run([*pip, "--break-system-packages"])


def target_dir(manifest: str) -> str:
    """Where cargo puts this manifest's builds (CARGO_TARGET_DIR or its config)."""
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps", "--manifest-path", manifest],
        capture_output=True, text=True, check=True,
    )
    return json.loads(meta.stdout)["target_directory"]


# wrk prints its latencies with a unit, and its "done" hook gives the exact
# byte count that the summary rounds.
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
DONE_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("bench-pages: requests %d bytes %d\\n", summary.requests, summary.bytes))
end
"""


def parse_wrk(text: str) -> dict:
    def ms(value: str) -> float:
        m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
        if not m:
            raise ValueError(f"wrk latency {value!r}")
        return float(m.group(1)) * UNITS[m.group(2)]

    dist = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", text, re.M))
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    done = re.search(r"^bench-pages: requests (\d+) bytes (\d+)", text, re.M)
    if not (rate and done and "50" in dist and "99" in dist):
        raise RuntimeError(f"unexpected wrk output:\n{text}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    requests, nbytes = int(done.group(1)), int(done.group(2))
    errors = []
    if non2xx:
        errors.append(f"{non2xx.group(1)} non-2xx/3xx")
    if sock:
        for kind, n in zip(("connect", "read", "write", "timeout"), sock.groups()):
            if int(n):
                errors.append(f"{n} {kind}")
    return {
        "rate": float(rate.group(1)),
        "p50": ms(dist["50"]),
        "p99": ms(dist["99"]),
        "bytes": nbytes / max(requests, 1),
        "errors": errors,
    }


class Target:
    """A server under test: what wrk asks it and the process that answers."""

    def __init__(self, name: str, proc: subprocess.Popen, port: int, path: str, headers: dict[str, str]):
        self.name, self.proc, self.port, self.path, self.headers = name, proc, port, path, headers
        self.runs: list[dict] = []

    def wrk(self, args, seconds: float, lua: str) -> dict:
        cmd = ["wrk", "--latency", "-t", str(args.threads), "-c", str(args.connections),
               "-d", f"{seconds:g}s", "-s", lua]
        for k, v in self.headers.items():
            cmd += ["-H", f"{k}: {v}"]
        cmd.append(f"http://127.0.0.1:{self.port}{self.path}")
        server_before = cpu_seconds(self.proc.pid)
        machine_before = machine_seconds()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        CHILDREN.append(p)
        text, _ = p.communicate()
        CHILDREN.remove(p)
        elapsed = time.perf_counter() - started
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        machine = machine_seconds() - machine_before
        if p.returncode != 0:
            raise RuntimeError(f"wrk exited with {p.returncode}:\n{text}")
        with open(os.path.join(os.path.dirname(lua), f"wrk-{self.name}.txt"), "a") as f:
            f.write(f"$ {' '.join(cmd)}\n{text}\n")
        result = parse_wrk(text)
        result["server_cpu"] = (cpu_seconds(self.proc.pid) - server_before) / elapsed
        result["wrk_cpu"] = (children.ru_utime + children.ru_stime
                             - children_before.ru_utime - children_before.ru_stime) / elapsed
        # Whatever else ran meanwhile: other programs, the idle servers, and
        # the kernel's ksoftirqd threads (loopback TCP at high rates).
        result["other_cpu"] = max(0.0, machine / elapsed - result["server_cpu"] - result["wrk_cpu"])
        return result


def prepare(args, work: str) -> tuple[list[Target], dict]:
    """Builds the data, starts the three servers and checks their answers."""
    env = dict(os.environ, BIBIA_LOG="warn")
    data = os.path.join(work, "bibia-data")
    dump = os.path.join(work, "public.nq")
    ox = os.path.join(work, "oxigraph")
    log = os.path.join(work, "servers.log")

    # A first start seeds the store (demo); then, the store unlocked, export.
    port = free_port()
    serve = [args.bibia, "serve", "--data-dir", data, "--base-iri", BASE]
    p = start([*serve, "--bind", f"127.0.0.1:{port}"], log, env=env)
    wait_ready(p, port, "/healthz", log)
    stop(p)
    run([args.bibia, "export", "--data-dir", data, "--base-iri", BASE, "--format", "nq", "-o", dump])
    quads = sum(1 for _ in open(dump, encoding="utf-8"))
    run(["oxigraph", "load", "--location", ox, "--file", dump], stdout=subprocess.DEVNULL)

    bibia_port = free_port()
    bibia = start([*serve, "--bind", f"127.0.0.1:{bibia_port}"], log, env=env)
    wait_ready(bibia, bibia_port, "/readyz", log)
    page_headers = {"Accept": "text/html"}
    if args.gzip:
        page_headers["Accept-Encoding"] = "gzip"
    first = fetch(bibia_port, args.path, page_headers)
    if first.status != 200:
        raise RuntimeError(f"bibia answers {first.status} on {args.path}: choose another page with --path")
    body = fetch(bibia_port, args.path, page_headers)
    if body.body != first.body:
        print(f"note: the second answer on {args.path} differs from the first", file=sys.stderr)
    if args.gzip and body.encoding != "gzip":
        print(f"note: bibia answers {args.path} with Content-Encoding {body.encoding}, not gzip", file=sys.stderr)
    page_file = os.path.join(work, "page.body")
    with open(page_file, "wb") as f:
        f.write(body.body)

    ox_port = free_port()
    oxigraph = start(["oxigraph", "serve", "--location", ox, "--bind", f"127.0.0.1:{ox_port}",
                      "--union-default-graph"], log)
    wait_ready(oxigraph, ox_port, "/query?query=ASK%7B%7D", log)
    describe = "/query?query=" + urllib.parse.quote(f"DESCRIBE <{BASE}{args.entity}>", safe="")
    turtle = fetch(ox_port, describe, {"Accept": "text/turtle"})
    if turtle.status != 200 or not turtle.body.strip():
        raise RuntimeError(f"oxigraph answers {turtle.status} with {len(turtle.body)} bytes to {describe}")

    static_port = free_port()
    static = start([args.static_page, page_file, "--bind", f"127.0.0.1:{static_port}"], log)
    wait_ready(static, static_port, "/", log)
    copy = fetch(static_port, args.path, page_headers)
    if copy.body != body.body:
        raise RuntimeError("the static server does not answer the page's bytes")

    info = {
        "quads": quads,
        "encoding": body.encoding,
        "sizes": {"bibia": len(body.body), "oxigraph": len(turtle.body), "static": len(copy.body)},
    }
    targets = [
        Target("bibia", bibia, bibia_port, args.path, page_headers),
        Target("oxigraph", oxigraph, ox_port, describe, {"Accept": "text/turtle"}),
        Target("static", static, static_port, args.path, page_headers),
    ]
    return targets, info


def spread(values: list[float]) -> str:
    return f"{min(values):.0f}-{max(values):.0f}"


def report(args, targets: list[Target], info: dict) -> bool:
    """Prints the table, the ratios and the versions; True when all passed."""
    headers = ", ".join(f"{k}: {v}" for k, v in targets[0].headers.items())
    print(f"\n## cached page {args.path} ({headers}), {args.connections} connections, "
          f"{args.threads} wrk threads, {args.repeat} x {args.duration:g} s per server")
    print(f"demo data: {info['quads']} public quads; bibia's page: {info['sizes']['bibia']} bytes "
          f"({info['encoding']}), oxigraph's DESCRIBE: {info['sizes']['oxigraph']} bytes of Turtle, "
          f"static page: {info['sizes']['static']} bytes as they are")
    print(f"\n{'server':<9} {'req/s':>9} {'min-max':>13} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'bytes/answer':>12} {'CPU: server':>11} {'wrk':>5} {'other':>5}  errors")
    rates, clean = {}, True
    for t in targets:
        def med(key: str, runs=t.runs) -> float:
            return statistics.median(r[key] for r in runs)

        rates[t.name] = med("rate")
        errors = [f"round {i + 1}: " + ", ".join(r["errors"]) for i, r in enumerate(t.runs) if r["errors"]]
        clean &= not errors
        print(f"{t.name:<9} {med('rate'):>9.0f} {spread([r['rate'] for r in t.runs]):>13} "
              f"{med('p50'):>7.2f} {med('p99'):>7.2f} {med('bytes'):>12.0f} "
              f"{med('server_cpu') * 100:>10.0f}% {med('wrk_cpu') * 100:>4.0f}% {med('other_cpu') * 100:>4.0f}%  "
              f"{'; '.join(errors) if errors else 'none'}")
    print(f"(medians of the rounds; bytes/answer with headers; CPU: 100% is one core of {os.cpu_count()}, "
          "shared by the server, wrk and the rest: other programs, the kernel's ksoftirqd)")
    passed = clean
    print()
    for other, target in (("oxigraph", 5.0), ("static", 0.5)):
        ratio = rates["bibia"] / rates[other]
        ok = ratio >= target
        passed &= ok
        print(f"bibia / {other:<9} {ratio:6.2f}  (target >= {target:g})  {'PASS' if ok else 'FAIL'}")
    if not clean:
        print("FLAGGED: some runs had errors (see the errors column); their figures are not valid")

    rev = output(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    if output(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"]):
        rev += " (modified)"
    cpu = re.search(r"^model name\s*:\s*(.+)$", open("/proc/cpuinfo").read(), re.M)
    print(f"\nbibia {rev} ({output([args.bibia, '--version'])}), {output(['oxigraph', '--version'])}, "
          f"wrk {wrk_version()}, "
          f"{os.cpu_count()} cores ({cpu.group(1) if cpu else '?'}), "
          f"{info['busy'] * 100:.0f}% of a core busy just before the run")
    return passed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", default=PAGE, help=f"bibia's page (default {PAGE})")
    ap.add_argument("--entity", default=ENTITY,
                    help=f"the entity oxigraph DESCRIBEs, relative to {BASE} (default {ENTITY})")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of one wrk run")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of an unmeasured wrk run per server first")
    ap.add_argument("--repeat", type=int, default=3, help="rounds, the servers in alternating order")
    ap.add_argument("--gzip", action=argparse.BooleanOptionalAction, default=True,
                    help="send Accept-Encoding: gzip to bibia and the static server (default on)")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--bibia", help="bibia binary (default: cargo's target directory)")
    ap.add_argument("--static-page", help="static-page binary (default: cargo's target directory)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directory (data, page, server log, wrk's outputs)")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    atexit.register(stop_children)
    if not args.no_build:
        run(["cargo", "build", "--release", "--locked"], cwd=ROOT)
        run(["cargo", "build", "--release", "--locked", "--manifest-path", STATIC_MANIFEST])
    args.bibia = args.bibia or os.path.join(target_dir(os.path.join(ROOT, "Cargo.toml")), "release", "bibia")
    args.static_page = args.static_page or os.path.join(target_dir(STATIC_MANIFEST), "release", "static-page")
    for binary in (args.bibia, args.static_page):
        if not os.access(binary, os.X_OK):
            print(f"{binary} is missing: run without --no-build", file=sys.stderr)
            return 2
    ensure_wrk()
    ensure_oxigraph()

    work = tempfile.mkdtemp(prefix="bibia-pages-", dir="/tmp")
    try:
        targets, info = prepare(args, work)
        info["busy"] = machine_busy()
        lua = os.path.join(work, "done.lua")
        with open(lua, "w") as f:
            f.write(DONE_LUA)
        if args.warmup > 0:
            for t in targets:
                print(f"== warm-up {t.name}", file=sys.stderr)
                t.wrk(args, args.warmup, lua)
        for i in range(args.repeat):
            for t in targets if i % 2 == 0 else reversed(targets):
                r = t.wrk(args, args.duration, lua)
                print(f"== round {i + 1} {t.name}: {r['rate']:.0f} req/s, p99 {r['p99']:.2f} ms"
                      + (f", ERRORS {', '.join(r['errors'])}" if r["errors"] else ""), file=sys.stderr)
                t.runs.append(r)
        return 0 if report(args, targets, info) else 1
    except (RuntimeError, subprocess.CalledProcessError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        stop_children()
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
