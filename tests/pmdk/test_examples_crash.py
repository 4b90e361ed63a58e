#!/usr/bin/python3
"""PMDK's example programs under `pmcheck crash`, with their own checks as
the recovery (suite 'pmdk').

data_store, built with pmcc from the examples corpus (corpus.py), inserts
keys into a map in a fresh pool under `pmcheck run`; the same program is
then the recovery of every crash state: on an existing pool it opens it,
runs map_check, inserts a key and walks the map (map_foreach), and exits
non-zero or crashes when the map is inconsistent. On the real programs no
state may fail.

Only the tree maps and the skiplist: on a pool it did not create,
data_store with a hashmap ends with "'destroy' function not implemented"
and exit status 1 whatever the pool holds, so it is no check.

Crash points inside libpmemobj calls (docs/crash.md) add no state here:
data_store's transactions log every store they make, so no line varies
at them. Mutated copies are test_mutations.py's (CrashMutations): a
deleted TX_ADD in btree_map_insert_node is no bug for data_store, which
makes every insert in one transaction that allocated every node it
touches, so they run mapcli, one transaction per insert.

usage: test_examples_crash.py --build DIR --source DIR [--examples DIR]
                              [--work DIR] [--ops N] [-k NAME]...
Exit status 77 (skipped) when the examples or libpmemobj are not installed.
"""
import argparse
import os
import shutil
import subprocess
import sys

import corpus

SKIP = 77
MAPS = ["btree", "ctree", "rbtree", "skiplist"]


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--examples", default=corpus.EXAMPLES)
    p.add_argument("--work", help="keep the build, traces and databases here")
    p.add_argument("--ops", type=int, default=200,
                   help="data_store inserts per run")
    p.add_argument("-k", dest="names", action="append",
                   help="only the maps whose name contains NAME")
    return p.parse_args()


def crash(c, binary, trace, kind):
    """pmcheck crash with data_store as the recovery: (status, output)."""
    db = trace + ".crash.db"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    proc = subprocess.run(
        [c.tools.pmcheck, "crash", trace, "--db", db, "--quiet",
         "--recover", f"{binary} {kind} {{image}} 1"],
        capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def main():
    args = parse_args()
    if not os.path.isdir(args.examples):
        print(f"skipped: {args.examples} is not installed")
        return SKIP
    tools = corpus.e2e.Tools(args.build, args.source)
    work = args.work or corpus.e2e.scratch_path("pmcheck-pmdk-crash-")
    failures = 0
    try:
        c = corpus.Corpus(tools, work, examples=args.examples)
        binary = c.build("data_store")
        for run in corpus.runs(ops=args.ops):
            kind = run.name.split("-", 1)[-1]
            if run.program != "data_store" or kind not in MAPS:
                continue
            if args.names and not any(n in run.name for n in args.names):
                continue
            trace = c.execute(run, {"data_store": binary})[0]
            status, out = crash(c, binary, trace, kind)
            ok = status == 0 and "crash-recovery-failed" not in out
            print(f"{'ok' if ok else 'FAIL'}: {run.name}")
            if not ok:
                failures += 1
                print(out[-3000:])
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
