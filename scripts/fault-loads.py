#!/usr/bin/env python3
"""Fault test of the bulk paths (issue 18): `bibia load` and `bibia import`
are killed with SIGKILL at random points, then the store is reopened and
checked.

    CARGO_TARGET_DIR=… cargo build          # the script builds nothing
    scripts/fault-loads.py [--bin PATH] [--rounds 20] [--seed S] [--projects 3000]

Set-up: a temporary data directory holding the model and the régions
(`bibia load data/reference/regions.ttl`). Then, each round, a new input is
made, with use cases no earlier round had:

- an even round loads a generated graph (`bibia generate --projects N`,
  another seed each time) with `bibia load`;
- an odd round imports a CSV of the network's public layout (rows of
  invented use cases, each valid) with `bibia import interconnectes`; a
  `--dry-run` first says how many use cases it holds.

The command is started and killed with SIGKILL after a random delay, drawn
between 5 % and 150 % of the time the first round of its kind took to run
whole (so some kills land after the end). Then:

- the full store holds either every use case of the input or none of them
  (all or nothing): its use cases are those before the round, or those
  plus the input's;
- the public projection agrees with the full store: the same use cases;
- no restricted field reaches the projection: the restricted properties
  the inputs fill (the algorithm's name, type, data sources and access, the
  source row of an import) are in the full store and absent from the
  public export;
- the command's error output holds no panic.

At the end the full store is exported and given to `bibia validate`, which
must find it conform. Prints one line per round and ends with
`0 incohérence sur N tours`, or the list of inconsistencies and exit code 1.
Python standard library only.
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USE_CASE = "<https://w3id.org/bibia/def#UseCase>"
# Restricted properties (ontology/bibia.ttl, `bia:accessLevel bia:restreint`)
# that the generated graphs (the algorithm's internals) and the importer (the
# source row) fill.
RESTRICTED = {f"<https://w3id.org/bibia/def#{p}>" for p in
              ("algorithmName", "algorithmType", "dataSource", "dataAccess", "sourceRow")}
BASE = "http://localhost:8080/"
HEADER = ("Nom_collectivite,Nom_du_projet,SIRET,Latitude,Longitude,Type_de_collectivite,"
          "Date_de_demarrage,Statut_du_projet,Partenaires,Description_service,Theme,Sous_Theme,"
          "Audience,URL_Service,URL_Logo,Date_de_derniere_mise_a_jour")
TOWNS = ["Ville de Nantes", "Métropole de Lyon", "Ville de Rennes", "Ville de Grenoble",
         "Département de la Gironde", "Ville de Lille"]
# Values of the network's lists (ontology/vocabularies/theme.ttl, statut.ttl).
THEMES = ["Mobilités", "Transition écologique et énergétique", "Citoyenneté, santé et solidarité",
          "Administration et organisation interne", "Attractivité et développement"]
STATUSES = ["En déploiement", "En expérimentation", "En exploration", "Terminée"]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def use_cases(bin_, data, full):
    """The use cases (subject IRIs) of the full store or of the projection,
    and whether the restricted property appears in the export."""
    cmd = [bin_, "export", "--data-dir", data, "--base-iri", BASE, "--format", "nt"]
    if full:
        cmd.append("--full")
    out = run(cmd)
    if out.returncode != 0:
        raise RuntimeError(f"export {'--full ' if full else ''}refusé : {out.stderr.strip()[-400:]}")
    found, restricted = set(), False
    for line in out.stdout.splitlines():
        parts = line.split(" ", 2)
        if len(parts) < 3:
            continue
        if parts[1] == "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" and parts[2].startswith(USE_CASE):
            found.add(parts[0])
        elif parts[1] in RESTRICTED:
            restricted = True
    return found, restricted


def make_csv(path, round_, rows, rng):
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        for i in range(rows):
            town = rng.choice(TOWNS)
            title = f"Essai de coupure {round_}-{i} {rng.randrange(10**6)}"
            description = f"Un cas d'usage inventé pour le tour {round_}, ligne {i}."
            f.write(f'{town},{title},,,,Commune,01/2024,{rng.choice(STATUSES)},,"{description}",'
                    f'"{rng.choice(THEMES)}",,Agent,,,\n')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    ap.add_argument("--bin", default=os.path.join(target, "debug", "bibia"))
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--projects", type=int, default=3000, help="use cases of each generated graph")
    ap.add_argument("--rows", type=int, default=1500, help="rows of each CSV")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    bin_ = os.path.abspath(args.bin)
    if not os.access(bin_, os.X_OK):
        print(f"binaire introuvable : {bin_} (cargo build d'abord)", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="bibia-fault-loads-")
    data = os.path.join(work, "data")
    problems = []
    started = time.perf_counter()
    out = run([bin_, "load", "--data-dir", data, "--base-iri", BASE,
               os.path.join(ROOT, "data/reference/regions.ttl")])
    if out.returncode != 0:
        print(f"mise en place impossible : {out.stderr.strip()}", file=sys.stderr)
        return 2
    before, _ = use_cases(bin_, data, True)
    whole = {}  # the time a run of each kind took to the end
    killed_count = 0
    for r in range(1, args.rounds + 1):
        kind = "load" if r % 2 == 1 else "import"
        if kind == "load":
            src = os.path.join(work, f"r{r}.nt")
            gen = run([bin_, "generate", "--projects", str(args.projects), "--seed", str(1000 + r), "-o", src])
            if gen.returncode != 0:
                problems.append(f"tour {r} : generate refusé : {gen.stderr.strip()}")
                break
            # The generated IRIs do not depend on the seed: each round's are
            # renamed so that no two rounds share a use case.
            with open(src, encoding="utf-8") as f:
                text = f.read()
            text = re.sub(r"(/id/projet/)([^>\s]+)", rf"\1r{r}-\2", text)
            with open(src, "w", encoding="utf-8") as f:
                f.write(text)
            expected = set()
            for line in text.splitlines():
                parts = line.split(" ", 2)
                if len(parts) == 3 and parts[2].startswith(USE_CASE) and parts[1].endswith("#type>"):
                    expected.add(parts[0])
            cmd = [bin_, "load", "--data-dir", data, "--base-iri", BASE, src]
        else:
            src = os.path.join(work, f"r{r}.csv")
            make_csv(src, r, args.rows, rng)
            cmd = [bin_, "import", "interconnectes", "--data-dir", data, "--base-iri", BASE, src]
            dry = run(cmd + ["--dry-run"])
            m = re.search(r"importées : (\d+)", dry.stderr)
            if dry.returncode != 0:
                problems.append(f"tour {r} : import --dry-run refusé : {dry.stderr.strip()[-300:]}")
                break
            expected = None
            if not m or int(m.group(1)) != args.rows:
                problems.append(f"tour {r} : l'essai à blanc n'importe pas les {args.rows} lignes : {dry.stderr.strip()[-400:]}")
                break
            expected_count = args.rows
        if kind in whole:
            delay = rng.uniform(0.05, 1.50) * whole[kind]
        else:
            delay = None
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        outcome = "terminé"
        if delay is not None:
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                outcome = f"tué après {delay:.1f} s"
                killed_count += 1
        _, err = proc.communicate()
        took = time.perf_counter() - t0
        if delay is None:
            whole[kind] = took
            if proc.returncode != 0:
                problems.append(f"tour {r} : {kind} sans coupure a échoué : {err.strip()[-400:]}")
        if "panicked" in (err or ""):
            problems.append(f"tour {r} : panique dans la sortie de {kind} : {err.strip()[-400:]}")
        try:
            full, restricted_full = use_cases(bin_, data, True)
            public, restricted = use_cases(bin_, data, False)
        except RuntimeError as e:
            problems.append(f"tour {r} ({outcome}) : {e}")
            break
        added = full - before
        if full < before:
            problems.append(f"tour {r} : {len(before - full)} cas d'usage d'avant ont disparu")
        if expected is not None:
            whole_ok = added == set() or added == expected
        else:
            whole_ok = len(added) in (0, expected_count)
        if not whole_ok:
            problems.append(f"tour {r} ({outcome}) : {len(added)} cas d'usage ajoutés, "
                            f"attendu 0 ou {len(expected) if expected is not None else expected_count}")
        if public != full:
            problems.append(f"tour {r} ({outcome}) : la projection publique a {len(public)} cas d'usage, "
                            f"la base complète {len(full)}")
        if restricted:
            problems.append(f"tour {r} : un champ restreint est dans l'export public")
        if full and not restricted_full:
            problems.append(f"tour {r} : aucun champ restreint dans la base complète (le test ne vérifie rien)")
        verdict = "OK" if not problems else "ÉCHEC"
        print(f"tour {r:2} {kind:6} {outcome:18} +{len(added):5} cas d'usage "
              f"(base complète {len(full)}, projection {len(public)})  {verdict}", flush=True)
        before = full
        os.remove(src)
    # The whole store, validated.
    dump = os.path.join(work, "full.nq")
    out = run([bin_, "export", "--data-dir", data, "--base-iri", BASE, "--full", "--format", "nq", "-o", dump])
    if out.returncode != 0:
        problems.append(f"export final refusé : {out.stderr.strip()[-400:]}")
    else:
        v = run([bin_, "validate", "--base-iri", BASE, dump])
        if v.returncode != 0:
            problems.append(f"la base complète n'est pas conforme : {(v.stdout + v.stderr).strip()[-600:]}")
    print(f"{killed_count} coupures, {len(before)} cas d'usage à la fin, {time.perf_counter() - started:.0f} s")
    if problems:
        for p in problems:
            print("  - " + p)
        print(f"{len(problems)} incohérence(s) sur {args.rounds} tours ; données gardées dans {work}")
        return 1
    print(f"0 incohérence sur {args.rounds} tours")
    if args.keep:
        print(f"données gardées dans {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
