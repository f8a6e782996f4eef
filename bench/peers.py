"""The servers and loaders `bench/run` measures, and how it measures them.

Every process is started on 127.0.0.1 at a port chosen at run time, with its
data under the run's temporary directory, and is stopped by its own process
id when the run ends (`stop_all`, also called on SIGTERM and at exit).

Two measures are taken the same way for everything:

* a command that runs to its end (`timed`): wall time and peak resident
  memory, read from `wait4` (the kernel's `ru_maxrss`);
* a server (`Server`): the time from launch to the first `200` on a path,
  and its peak resident memory (`VmHWM` in `/proc/PID/status`) just before
  it is stopped.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass

BASE = "http://localhost:8080/"
# Every process started here, so that a run never leaves one behind.
RUNNING: list[subprocess.Popen] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def stop_all() -> None:
    for p in list(RUNNING):
        if p.poll() is None:
            p.terminate()
    for p in list(RUNNING):
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    RUNNING.clear()


@dataclass
class Timed:
    seconds: float
    rss_kb: int
    code: int


def timed(cmd: list[str], log: str, ok=(0,), env: dict | None = None, cwd: str | None = None) -> Timed:
    """Runs `cmd` to its end, its output appended to `log`; wall time and peak RSS.

    The peak comes from GNU time (`%M`, from wait4) rather than from this
    process's own wait4: a child forked from a large Python process starts
    with that process's high-water mark, which exec keeps."""
    say("  $", " ".join(cmd))
    fd, rss_file = tempfile.mkstemp(prefix="rss-", dir=os.path.dirname(log))
    os.close(fd)
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        started = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-q", "-f", "%M", "-o", rss_file, *cmd], stdout=out,
                             stderr=subprocess.STDOUT, env=env, cwd=cwd)
        RUNNING.append(p)
        p.wait()
        elapsed = time.perf_counter() - started
    RUNNING.remove(p)
    with open(rss_file) as f:
        numbers = [line for line in f.read().split() if line.isdigit()]
    os.remove(rss_file)
    if p.returncode not in ok:
        tail = open(log, encoding="utf-8", errors="replace").read()[-3000:]
        raise RuntimeError(f"{cmd[0]} exited with {p.returncode}:\n{tail}")
    return Timed(elapsed, int(numbers[-1]) if numbers else 0, p.returncode)


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """A server process: launched, timed to its first 200, measured, stopped."""

    def __init__(self, name: str, cmd: list[str], port: int, ready: str, log: str,
                 env: dict | None = None, headers: dict[str, str] | None = None):
        self.name, self.cmd, self.port, self.ready, self.log = name, cmd, port, ready, log
        self.env, self.headers = env, headers or {}
        self.proc: subprocess.Popen | None = None
        self.startup = 0.0
        self.rss_kb = 0

    def start(self, timeout: float = 900, then: str | None = None) -> "Server":
        """Launches the server; `startup` is the time to the first 200 on
        its ready path. With `then`, also waits (not counted) for a 200 on
        that path: bibia's `/readyz`, once its indexes and the examples'
        answers are made, before anything is measured on it."""
        say("  $", " ".join(self.cmd))
        with open(self.log, "ab") as out:
            started = time.perf_counter()
            self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.STDOUT, env=self.env)
        RUNNING.append(self.proc)
        self.startup = self.wait(self.ready, started, timeout)
        if then:
            self.wait(then, started, timeout)
        return self

    def wait(self, path: str, since: float, timeout: float = 900) -> float:
        """Seconds from `since` to the first 200 on `path`."""
        deadline = since + timeout
        while time.perf_counter() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                tail = open(self.log, encoding="utf-8", errors="replace").read()[-2000:]
                raise RuntimeError(f"{self.name} stopped before answering:\n{tail}")
            try:
                status, _ = get(self.port, path, self.headers, timeout=60)
                if status == 200:
                    return time.perf_counter() - since
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer 200 on {path} within {timeout:.0f} s")

    def stop(self) -> int:
        """Stops the server; returns its peak RSS in KiB."""
        if self.proc is None:
            return self.rss_kb
        self.rss_kb = max(self.rss_kb, peak_rss_kb(self.proc.pid))
        self.shutdown()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc in RUNNING:
            RUNNING.remove(self.proc)
        self.proc = None
        return self.rss_kb

    def shutdown(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)


def bibia_serve(bibia: str, data: str, log: str, extra: list[str] = ()) -> Server:
    port = free_port()
    cmd = [bibia, "serve", "--data-dir", data, "--base-iri", BASE, "--bind", f"127.0.0.1:{port}",
           "--query-timeout", "900", "--max-rows", "10000000", *extra]
    return Server("bibia", cmd, port, "/healthz", log, env=dict(os.environ, BIBIA_LOG="warn"))


def oxigraph_serve(location: str, log: str) -> Server:
    port = free_port()
    cmd = ["oxigraph", "serve", "--location", location, "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return Server("oxigraph", cmd, port, "/query?query=ASK%7B%7D", log)


VIRTUOSO_INI = """\
; Written by bench/run: a throw-away database under the run's directory,
; listening on 127.0.0.1 only.
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 100
CheckpointInterval = 60
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
DirsAllowed = ., {load_dir}
UseAIO = 0
ThreadsPerQuery = {cores}
MaxQueryMem = 2G
VADInstallDir = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 80
MaxKeepAlives = 80
KeepAliveTimeout = 30

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


class Virtuoso(Server):
    """Virtuoso Open Source (Debian's virtuoso-t), its own database in `dir`."""

    def __init__(self, dir: str, load_dir: str, log: str):
        os.makedirs(dir, exist_ok=True)
        self.dir, self.load_dir = dir, load_dir
        self.sql_port = free_port()
        http_port = free_port()
        ini = os.path.join(dir, "virtuoso.ini")
        with open(ini, "w") as f:
            f.write(VIRTUOSO_INI.format(dir=dir, load_dir=load_dir, sql_port=self.sql_port,
                                        http_port=http_port, cores=os.cpu_count() or 2))
        super().__init__("virtuoso", ["virtuoso-t", "-c", ini, "+foreground"], http_port,
                         "/sparql?query=ASK%7B%7D", log)

    def isql(self, sql: str, log: str) -> Timed:
        return timed(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"], log)

    def bulk_load(self, pattern: str, log: str) -> Timed:
        """Virtuoso's bulk loader over the files of `load_dir`, then a checkpoint."""
        return self.isql(f"ld_dir('{self.load_dir}', '{pattern}', '{BASE}bench-default'); "
                         "rdf_loader_run(); checkpoint;", log)

    def load_errors(self, log: str) -> str:
        out = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba",
                              "exec=select ll_file, ll_error from DB.DBA.LOAD_LIST where ll_error is not null;"],
                             capture_output=True, text=True)
        with open(log, "a") as f:
            f.write(out.stdout)
        return "" if "0 Rows" in out.stdout else out.stdout

    def shutdown(self) -> None:
        subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", "exec=shutdown;"],
                       capture_output=True, timeout=120)


def sparql_get_path(server: str, query: str) -> str:
    """The GET path of a query on each server's endpoint."""
    endpoint = {"bibia": "/sparql", "oxigraph": "/query", "virtuoso": "/sparql"}[server]
    return f"{endpoint}?query=" + urllib.parse.quote(query, safe="")


def installed(cmd: str) -> bool:
    return shutil.which(cmd) is not None
