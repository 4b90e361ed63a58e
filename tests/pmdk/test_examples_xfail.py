#!/usr/bin/python3
"""PMDK's example programs under `pmcheck crash --loads`: cross-failure
reads (suite 'pmdk').

Each run's recovery is built with pmcc too, so its loads are traced, and
every read of a byte the crash left uncertain is a cross-failure-read
(error) or, at a crash point whose every state is a program-order prefix,
an in-flight-read (warning). PMDK's examples are correct programs: no
error may appear that is not a real bug. Every read found is explained in
docs/pmdk-examples.md and expected here exactly, as (rule, store
file:line, load file:line).

- data_store on the tree maps and the skiplist (see test_examples_crash.py
  for why not the hashmaps), both of its steps: a fresh pool, then the
  pool left behind. The recovery is data_store itself on the image.
- mapcli on every map it takes, its recovery mapcli on the image with no
  command: it opens the pool and runs the map's own recovery (map_init),
  which only hashmap_atomic has. hashmap_atomic's recovery reads its
  counter and rebuild pointers while they are in flight: EXPECTED, all
  in-flight-read warnings but the one real bug.

usage: test_examples_xfail.py --build DIR --source DIR [--examples DIR]
                              [--work DIR] [--ops N] [-k NAME]...
Exit status 77 (skipped) when the examples or libpmemobj are not installed.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import corpus

SKIP = 77
RACE = "cross-failure-read"
IN_FLIGHT = "in-flight-read"
DATA_STORE_MAPS = ["btree", "ctree", "rbtree", "skiplist"]
HM = "hashmap/hashmap_atomic.c"

# Run name -> the reads of uncertain bytes it must show, each (rule,
# (store file, line), (load file, line)); docs/pmdk-examples.md says why
# each is there. Every in-flight one is a word or two of the hashmap's
# header line, stored and persisted with nothing else in flight.
EXPECTED = {
    "mapcli-hashmap_atomic": {
        # create_hashmap's seed (with hash_fun_a/b/p, one line), read by
        # hm_atomic_init's srand before the hashmap is created again with
        # it (benign: no entry hashed yet).
        (IN_FLIGHT, (HM, 103), (HM, 425)),
        # count_dirty, the insert's and remove's commit variable.
        (IN_FLIGHT, (HM, 234), (HM, 455)),
        (IN_FLIGHT, (HM, 255), (HM, 455)),
        (IN_FLIGHT, (HM, 305), (HM, 455)),
        # count, read only to be printed before it is recounted.
        (IN_FLIGHT, (HM, 251), (HM, 466)),
        (IN_FLIGHT, (HM, 301), (HM, 466)),
        # buckets = buckets_tmp, a 16-byte copy across two lines that can
        # persist its offset without its pool id: a real bug (SIGSEGV,
        # see docs), and a race with the hardware.
        (RACE, (HM, 169), (HM, 428)),
        (RACE, (HM, 169), (HM, 435)),
        # buckets_tmp.oid.off = 0, the rebuild's end.
        (IN_FLIGHT, (HM, 180), (HM, 433)),
    },
}


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--examples", default=corpus.EXAMPLES)
    p.add_argument("--work", help="keep the build, traces and databases here")
    p.add_argument("--ops", type=int, default=50,
                   help="data_store inserts and mapcli inserts per run")
    p.add_argument("-k", dest="names", action="append",
                   help="only the runs whose name contains NAME")
    return p.parse_args()


def fresh_db(trace):
    db = trace + ".xfail.db"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    return db


def cross_failure_reads(c, trace, recover):
    """pmcheck crash --loads: the reads found, as EXPECTED has them, and
    the findings themselves."""
    db = fresh_db(trace)
    cmd = [c.tools.pmcheck, "crash", trace, "--db", db, "--quiet", "--loads",
           "--format", "json", "--max-states", "3000", "--time-limit", "30",
           "--recover", recover]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n"
                             f"{proc.stderr[-3000:]}")
    found = [f for f in json.loads(proc.stdout)["findings"]
             if f["rule"] in (RACE, IN_FLIGHT)]
    pairs = set()
    for f in found:
        load = f["notes"][0]
        if load["role"] != "load":
            raise AssertionError(f"{f['message']}: first note is not the load")
        pairs.add((f["rule"],
                   (f["location"]["file"], f["location"]["line"]),
                   (load["location"]["file"], load["location"]["line"])))
    return pairs, found


def cases(c, ops, names):
    """(run name, trace, recovery command) of every case."""
    data_store = c.build("data_store")
    mapcli = c.build("mapcli")
    for run in corpus.runs(ops=ops, mapcli_ops=ops):
        kind = run.name.split("-", 1)[-1]
        if names and not any(n in run.name for n in names):
            continue
        if run.program == "data_store" and kind in DATA_STORE_MAPS:
            traces = c.execute(run, {"data_store": data_store})
            for i, trace in enumerate(traces):
                yield (f"{run.name}.{i}", run.name, trace,
                       f"{data_store} {kind} {{image}} 1")
        elif run.program == "mapcli":
            trace = c.execute(run, {"mapcli": mapcli})[0]
            yield run.name, run.name, trace, f"{mapcli} {kind} {{image}} 1"


def main():
    args = parse_args()
    if not os.path.isdir(args.examples):
        print(f"skipped: {args.examples} is not installed")
        return SKIP
    tools = corpus.e2e.Tools(args.build, args.source)
    work = args.work or corpus.e2e.scratch_path("pmcheck-pmdk-xfail-")
    failures = 0
    try:
        c = corpus.Corpus(tools, work, examples=args.examples)
        for label, name, trace, recover in cases(c, args.ops, args.names):
            pairs, found = cross_failure_reads(c, trace, recover)
            expected = EXPECTED.get(name, set())
            ok = pairs == expected
            print(f"{'ok' if ok else 'FAIL'}: {label}: "
                  f"{sum(p[0] == RACE for p in pairs)} cross-failure reads, "
                  f"{sum(p[0] == IN_FLIGHT for p in pairs)} in flight")
            if not ok:
                failures += 1
                for rule, store, load in sorted(pairs - expected):
                    print(f"  unexpected: {rule} store {store} load {load}")
                for rule, store, load in sorted(expected - pairs):
                    print(f"  missing: {rule} store {store} load {load}")
                for f in found:
                    print(f"  {f['location']['file']}:"
                          f"{f['location']['line']}: {f['message']}")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
