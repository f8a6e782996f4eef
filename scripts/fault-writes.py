#!/usr/bin/env python3
"""Fault test of the write path (issue 17): `bibia serve` is killed with
SIGKILL while clients write through the write API, restarted on the same
data directory, and checked.

    CARGO_TARGET_DIR=… cargo build          # the script builds nothing
    scripts/fault-writes.py [--bin PATH] [--rounds 20] [--seed S] [--clients 3]

Set-up: a temporary data directory, a moderator account and its token
(`bibia user add`, `bibia token create`), then `bibia serve` (the first start
loads the model, the territories and the demo). Each round:

1. `--clients` threads write as fast as they can on kept-alive connections:
   creations of use cases with unique titles (`POST /id/projet/`), `PUT`s
   that change the title of records created earlier (this round or before,
   with `If-Match`), and a few `DELETE`s (withdrawals). Each thread owns its
   records, so the writes to one record are sent one after the other.
2. After a random delay (0.1–1.5 s) the server gets SIGKILL. Every write
   answered 2xx is an acknowledged write: the record must now hold its
   title (creation, `PUT`) or be withdrawn (`DELETE`).
3. The server is restarted on the same directory and every record ever
   written (acknowledged or not) is read back with the token:
   - an acknowledged write must be there. A later write to the same record
     that got no answer (in flight at the kill) may also have landed: the
     record may hold the state of the last acknowledged write or of a write
     sent after it and never answered, nothing else (a write answered with
     an error must not have landed);
   - no record is half-written: each is absent (404), or exactly the use
     case that was sent (title, description, theme, status, organisation,
     audience, start date, budget band: nothing missing, nothing left
     over), or exactly the tombstone of a withdrawal;
   - the public projection agrees with the full store: `/page/projet/…` and
     `/data/projet/….nt` answer 200 for a live record, 410 for a withdrawn
     one, 404 for an absent one; the data document and a SPARQL query over
     every test record give exactly the record's public triples (all but
     the restricted `bia:budgetBand`), or the tombstone; the full-text
     search finds a live record by its title and no longer finds the
     others;
   - the server's log holds no panic.
4. At the end the server is stopped with SIGTERM (it must exit 0), the full
   store is exported (`bibia export --full --format nq`), each test record's
   graph in it compared with what was read over HTTP, and the file given to
   `bibia validate`, which must find it conform.

Prints one line per round (writes sent, acknowledged, checked) and ends
with `0 incohérence sur N tours`, or the list of inconsistencies and exit
code 1. The data directory is removed, unless something failed or `--keep`
is given. Temporary files that the kills leave behind are counted in a
remark (not an inconsistency). Loopback only; Python standard library only.

SIGKILL is a crash of the process: what it had handed to the kernel
survives it. A power cut (data in the page cache lost) is not simulated.
"""

import argparse
import html
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "un mot de passe assez long"
MODERATOR = "moderation@reseau.example"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
BIA = "https://w3id.org/bibia/def#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
DESCRIPTION = "Projet d'essai des pannes : la fiche est écrite pendant que le serveur peut être tué."
WITHDRAWN_NOTICE = re.compile(
    r"Fiche retirée le \d{4}-\d{2}-\d{2} à la demande de l'équipe de la bibliothèque\.")

ABSENT = ("absente",)


def live(title):
    return ("vivante", title)


def withdrawn(label):
    return ("retirée", label)


def describe(state):
    if state == ABSENT:
        return "absente"
    return f"{state[0]} « {state[1]} »"


def slug(text):
    """The port of `bibia::iri::slug`: the IRI minted from a title."""
    out = ""
    dash = False
    for c in unicodedata.normalize("NFKD", text):
        if c.isascii() and c.isalnum():
            if dash and out:
                out += "-"
            dash = False
            out += c.lower()
        elif not unicodedata.combining(c):
            dash = True
        if len(out) >= 80:
            break
    return out.rstrip("-") or "sans-nom"


# --- RDF terms, compared as tuples: ("iri", v) or ("lit", value, lang, datatype)

def iri(v):
    return ("iri", v)


def lit(value, lang=None, datatype=None):
    return ("lit", value, lang, datatype)


NT_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def nt_unescape(s):
    def one(m):
        e = m.group(1)
        if e[0] in "uU":
            return chr(int(e[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f"}.get(e, e)
    return NT_ESCAPE.sub(one, s)


NT_TERM = re.compile(
    r'\s*(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)')


def nt_terms(line):
    """The terms of one N-Triples or N-Quads line (subject, predicate,
    object[, graph])."""
    terms, at = [], 0
    line = line.rstrip()
    if not line.endswith("."):
        raise ValueError(f"ligne N-Triples mal formée : {line!r}")
    line = line[:-1]
    while at < len(line) and line[at:].strip():
        m = NT_TERM.match(line, at)
        if not m:
            raise ValueError(f"ligne N-Triples mal formée : {line!r}")
        if m.group(1) is not None:
            terms.append(iri(m.group(1)))
        elif m.group(2) is not None:
            terms.append(("bnode", m.group(2)))
        else:
            terms.append(lit(nt_unescape(m.group(3)), m.group(4), m.group(5)))
        at = m.end()
    return terms


def parse_nt(text):
    out = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            out.append(tuple(nt_terms(line)))
    return out


def sparql_term(b):
    if b["type"] == "uri":
        return iri(b["value"])
    if b["type"] == "bnode":
        return ("bnode", b["value"])
    return lit(b["value"], b.get("xml:lang"), b.get("datatype"))


# --- the test's use case, as sent and as it must be read back

def turtle(base, title):
    """A complete use case on `<>`, led by the demo's Ville de Nantes."""
    return f"""@prefix bia: <{BIA}> .
@prefix dcterms: <{DCTERMS}> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<> a bia:UseCase ;
  dcterms:title "{title}"@fr ;
  dcterms:description "{DESCRIPTION}"@fr ;
  bia:ledBy <{base}id/organisation/ville-de-nantes> ;
  schema:startDate "2026-01-15"^^xsd:date ;
  adms:status <{base}id/concept/statut/en-deploiement> ;
  dcat:theme <{base}id/concept/theme/transition-ecologique-et-energetique> ;
  bia:audience <{base}id/concept/audience/grand-public> ;
  bia:budgetBand <{base}id/concept/budget/de-50k-a-100k> .
""".encode()


def full_fields(base, title):
    """The record's (predicate, object) pairs in the full store."""
    return {
        (iri(RDF + "type"), iri(BIA + "UseCase")),
        (iri(DCTERMS + "title"), lit(title, "fr")),
        (iri(DCTERMS + "description"), lit(DESCRIPTION, "fr")),
        (iri(BIA + "ledBy"), iri(f"{base}id/organisation/ville-de-nantes")),
        (iri("http://schema.org/startDate"), lit("2026-01-15", None, XSD_DATE)),
        (iri("http://www.w3.org/ns/adms#status"), iri(f"{base}id/concept/statut/en-deploiement")),
        (iri("http://www.w3.org/ns/dcat#theme"),
         iri(f"{base}id/concept/theme/transition-ecologique-et-energetique")),
        (iri(BIA + "audience"), iri(f"{base}id/concept/audience/grand-public")),
        (iri(BIA + "budgetBand"), iri(f"{base}id/concept/budget/de-50k-a-100k")),
    }


def public_fields(base, title):
    """What the projection must publish of it: all but the restricted
    budget band."""
    return {f for f in full_fields(base, title) if f[0] != iri(BIA + "budgetBand")}


def state_of(base, fields):
    """The state a record's (predicate, object) pairs show: live, withdrawn,
    or None when they are neither a whole use case nor a whole tombstone."""
    titles = [o[1] for p, o in fields if p == iri(DCTERMS + "title") and o[0] == "lit"]
    if len(titles) == 1 and fields == full_fields(base, titles[0]):
        return live(titles[0])
    if len(fields) == 3 and (iri(RDF + "type"), iri(BIA + "WithdrawnRecord")) in fields:
        labels = [o[1] for p, o in fields if p == iri(RDFS + "label") and o[0] == "lit"]
        notices = [o[1] for p, o in fields
                   if p == iri(DCTERMS + "description") and o[0] == "lit"]
        if len(labels) == 1 and len(notices) == 1 and WITHDRAWN_NOTICE.fullmatch(notices[0]):
            return withdrawn(labels[0])
    return None


def diff_fields(got, want):
    """What `got` lacks and has in excess of `want`, in short."""
    parts = []
    if want - got:
        parts.append("manque " + show_fields(want - got))
    if got - want:
        parts.append("en trop " + show_fields(got - want))
    return " ; ".join(parts) or "rien"


def show_fields(fields):
    def term(t):
        if t[0] == "iri":
            return t[1].rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        if t[0] == "lit":
            return repr(t[1])
        return "_:" + t[1]
    return "{" + ", ".join(sorted(f"{term(p)}={term(o)}" for p, o in fields)) + "}"


# --- the server

class Server:
    """`bibia serve` on a fixed port (the base IRI must not change), its
    standard error appended to one log file."""

    def __init__(self, bin_path, data, port, log_path, env):
        self.bin, self.data, self.port, self.env = bin_path, data, port, env
        self.base = f"http://127.0.0.1:{port}/"
        self.log_path = log_path
        self.log_seen = 0
        self.proc = None

    def start(self, timeout=300):
        """Starts the server and waits for `/healthz`; returns the seconds
        it took, or raises RuntimeError."""
        started = time.monotonic()
        for attempt in range(5):
            with open(self.log_path, "ab") as log:
                log.write(f"\n=== démarrage {time.strftime('%H:%M:%S')} ===\n".encode())
                self.proc = subprocess.Popen(
                    [self.bin, "serve", "--data-dir", self.data,
                     "--bind", f"127.0.0.1:{self.port}", "--base-iri", self.base],
                    stdout=log, stderr=log, env=self.env)
            while time.monotonic() - started < timeout:
                if self.proc.poll() is not None:
                    break
                try:
                    c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                    c.request("GET", "/healthz")
                    ok = c.getresponse().status == 200
                    c.close()
                    if ok:
                        return time.monotonic() - started
                except OSError:
                    pass
                time.sleep(0.05)
            code = self.proc.poll()
            if code is None:
                self.kill()
                raise RuntimeError(f"le serveur ne répond pas après {timeout} s")
            # The port may still be held a moment by the killed process.
            if "Address already in use" in self.new_log(peek=True) and attempt < 4:
                time.sleep(1)
                continue
            raise RuntimeError(f"le serveur s'est arrêté au démarrage (code {code})")
        raise RuntimeError("le serveur n'a pas pu prendre son port")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def terminate(self, timeout=60):
        """SIGTERM; returns the exit code (None if it had to be killed)."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def new_log(self, peek=False):
        """What the server wrote since the last call."""
        with open(self.log_path, "rb") as f:
            f.seek(self.log_seen)
            text = f.read()
        if not peek:
            self.log_seen += len(text)
        return text.decode("utf-8", "replace")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)


# --- the writers

NOT_SENT = "non envoyée"
NO_ANSWER = "sans réponse"


class Write:
    """One write: what the record holds once it lands, and its answer
    (a status, NO_ANSWER, or NOT_SENT)."""

    def __init__(self, wid, kind, slug_, after):
        self.wid, self.kind, self.slug, self.after = wid, kind, slug_, after
        self.answer = None

    def acked(self):
        return isinstance(self.answer, int) and 200 <= self.answer < 300


class Record:
    """A test record: its state at the last check and this round's writes."""

    def __init__(self, slug_, title):
        self.slug = slug_
        self.first_title = title      # the title it was created with
        self.state = ABSENT       # as read at the last check
        self.tag = None           # its ETag then
        self.writes = []          # this round's writes, in the order sent


class Round:
    """The writes of one round, shared by its threads."""

    ids = iter(range(1, 10**9))  # write numbers, unique over the run

    def __init__(self, number, seed, base, port, token, records, clients):
        self.number, self.seed, self.base, self.port = number, seed, base, port
        self.token, self.records = token, records
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.writes = []
        self.unexpected = []
        # Each thread owns the live records whose slug hashes to it, with
        # their title and ETag as read at the last check.
        self.owned = [{} for _ in range(clients)]
        for r in records.values():
            if r.state[0] == "vivante":
                self.owned[zlib.crc32(r.slug.encode()) % clients][r.slug] = (r.state[1], r.tag)

    def next_write(self, kind, make):
        """A new write: `make(number)` gives its record's slug and the state
        it leaves."""
        with self.lock:
            wid = next(Round.ids)
            slug_, after = make(wid)
            w = Write(wid, kind, slug_, after)
            self.writes.append(w)
            return w

    def send(self, conn, method, path, body=None, headers=None):
        h = {"Authorization": f"Bearer {self.token}"}
        h.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=h)
        except ConnectionRefusedError:
            return NOT_SENT, None
        except (OSError, http.client.HTTPException):
            return NO_ANSWER, None
        try:
            r = conn.getresponse()
            r.read()
        except (OSError, http.client.HTTPException):
            return NO_ANSWER, None
        return r.status, r

    def writer(self, index):
        rng = random.Random(f"{self.seed}-{self.number}-{index}")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        mine = self.owned[index]
        while not self.stop.is_set():
            roll = rng.random()
            if mine and roll < 0.07:
                kind = "DELETE"
            elif mine and roll < 0.5:
                kind = "PUT"
            else:
                kind = "POST"
            if kind == "POST":
                def make(wid):
                    title = f"Essai de panne {self.seed} n{wid} créé au tour {self.number}"
                    return slug(title), live(title)
                w = self.next_write(kind, make)
                title = w.after[1]
                rec = Record(w.slug, title)
                rec.writes.append(w)
                with self.lock:
                    self.records[w.slug] = rec
                w.answer, r = self.send(conn, "POST", "/id/projet/", turtle(self.base, title),
                                        {"Content-Type": "text/turtle"})
                if w.answer == NOT_SENT:
                    with self.lock:
                        del self.records[w.slug]
                if w.acked():
                    location = r.getheader("Location")
                    if location != f"{self.base}id/projet/{w.slug}":
                        self.unexpected.append(f"création « {title} » : Location {location}, "
                                               f"attendu {self.base}id/projet/{w.slug}")
                    mine[w.slug] = (title, r.getheader("ETag"))
            else:
                s = rng.choice(sorted(mine))
                title, tag = mine[s]
                rec = self.records[s]
                if kind == "PUT":
                    # "Essai de panne SEED nK révisé wN au tour R": nK is the creation's.
                    name = rec.first_title.split()[4]
                    w = self.next_write(kind, lambda wid: (s, live(
                        f"Essai de panne {self.seed} {name} révisé w{wid} au tour {self.number}")))
                    rec.writes.append(w)
                    w.answer, r = self.send(
                        conn, "PUT", f"/id/projet/{s}", turtle(self.base, w.after[1]),
                        {"Content-Type": "text/turtle", "If-Match": tag})
                    if w.acked():
                        mine[s] = (w.after[1], r.getheader("ETag"))
                else:
                    w = self.next_write(kind, lambda wid: (s, withdrawn(title)))
                    rec.writes.append(w)
                    w.answer, r = self.send(conn, "DELETE", f"/id/projet/{s}",
                                            headers={"If-Match": tag})
                    if w.acked():
                        del mine[s]
            if w.answer in (NOT_SENT, NO_ANSWER):
                break  # the server is gone: this thread stops for the round
            if not w.acked():
                self.unexpected.append(
                    f"{w.kind} /id/projet/{w.slug} : réponse {w.answer} inattendue")
                mine.pop(w.slug, None)  # its state is unknown until the check
        conn.close()


# --- the checks

class Checker:
    def __init__(self, server, token, seed):
        self.server, self.token, self.seed = server, token, seed
        self.base = server.base
        self.prefix = f"{self.base}id/projet/{slug(f'Essai de panne {seed}')}-"
        self.conn = None

    def get(self, path, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
            try:
                self.conn.request("GET", path, headers=headers or {})
                r = self.conn.getresponse()
                return r.status, r, r.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def read(self, rec):
        """The record as its writer reads it: its state (None when it is
        neither a whole use case nor a whole tombstone), its fields, its ETag
        and an error, if the answer was not 200 or 404."""
        status, r, body = self.get(f"/id/projet/{rec.slug}", {
            "Authorization": f"Bearer {self.token}", "Accept": "application/n-triples"})
        if status == 404:
            return ABSENT, set(), None, None
        if status != 200:
            return None, set(), None, f"GET avec jeton : {status} {body[:200]!r}"
        triples = parse_nt(body.decode())
        subject = iri(f"{self.base}id/projet/{rec.slug}")
        fields = {(p, o) for s, p, o in triples if s == subject}
        others = [t for t in triples if t[0] != subject]
        if others:
            return None, fields, None, f"triplets hors de la fiche : {others[:3]}"
        return state_of(self.base, fields), fields, r.getheader("ETag"), None

    def check(self, records, problems):
        """Checks every record; returns (acknowledged writes checked,
        unacknowledged writes found landed)."""
        checked = landed = 0
        observed = {}
        for rec in records.values():
            where = f"/id/projet/{rec.slug}"
            state, fields, tag, error = self.read(rec)
            if error:
                problems.append(f"{where} : {error}")
                continue
            if state is None:
                problems.append(f"{where} : fiche à moitié écrite ou mêlée : {show_fields(fields)}")
                continue
            observed[rec.slug] = state
            # What the record may hold: the state of its last acknowledged
            # write (or what it held at the last check), or the state of a
            # write sent after that one and never answered.
            acked = [i for i, w in enumerate(rec.writes) if w.acked()]
            start = acked[-1] if acked else -1
            allowed = [rec.writes[start].after if acked else rec.state]
            allowed += [w.after for w in rec.writes[start + 1:] if w.answer == NO_ANSWER]
            if state not in allowed:
                last = rec.writes[start] if acked else None
                why = (f"écriture acquittée perdue ({last.kind} w{last.wid} → {describe(last.after)})"
                       if last else "état changé sans écriture acquittée")
                problems.append(f"{where} : {why} ; lu : {describe(state)} ; "
                                f"admis : {', '.join(describe(a) for a in allowed)}")
            else:
                # The last acknowledged write, or one sent after it, is
                # there: every acknowledged write of the record is checked.
                checked += len(acked)
                if state != allowed[0]:
                    landed += 1
            self.public(rec, state, problems)
            if rec.writes:
                self.search(rec, state, problems)
            rec.state, rec.tag, rec.writes = state, tag, []
        self.sparql(records, observed, problems)
        return checked, landed

    def public(self, rec, state, problems):
        expected = {"vivante": 200, "retirée": 410, "absente": 404}[state[0]]
        status, _, body = self.get(f"/page/projet/{rec.slug}", {"Accept": "text/html"})
        if status != expected:
            problems.append(f"/page/projet/{rec.slug} : {status} alors que la fiche est {describe(state)}")
        elif status == 200 and f"<h1>{html.escape(state[1], quote=False)}</h1>" not in body.decode():
            problems.append(f"/page/projet/{rec.slug} : la page ne porte pas le titre « {state[1]} »")
        status, _, body = self.get(f"/data/projet/{rec.slug}.nt")
        if status != expected:
            problems.append(f"/data/projet/{rec.slug}.nt : {status} alors que la fiche est {describe(state)}")
        elif status == 200:
            subject = iri(f"{self.base}id/projet/{rec.slug}")
            fields = {(p, o) for s, p, o in parse_nt(body.decode()) if s == subject}
            if fields != public_fields(self.base, state[1]):
                problems.append(f"/data/projet/{rec.slug}.nt : la fiche {describe(state)} y est "
                                f"publiée avec un écart : "
                                f"{diff_fields(fields, public_fields(self.base, state[1]))}")

    def search(self, rec, state, problems):
        title = state[1] if state != ABSENT else rec.first_title
        q = urllib.parse.urlencode({"q": title, "format": "json", "type": "projets", "limite": 50})
        status, _, body = self.get(f"/recherche?{q}")
        if status != 200:
            problems.append(f"/recherche « {title} » : {status}")
            return
        record = f"{self.base}id/projet/{rec.slug}"
        hits = [h for h in json.loads(body)["resultats"] if h["iri"] == record]
        if state[0] == "vivante" and not any(h["titre"] == title for h in hits):
            problems.append(f"/recherche « {title} » : la fiche vivante n'est pas trouvée ({hits})")
        if state[0] != "vivante" and hits:
            problems.append(f"/recherche « {title} » : la fiche {describe(state)} est trouvée")

    def sparql(self, records, observed, problems):
        """Every public triple of the test's records, by SPARQL over the
        projection, against what the full store holds."""
        query = ("SELECT ?s ?p ?o WHERE { ?s ?p ?o "
                 f'FILTER(STRSTARTS(STR(?s), "{self.prefix}")) }}')
        q = urllib.parse.urlencode({"query": query})
        status, _, body = self.get(f"/sparql?{q}", {"Accept": "application/sparql-results+json"})
        if status != 200:
            problems.append(f"/sparql : {status} {body[:200]!r}")
            return
        published = {}
        for b in json.loads(body)["results"]["bindings"]:
            s = b["s"]["value"][len(f"{self.base}id/projet/"):]
            published.setdefault(s, set()).add((sparql_term(b["p"]), sparql_term(b["o"])))
        for s in sorted(set(published) - set(records)):
            problems.append(f"SPARQL : {s} est publiée sans que le test l'ait écrite")
        for s, state in observed.items():
            got = published.get(s, set())
            if state == ABSENT:
                want = set()
            elif state[0] == "vivante":
                want = public_fields(self.base, state[1])
            else:
                want = got if state_of(self.base, got) == state else None
            if got != want:
                problems.append(f"SPARQL : /id/projet/{s}, {describe(state)} dans la base complète, "
                                f"publie " + (diff_fields(got, want) if want is not None
                                              else show_fields(got)))

    def close(self):
        if self.conn:
            self.conn.close()
        self.conn = None


def check_export(path, base, records, problems):
    """Each test record's graph in the full export against its last state."""
    graphs = {}
    prefix = f"{base}id/projet/"
    in_record = re.compile(r"<" + re.escape(prefix) + r"([^>#]*)> \.\s*$")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = in_record.search(line)
            if m and m.group(1) in records:
                s, p, o, _ = nt_terms(line)
                graphs.setdefault(m.group(1), set()).add((s, p, o))
    for s, rec in records.items():
        triples = graphs.get(s, set())
        subject = iri(prefix + s)
        fields = {(p, o) for t, p, o in triples if t == subject}
        state = state_of(base, fields) if triples else ABSENT
        if len(fields) != len(triples) or state != rec.state:
            problems.append(f"export : le graphe de {s} tient {show_fields(fields)}, "
                            f"lu par HTTP : {describe(rec.state)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    ap.add_argument("--bin", default=os.path.join(target, "debug", "bibia"),
                    help="the bibia binary (default: $CARGO_TARGET_DIR/debug/bibia, else target/debug/bibia)")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=None, help="seed of the choices (default: random)")
    ap.add_argument("--clients", type=int, default=3, help="writing threads (default 3)")
    ap.add_argument("--min-delay", type=float, default=0.1, help="earliest kill, seconds (0.1)")
    ap.add_argument("--max-delay", type=float, default=1.5, help="latest kill, seconds (1.5)")
    ap.add_argument("--keep", action="store_true", help="keep the data directory")
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"pas de binaire exécutable {args.bin} : construisez bibia (cargo build) ou passez --bin")
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    rng = random.Random(seed)
    began = time.monotonic()

    work = tempfile.mkdtemp(prefix="bibia-fault-writes-")
    data = os.path.join(work, "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIBIA_")}
    env["BIBIA_PASSWORD"] = PASSWORD
    print(f"graine {seed}, {args.rounds} tours, {args.clients} clients ; données dans {work}")

    r = run([args.bin, "user", "add", MODERATOR, "--moderator", "--name", "Modération",
             "--data-dir", data], env)
    if r.returncode:
        sys.exit(f"bibia user add : {r.stderr}")
    r = run([args.bin, "token", "create", MODERATOR, "--data-dir", data], env)
    token = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    if r.returncode or not token.startswith("bibia_"):
        sys.exit(f"bibia token create : {r.stdout} {r.stderr}")

    server = Server(args.bin, data, free_port(), os.path.join(work, "serve.log"), env)
    try:
        code = rounds(args, seed, rng, began, work, data, env, token, server)
    finally:
        server.kill()  # on an interruption; a no-op once it stopped
    sys.exit(code)


def rounds(args, seed, rng, began, work, data, env, token, server):
    """The rounds, the final checks and the summary; returns the exit code."""
    problems = []
    print("premier démarrage (modèle, territoires, démo)…", flush=True)
    try:
        server.start()
    except RuntimeError as e:
        print(f"{e} ; journal : {server.log_path}")
        return 2
    server.new_log()
    checker = Checker(server, token, seed)
    records = {}
    totals = {"sent": 0, "acked": 0, "checked": 0, "landed": 0, "rebuilt": 0}
    rounds_done = 0

    for number in range(1, args.rounds + 1):
        before = len(problems)
        rnd = Round(number, seed, server.base, server.port, token, records, args.clients)
        threads = [threading.Thread(target=rnd.writer, args=(i,), daemon=True)
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        delay = rng.uniform(args.min_delay, args.max_delay)
        time.sleep(delay)
        server.kill()
        rnd.stop.set()
        for t in threads:
            t.join()
        checker.close()
        for u in rnd.unexpected:
            problems.append(f"tour {number} : {u}")
        try:
            restart = server.start()
        except RuntimeError as e:
            problems.append(f"tour {number} : {e} (journal : {server.log_path})")
            print(f"tour {number:2} : {e}", flush=True)
            break
        round_problems = []
        check_began = time.monotonic()
        try:
            checked, landed = checker.check(records, round_problems)
        except (OSError, http.client.HTTPException, ValueError) as e:
            round_problems.append(f"vérification interrompue : {e!r}")
            checked = landed = 0
        check_time = time.monotonic() - check_began
        log = server.new_log()
        rebuilt = "en retard sur la base complète" in log
        if "panic" in log.lower():
            lines = [l for l in log.splitlines() if "panic" in l.lower()]
            round_problems.append(f"panique dans le journal du serveur : {lines[:3]}")
        problems += [f"tour {number} : {p}" for p in round_problems]
        sent = sum(1 for w in rnd.writes if w.answer != NOT_SENT)
        acked = sum(1 for w in rnd.writes if w.acked())
        totals["sent"] += sent
        totals["acked"] += acked
        totals["checked"] += checked
        totals["landed"] += landed
        totals["rebuilt"] += rebuilt
        rounds_done = number
        extra = []
        if landed:
            extra.append(f"{landed} écriture(s) non acquittée(s) retrouvée(s)")
        if rebuilt:
            extra.append("projection reconstruite")
        if len(problems) > before:
            extra.append(f"{len(problems) - before} INCOHÉRENCE(S)")
        print(f"tour {number:2} : tué après {delay:.2f} s ; {sent:3} écritures envoyées, "
              f"{acked:3} acquittées, {checked:3} vérifiées ; {len(records)} fiches relues ; "
              f"redémarré en {restart:.1f} s, vérifié en {check_time:.1f} s" + "".join(f" ; {e}" for e in extra), flush=True)

    checker.close()
    code = server.terminate()
    if code != 0:
        problems.append(f"arrêt par SIGTERM : code de sortie {code}")
    log = server.new_log()
    if "panic" in log.lower():
        problems.append("panique dans le journal du serveur à l'arrêt")
    export = os.path.join(work, "full.nq")
    r = run([args.bin, "export", "--data-dir", data, "--base-iri", server.base, "--full",
             "--format", "nq", "-o", export], env)
    if r.returncode:
        problems.append(f"bibia export : code {r.returncode} : {r.stderr.strip()[-500:]}")
    else:
        check_export(export, server.base, records, problems)
        r = run([args.bin, "validate", "--base-iri", server.base, export], env)
        verdict = (r.stdout.strip().splitlines() or [""])[-1]
        print(f"export complet validé : {verdict} (code {r.returncode})")
        if r.returncode:
            problems.append(f"bibia validate : code {r.returncode} : {r.stdout.strip()[-1500:]}")

    # Not an inconsistency, but what crashes leave behind: temporary files
    # of interrupted dumps (`{data}/dumps/.bibia.*.tmp`).
    leftovers = []
    for folder in ("dumps", "search"):
        where = os.path.join(data, folder)
        if os.path.isdir(where):
            leftovers += [os.path.join(where, n) for n in os.listdir(where)
                          if n.endswith(".tmp") or n.startswith(".tmp")]
    if leftovers:
        size = sum(os.path.getsize(f) for f in leftovers if os.path.isfile(f))
        print(f"remarque : {len(leftovers)} fichier(s) temporaire(s) laissé(s) par les arrêts "
              f"({size / 1e6:.0f} Mo), par exemple {os.path.relpath(leftovers[0], data)}")

    elapsed = time.monotonic() - began
    live_n = sum(1 for x in records.values() if x.state[0] == "vivante")
    gone_n = sum(1 for x in records.values() if x.state[0] == "retirée")
    print(f"total : {totals['sent']} écritures envoyées, {totals['acked']} acquittées, "
          f"{totals['checked']} vérifiées, {totals['landed']} non acquittée(s) retrouvée(s) ; "
          f"{len(records)} fiches ({live_n} vivantes, {gone_n} retirées, "
          f"{len(records) - live_n - gone_n} absentes) ; projection reconstruite "
          f"{totals['rebuilt']} fois ; {elapsed:.0f} s")
    if problems:
        for p in problems:
            print(f"  - {p}")
        n = len(problems)
        print(f"{n} incohérence{'s' if n > 1 else ''} sur {rounds_done} tours "
              f"(graine {seed}, données gardées dans {work})")
        return 1
    if args.keep:
        print(f"données gardées dans {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"0 incohérence sur {rounds_done} tours")
    return 0


if __name__ == "__main__":
    main()
