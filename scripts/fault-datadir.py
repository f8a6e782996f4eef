#!/usr/bin/env python3
"""Fault test of the data directory (issue 18): a directory of another
version, damaged files of every kind, a full disk.

    CARGO_TARGET_DIR=… cargo build          # the script builds nothing
    scripts/fault-datadir.py [--bin PATH] [--keep] [--no-disk]

Each case starts from a copy of a small data directory (the model and the
regions, `bibia load`), or, for the cases that need `bibia serve`, of the
demo's; it damages one thing, runs the commands, and checks:

- **refused** (the source of truth, or something bibia cannot read: another
  layout in `FORMAT`, a store of a newer oxigraph, `full/`'s `CURRENT`,
  `MANIFEST` or tables, `etiquettes.cle`, `comptes/comptes.json`): exit code
  2, a French message naming the file, no panic, and the directory left as
  it was (RocksDB's own `LOG` files aside); a second try is refused alike
  (RocksDB must not have started an empty store over the old files);
- **rebuilt** (derived data: `public/` and its `PROJECTION` marker, the
  search index, the dumps): the command succeeds, says in its log what it
  rebuilt, and gives the same answers as before the damage.

The full-disk case (root only; skipped with a message when `mount` is not
permitted) mounts a small tmpfs, copies the demo's directory into it, fills
the rest with a file, and runs a `bibia load`, a `bibia import` and a series
of writes through the API: each must fail with « disque plein » and the
path (a write with 507), nothing half-written (the store reopens, its
export is conform to the shapes (`bibia validate`), and it holds exactly
the writes that were acknowledged); once the file is removed and the
service restarted, a load and writes succeed again.

Prints one line per case and ends with `N cas, 0 échec`, or the failures
and exit code 1. Python standard library only.
"""

import argparse
import glob
import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGIONS = os.path.join(ROOT, "data", "reference", "regions.ttl")
CSV = os.path.join(ROOT, "tests", "fixtures", "import", "public.csv")
PASSWORD = "un mot de passe assez long"
MODERATOR = "moderation@reseau.example"
BIA = "https://w3id.org/bibia/def#"


class Failures:
    def __init__(self):
        self.cases, self.failed = 0, []

    def case(self, name, problems):
        self.cases += 1
        if problems:
            self.failed.append((name, problems))
            print(f"ÉCHEC  {name}")
            for p in problems:
                print(f"       - {p}")
        else:
            print(f"ok     {name}")
        sys.stdout.flush()


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)


def snapshot(d):
    """Every file under d with its SHA-256, RocksDB's LOG files aside."""
    out = {}
    for path in glob.glob(os.path.join(d, "**"), recursive=True):
        if os.path.isfile(path) and not os.path.basename(path).startswith("LOG"):
            with open(path, "rb") as f:
                out[os.path.relpath(path, d)] = hashlib.sha256(f.read()).hexdigest()
    return out


def snapshot_diff(a, b):
    changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return changed[:6]


# --- RocksDB: one record appended to a write-ahead log (see tests/datadir.rs)

def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def set_storage_version(store, version):
    """Makes `store` what a later oxigraph would leave: its storage version
    key set to `version`, in a record RocksDB replays on opening."""
    logs = sorted((int(m.group(1)), f) for f in os.listdir(store)
                  if (m := re.fullmatch(r"(\d+)\.log", f)))
    number, name = logs[-1]
    key, value = b"oxversion", struct.pack(">Q", version)
    payload = struct.pack("<QI", 1 << 40, 1) + bytes([1, len(key)]) + key + bytes([len(value)]) + value
    body = bytes([5]) + struct.pack("<I", number) + payload
    crc = crc32c(body)
    masked = ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF
    with open(os.path.join(store, name), "ab") as f:
        f.write(struct.pack("<IH", masked, len(payload)) + body)


def garble(path, start=0, end=None, step=997):
    """Flips bytes of `path` from `start` to `end`, every `step`: the size
    stays, the checksums no longer match."""
    with open(path, "rb") as f:
        b = bytearray(f.read())
    end = len(b) if end is None else min(end, len(b))
    for i in range(start, end, step):
        b[i] ^= 0x5A
    with open(path, "wb") as f:
        f.write(b)


def largest(pattern):
    return max(glob.glob(pattern), key=os.path.getsize)


# --- the server

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, bin_path, data, env, log_path, port=None):
        self.bin, self.data, self.env, self.log_path = bin_path, data, env, log_path
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.proc = None
        self.seen = 0

    def start(self, timeout=300):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.bin, "serve", "--data-dir", self.data, "--bind", f"127.0.0.1:{self.port}",
                 "--base-iri", self.base], stdout=log, stderr=log, env=self.env)
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if self.proc.poll() is not None:
                return False
            try:
                if self.get("/healthz")[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        return False

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body, headers or {})
            r = c.getresponse()
            return r.status, r.read(), dict(r.getheaders())
        finally:
            c.close()

    def get(self, path, headers=None):
        return self.request("GET", path, None, headers)

    def stop(self):
        """SIGTERM; the exit code."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode if self.proc else None

    def new_log(self):
        with open(self.log_path, "rb") as f:
            f.seek(self.seen)
            text = f.read()
        self.seen += len(text)
        return text.decode("utf-8", "replace")


# --- the cases without a server

def refusal_problems(r, needles):
    problems = []
    if r.returncode != 2:
        problems.append(f"code de sortie {r.returncode} au lieu de 2 : {r.stderr[-400:]}")
    if "panicked" in r.stderr or "RUST_BACKTRACE" in r.stderr:
        problems.append(f"panique : {r.stderr[-400:]}")
    for n in needles:
        if n not in r.stderr:
            problems.append(f"« {n} » absent du message : {r.stderr.strip()[-500:]}")
    return problems


def refused_cases(args, env, work, base, failures):
    """The damages bibia must refuse, with the file named, nothing changed."""
    full, public = "full", "public"

    def sst(store, kind):
        return lambda d: kind(largest(os.path.join(d, store, "*.sst")))

    def manifest(store, how):
        return lambda d: how(glob.glob(os.path.join(d, store, "MANIFEST-*"))[0])

    def truncate(path):
        os.truncate(path, os.path.getsize(path) // 3)

    def write(rel, content):
        def damage(d):
            path = os.path.join(d, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
        return damage

    cases = [
        ("FORMAT d'une version plus récente", write("FORMAT", b"format 2\nbibia 9.0.0\n"),
         ["format 2", "format 1", "mettez bibia à jour"]),
        ("FORMAT d'une version plus ancienne", write("FORMAT", b"format 0\n"),
         ["format 0", "bibia load"]),
        ("FORMAT illisible", write("FORMAT", b"\x00\xffgarbage"), ["FORMAT est illisible"]),
        ("full/ écrite par un oxigraph plus récent",
         lambda d: set_storage_version(os.path.join(d, full), 3),
         ["autre format de stockage", "version 3"]),
        ("public/ écrite par un oxigraph plus récent",
         lambda d: set_storage_version(os.path.join(d, public), 3),
         ["autre format de stockage", "public"]),
        ("full/CURRENT illisible", write("full/CURRENT", b"n'importe quoi\n"),
         ["full/CURRENT", "endommagée", "bibia restore"]),
        ("full/CURRENT vide", write("full/CURRENT", b""), ["full/CURRENT", "endommagée"]),
        ("full/CURRENT absent", lambda d: os.remove(os.path.join(d, full, "CURRENT")),
         ["full/CURRENT", "absent"]),
        ("full/ effacée", lambda d: shutil.rmtree(os.path.join(d, full)),
         ["full/CURRENT", "absent"]),
        # RocksDB reads a truncated manifest as an older state of the store
        # and opens it: bibia sees fewer runs than the projection was made
        # from, and refuses.
        ("full/MANIFEST tronqué", manifest(full, truncate),
         ["full", "remplacés par de plus anciens", "PROJECTION"]),
        ("full/MANIFEST abîmé", manifest(full, lambda p: garble(p, 40, None, 13)),
         ["MANIFEST", "endommagée"]),
        ("full/ table SST tronquée", sst(full, truncate), [".sst", "endommagée"]),
        ("full/ table SST abîmée partout", sst(full, lambda p: garble(p)), [".sst", "endommagée"]),
        ("full/ table SST effacée", sst(full, os.remove), [".sst", "endommagée"]),
        ("etiquettes.cle abîmée", write("etiquettes.cle", b"trop court"),
         ["etiquettes.cle", "10 octets au lieu de 32"]),
        ("comptes.json abîmé", write("comptes/comptes.json", b'{"version": 1, "users": [{'),
         ["comptes.json", "illisible", "ligne 1"]),
        ("comptes.json d'une autre version", write("comptes/comptes.json", b'{"version": 9}'),
         ["comptes.json", "version 9"]),
    ]
    for name, damage, needles in cases:
        d = os.path.join(work, "cas")
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(base, d, symlinks=True)
        damage(d)
        before = snapshot(d)
        problems = []
        if "comptes" in name:
            commands = [["user", "list", "--data-dir", d], ["token", "list", "--data-dir", d]]
        else:
            # export twice: a second try must be refused alike.
            commands = [["export", "--data-dir", d, "--full"], ["export", "--data-dir", d, "--full"],
                        ["load", "--data-dir", d, REGIONS],
                        ["import", "interconnectes", "--data-dir", d, CSV],
                        ["reindex", "--data-dir", d]]
        if name.startswith("FORMAT"):
            commands.append(["user", "list", "--data-dir", d])
        for cmd in commands:
            r = run([args.bin] + cmd, env)
            problems += [f"bibia {cmd[0]} : {p}" for p in refusal_problems(r, needles)]
        srv = Server(args.bin, d, env, os.path.join(work, "cas.log"))
        if srv.start(timeout=30):
            srv.stop()
            problems.append("bibia serve a démarré")
        else:
            with open(srv.log_path, encoding="utf-8", errors="replace") as f:
                log = f.read()
            os.remove(srv.log_path)
            if srv.proc.returncode != 2:
                problems.append(f"bibia serve : code {srv.proc.returncode}")
            problems += [f"bibia serve : « {n} » absent" for n in needles if n not in log]
            if "panicked" in log:
                problems.append("bibia serve : panique")
        changed = snapshot_diff(before, snapshot(d))
        # RocksDB replays its log on opening, before oxigraph reads the
        # version: it writes the replayed records to a table (the same data).
        # A truncated manifest is only found wrong once the store is open,
        # and RocksDB has rewritten its files by then: said, not hidden.
        if changed and "MANIFEST tronqué" in name:
            print(f"       remarque : RocksDB a réécrit en l'ouvrant : {', '.join(changed)}")
        elif changed and "oxigraph" not in name:
            problems.append(f"dossier modifié : {', '.join(changed)}")
        failures.case(f"refusé : {name}", problems)


def read_time_case(args, env, work, base, failures):
    """A table damaged inside a data block: RocksDB opens the store (it
    reads only the tables' indexes then) and finds the damage, by its
    checksum, when the block is read: the command that reads it fails with
    the file named."""
    d = os.path.join(work, "cas")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(base, d)
    for path in glob.glob(os.path.join(d, "full", "*.sst")):
        if os.path.getsize(path) > 20000:
            garble(path, 3000, 5000, 7)
    r = run([args.bin, "export", "--data-dir", d, "--full"], env)
    problems = refusal_problems(r, ["base endommagée", ".sst"])
    failures.case("refusé à la lecture : blocs de données abîmés dans full/", problems)


def rebuilt_cases(args, env, work, base, failures):
    """Derived data: rebuilt, said in the log, same answers."""
    expected = run([args.bin, "export", "--data-dir", base], env).stdout

    def marker(content):
        def damage(d):
            with open(os.path.join(d, "public", "PROJECTION"), "wb") as f:
                f.write(content)
        return damage

    cases = [
        ("PROJECTION illisible", marker(b"douze"), "illisible"),
        ("PROJECTION vide", marker(b""), "illisible"),
        ("PROJECTION absent", lambda d: os.remove(os.path.join(d, "public", "PROJECTION")), "marqueur"),
        ("public/CURRENT illisible", lambda d: open(os.path.join(d, "public", "CURRENT"), "w").write("x"),
         "endommagée"),
        ("public/CURRENT vers un MANIFEST absent",
         lambda d: open(os.path.join(d, "public", "CURRENT"), "w").write("MANIFEST-999999\n"), "endommagée"),
        ("public/CURRENT absent", lambda d: os.remove(os.path.join(d, "public", "CURRENT")), "endommagée"),
        ("public/ table SST tronquée",
         lambda d: os.truncate(largest(os.path.join(d, "public", "*.sst")), 100), "endommagée"),
        ("public/MANIFEST abîmé",
         lambda d: garble(glob.glob(os.path.join(d, "public", "MANIFEST-*"))[0], 40, None, 13), "endommagée"),
        ("public/ effacée", lambda d: shutil.rmtree(os.path.join(d, "public")), "marqueur"),
    ]
    for name, damage, said in cases:
        d = os.path.join(work, "cas")
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(base, d)
        damage(d)
        problems = []
        r = run([args.bin, "export", "--data-dir", d], env)
        if r.returncode != 0:
            problems.append(f"code {r.returncode} : {r.stderr[-400:]}")
        elif r.stdout != expected:
            problems.append("la projection refaite diffère de l'originale")
        if said not in r.stderr or "refaite" not in r.stderr:
            problems.append(f"le journal ne dit pas la reconstruction : {r.stderr[-300:]}")
        again = run([args.bin, "export", "--data-dir", d], env)
        if "refaite" in again.stderr or again.stdout != expected:
            problems.append("refaite une seconde fois, ou différente")
        failures.case(f"refait : {name}", problems)


def search_hits(srv, q):
    status, body, _ = srv.get(f"/recherche?q={urllib.parse.quote(q)}", {"Accept": "application/json"})
    if status != 200:
        return status, None
    return status, json.loads(body)


def served_cases(args, env, work, demo, port, failures):
    """Derived files of `serve`: the search index and the dumps."""
    d = os.path.join(work, "servi")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(demo, d)
    srv = Server(args.bin, d, env, os.path.join(work, "servi.log"), port)
    if not srv.start():
        failures.case("serve : index de recherche et téléchargements", [f"démarrage : {srv.new_log()[-500:]}"])
        return
    _, before = search_hits(srv, "déchets")
    dumps = {}
    for name in ("bibia.nq.gz", "bibia.ttl.gz"):
        status, body, _ = srv.get(f"/dumps/{name}")
        dumps[name] = gzip.decompress(body) if status == 200 else None
    srv.stop()
    srv.new_log()
    cases = [
        ("index de recherche : meta.json abîmé",
         lambda: open(glob.glob(os.path.join(d, "search", "v*", "meta.json"))[0], "w").write("{pas du json"),
         "illisible"),
        ("index de recherche : meta.json absent",
         lambda: os.remove(glob.glob(os.path.join(d, "search", "v*", "meta.json"))[0]), "illisible"),
        ("index de recherche : segment tronqué",
         lambda: os.truncate(largest(os.path.join(d, "search", "v*", "*.idx")), 10), "illisible"),
        ("téléchargement abîmé (même taille)",
         lambda: garble(os.path.join(d, "dumps", "bibia.nq.gz"), 100, None, 101), "abîmé"),
        ("téléchargement tronqué",
         lambda: os.truncate(os.path.join(d, "dumps", "bibia.ttl.gz"), 1000), "incomplets"),
        ("description des téléchargements illisible",
         lambda: open(os.path.join(d, "dumps", "bibia-dumps.json"), "w").write("{"), "illisible"),
    ]
    for name, damage, said in cases:
        problems = []
        try:
            damage()
        except (IndexError, ValueError, OSError) as e:
            failures.case(f"refait par serve : {name}", [f"dommage impossible : {e}"])
            continue
        if not srv.start():
            failures.case(f"refait par serve : {name}", [f"démarrage : {srv.new_log()[-500:]}"])
            continue
        status, hits = search_hits(srv, "déchets")
        if status != 200 or hits != before:
            problems.append(f"recherche : {status}, résultats {'différents' if hits else 'absents'}")
        for dump, content in dumps.items():
            status, body, _ = srv.get(f"/dumps/{dump}")
            try:
                same = status == 200 and gzip.decompress(body) == content
            except (OSError, EOFError):
                same = False
            if not same:
                problems.append(f"/dumps/{dump} : {status}, pas le contenu d'origine")
        code = srv.stop()
        log = srv.new_log()
        if said not in log:
            problems.append(f"le journal ne dit pas « {said} »")
        if "panicked" in log or code != 0:
            problems.append(f"arrêt : code {code}, {log[-300:]}")
        failures.case(f"refait par serve : {name}", problems)


# --- the full disk

def use_case(base, title):
    return f"""@prefix bia: <{BIA}> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<> a bia:UseCase ;
  dcterms:title "{title}"@fr ;
  dcterms:description "Projet d'essai du disque plein : {'la fiche est écrite quand il ne reste plus de place. ' * 20}"@fr ;
  bia:ledBy <{base}id/organisation/ville-de-nantes> ;
  schema:startDate "2026-01-15"^^xsd:date ;
  adms:status <{base}id/concept/statut/en-deploiement> ;
  dcat:theme <{base}id/concept/theme/transition-ecologique-et-energetique> ;
  bia:audience <{base}id/concept/audience/grand-public> ;
  bia:budgetBand <{base}id/concept/budget/de-50k-a-100k> .
""".encode()


def fill(mount, leave):
    """Fills the file system at `mount` but `leave` bytes."""
    filler = os.path.join(mount, "remplissage")
    st = os.statvfs(mount)
    free = st.f_bavail * st.f_frsize
    with open(filler, "ab") as f:
        left = free - leave
        chunk = b"\0" * (1 << 20)
        while left > 0:
            try:
                f.write(chunk[:min(left, len(chunk))])
                f.flush()
            except OSError:
                break
            left -= min(left, len(chunk))
    return filler


def full_export_lines(args, env, d):
    r = run([args.bin, "export", "--data-dir", d, "--full", "--format", "nq"], env)
    return r.returncode, sorted(set(r.stdout.splitlines())), r.stderr


def full_disk_case(args, env, work, demo, port, failures):
    mount = os.path.join(work, "disque")
    os.makedirs(mount)
    # Twice the demo's directory: after a write acknowledged without its
    # projection, the restart rebuilds the projection beside the old one.
    size = 2 * sum(os.path.getsize(p) for p in glob.glob(os.path.join(demo, "**"), recursive=True)
                   if os.path.isfile(p)) + (48 << 20)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", mount],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(f"sauté  disque plein : mount refusé ({r.stderr.strip() or r.returncode}) ; "
              "lancez le script en root, dans un conteneur qui permet mount")
        return
    try:
        full_disk_rounds(args, env, work, mount, demo, port, failures)
    finally:
        subprocess.run(["umount", "-l", mount], capture_output=True)


def full_disk_rounds(args, env, work, mount, demo, port, failures):
    d = os.path.join(mount, "data")
    shutil.copytree(demo, d)
    shutil.rmtree(os.path.join(d, "dumps"), ignore_errors=True)
    base = f"http://127.0.0.1:{port}/"
    r = run([args.bin, "token", "create", MODERATOR, "--data-dir", d], env)
    token = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    # Data to load and import that take more room than is left.
    big = os.path.join(work, "gros.ttl")
    run([args.bin, "generate", "--projects", "3000", "--output", big], env)
    _, reference, _ = full_export_lines(args, env, d)

    def disk_full_problems(r, what, filler):
        problems = refusal_problems(r, ["disque plein", mount])
        # Reopened with room (opening a store writes a few files).
        os.remove(filler)
        code, lines, err = full_export_lines(args, env, d)
        if code != 0:
            problems.append(f"après {what}, la base ne s'ouvre plus : {err[-300:]}")
        elif lines != reference:
            problems.append(f"après {what}, la base a changé ({len(lines)} quads au lieu de {len(reference)})")
        return problems

    # 1. bibia load, 2. bibia import, on a disk with 256 KiB left.
    filler = fill(mount, 256 << 10)
    r = run([args.bin, "load", "--rebase", "--data-dir", d, big], env)
    failures.case("disque plein : bibia load", disk_full_problems(r, "le chargement", filler))
    filler = fill(mount, 256 << 10)
    r = run([args.bin, "import", "interconnectes", "--data-dir", d, CSV], env)
    failures.case("disque plein : bibia import", disk_full_problems(r, "l'import", filler))

    # 3. Writes through the API while the disk fills.
    srv = Server(args.bin, d, env, os.path.join(work, "disque.log"), port)
    if not srv.start():
        failures.case("disque plein : écritures par l'API", [f"démarrage : {srv.new_log()[-500:]}"])
        return
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
    filler = fill(mount, 512 << 10)
    answers = []
    problems = []
    for i in range(400):
        title = f"Essai disque plein {i}"
        try:
            status, body, _ = srv.request("POST", "/id/projet/", use_case(base, title), auth)
        except OSError as e:
            status, body = None, str(e).encode()
        answers.append((title, status))
        if status not in (201, 507):
            problems.append(f"écriture {i} : {status} {body[:200]!r}")
        elif status == 507 and ("disque plein" not in body.decode() or mount not in body.decode()):
            problems.append(f"écriture {i} : 507 sans « disque plein » ni le chemin : {body[:300]!r}")
        if sum(1 for _, s in answers if s == 507) >= 20:
            break
    acked = [t for t, s in answers if s == 201]
    refused = [t for t, s in answers if s == 507]
    if not refused:
        problems.append("aucune écriture refusée : le disque n'a pas été plein")
    code = srv.stop()
    if code != 0:
        problems.append(f"arrêt : code {code}")
    os.remove(filler)
    # Restarted with room: exactly the acknowledged writes, whole, public.
    if not srv.start():
        problems.append(f"redémarrage : {srv.new_log()[-500:]}")
        failures.case("disque plein : écritures par l'API", problems)
        return
    for title, status in answers:
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        got, body, _ = srv.get(f"/data/projet/{slug}.nt")
        if status == 201 and (got != 200 or title.encode() not in body):
            problems.append(f"« {title} » acquittée mais absente ({got})")
        if status != 201 and got != 404:
            problems.append(f"« {title} » refusée ({status}) mais présente ({got})")
    # And it writes again.
    status, body, _ = srv.request("POST", "/id/projet/", use_case(base, "Essai après le disque plein"), auth)
    if status != 201:
        problems.append(f"écriture après avoir libéré la place : {status} {body[:200]!r}")
    log = srv.new_log()
    if "panicked" in log:
        problems.append("panique dans le journal du service")
    srv.stop()
    failures.case(f"disque plein : écritures par l'API ({len(acked)} acquittées, "
                  f"{len(refused)} refusées en 507)", problems)

    # 4. The store validates, and loads again with room.
    export = os.path.join(work, "export.nq")
    with open(export, "w") as f:
        code = subprocess.run([args.bin, "export", "--data-dir", d, "--full", "--format", "nq"],
                              stdout=f, stderr=subprocess.DEVNULL, env=env).returncode
    problems = [] if code == 0 else [f"export : code {code}"]
    r = run([args.bin, "validate", "--base-iri", base, export], env)
    if r.returncode != 0:
        problems.append(f"bibia validate : code {r.returncode} {r.stderr[-300:]}")
    r = run([args.bin, "load", "--data-dir", d, REGIONS], env)
    if r.returncode != 0:
        problems.append(f"bibia load avec de la place : {r.stderr[-300:]}")
    failures.case("disque plein : après avoir libéré la place, la base est conforme et se charge", problems)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    ap.add_argument("--bin", default=os.path.join(target, "debug", "bibia"))
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    ap.add_argument("--no-disk", action="store_true", help="skip the full-disk case")
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"pas de binaire exécutable {args.bin} : construisez bibia (cargo build) ou passez --bin")
    began = time.monotonic()
    work = tempfile.mkdtemp(prefix="bibia-fault-datadir-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIBIA_")}
    env["BIBIA_PASSWORD"] = PASSWORD
    env["BIBIA_LOG"] = "info"
    failures = Failures()
    try:
        base = os.path.join(work, "base")
        r = run([args.bin, "load", "--data-dir", base, REGIONS], env)
        if r.returncode:
            sys.exit(f"bibia load : {r.stderr}")
        refused_cases(args, env, work, base, failures)
        read_time_case(args, env, work, base, failures)
        rebuilt_cases(args, env, work, base, failures)
        # The demo's directory, made once by serve (model, territories, demo).
        demo = os.path.join(work, "demo")
        r = run([args.bin, "user", "add", MODERATOR, "--moderator", "--name", "Modération",
                 "--data-dir", demo], env)
        if r.returncode:
            sys.exit(f"bibia user add : {r.stderr}")
        port = free_port()
        srv = Server(args.bin, demo, env, os.path.join(work, "demo.log"), port)
        if not srv.start():
            sys.exit(f"bibia serve : {srv.new_log()[-800:]}")
        srv.get("/recherche?q=d%C3%A9chets")
        for _ in range(600):
            if srv.get("/dumps/bibia.ttl.gz")[0] == 200:
                break
            time.sleep(0.1)
        srv.stop()
        served_cases(args, env, work, demo, port, failures)
        if args.no_disk:
            print("sauté  disque plein : --no-disk")
        else:
            full_disk_case(args, env, work, demo, port, failures)
    finally:
        if args.keep or failures.failed:
            print(f"dossier de travail gardé : {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{failures.cases} cas, {len(failures.failed)} échec(s), en {time.monotonic() - began:.0f} s")
    sys.exit(1 if failures.failed else 0)


if __name__ == "__main__":
    main()
