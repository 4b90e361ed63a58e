#!/usr/bin/python3
"""PMDK's example programs, built with pmcc, run, and checked (suite 'pmdk').

Every run of corpus.runs() - data_store on each map type it accepts with
its maximum of 500 inserts, mapcli with a few thousand scripted commands on
each map type, queue, fifo, the pmemlog and pmemblk examples, the string
stores (writer then reader), btree, lists, pi, buffons, manpage, setjmp,
slab_allocator, arttree - is built with pmcc from a copy of Debian's
installed examples, run under `pmcheck run`, and each trace checked with
`pmcheck check` (adr). The test asserts:

- the traces are not empty of what matters: every run shows a PMDK pool, the
  program's stores to it and the library's own writes, and a program that
  uses transactions shows them (a broken hook would otherwise pass as
  "nothing found");
- the error findings are exactly the known real bugs of expected.json
  (none so far): no false error on correct code;
- every warning is one listed in expected.json, which docs/pmdk-examples.md
  explains (keys are random, so a listed warning may not show in a run).

usage: test_examples.py --build DIR --source DIR [--examples DIR]
                        [--work DIR] [--report FILE] [-k NAME]...
Exit status 77 (skipped) when the examples or libpmemobj are not installed.
"""
import argparse
import json
import os
import shutil
import sys

import corpus

SKIP = 77


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--examples", default=corpus.EXAMPLES)
    p.add_argument("--work", help="keep the build and traces here")
    p.add_argument("--report", help="write the findings as JSON here")
    p.add_argument("-k", dest="names", action="append",
                   help="only the runs whose name contains NAME")
    return p.parse_args()


def uses_transactions(c, program):
    return any("TX_BEGIN" in open(c.path(rel)).read()
               for rel in corpus.PROGRAMS[program].sources)


def check_run(c, run, binaries):
    """(findings, problems) of one run: findings as dicts, problems as
    strings (what the traces lack)."""
    traces = c.execute(run, binaries)
    totals, findings = {}, []
    for trace in traces:
        for kind, n in corpus.summary(c.tools, trace).items():
            totals[kind] = totals.get(kind, 0) + n
        for sev, rule, file, line, count, message in c.check(trace):
            findings.append(dict(run=run.name, trace=os.path.basename(trace),
                                 severity=sev, rule=rule, file=file,
                                 line=line, count=count, message=message))
    need = run.shows
    if need is None:
        need = ["REGION_MAP", "STORE", "LIB_WRITE", "LIB_CALL"]
        if uses_transactions(c, run.program):
            need += ["TX_BEGIN", "TX_ADD", "TX_COMMIT", "TX_END"]
    totals["STORE"] = totals.get("STORE", 0) + totals.get("STORE_FILL", 0)
    problems = [f"no {kind} record in its traces" for kind in need
                if totals.get(kind, 0) == 0]
    return findings, problems, totals


def main():
    args = parse_args()
    if not os.path.isdir(args.examples):
        print(f"skipped: {args.examples} is not installed "
              "(apt-get install libpmemobj-dev)")
        return SKIP
    tools = corpus.e2e.Tools(args.build, args.source)
    expected = corpus.load_expected(os.path.join(corpus.HERE,
                                                 "expected.json"))
    known_errors = {(e["rule"], e["file"], e["line"])
                    for e in expected["errors"]}
    known_warnings = {(w["rule"], w["file"], w["line"])
                      for w in expected["warnings"]}

    work = args.work or corpus.e2e.scratch_path("pmcheck-pmdk-")
    failures, report = [], []
    try:
        c = corpus.Corpus(tools, work, args.examples)
        binaries = {}
        for run in corpus.runs():
            if args.names and not any(n in run.name for n in args.names):
                continue
            if run.layout and shutil.which("pmempool") is None:
                print(f"{run.name}: skipped (pmempool is not installed)")
                continue
            rewritten = c.prepare(run)
            for program in sorted(c.programs(run)):
                if program not in binaries or rewritten:
                    binaries[program] = c.build(program)
            findings, problems, totals = check_run(c, run, binaries)
            report += findings
            errors = {(f["rule"], f["file"], f["line"]) for f in findings
                      if f["severity"] == "error"}
            warnings = {(f["rule"], f["file"], f["line"]) for f in findings
                        if f["severity"] == "warning"}
            for p in problems:
                failures.append(f"{run.name}: {p}")
            for e in sorted(errors - known_errors):
                failures.append(f"{run.name}: error {e[0]} at {e[1]}:{e[2]} "
                                "is not a known bug")
            for w in sorted(warnings - known_warnings):
                failures.append(f"{run.name}: warning {w[0]} at {w[1]}:{w[2]} "
                                "is not listed in expected.json")
            print(f"{run.name}: {len(errors)} errors, {len(warnings)} "
                  f"warnings; {totals.get('STORE', 0)} stores, "
                  f"{totals.get('LIB_WRITE', 0)} library writes, "
                  f"{totals.get('TX_BEGIN', 0)} transactions", flush=True)
        seen_errors = {(f["rule"], f["file"], f["line"]) for f in report
                       if f["severity"] == "error"}
        if not args.names:
            for e in sorted(known_errors - seen_errors):
                failures.append(f"known bug {e[0]} at {e[1]}:{e[2]} was "
                                "not found")
    finally:
        if args.report:
            with open(args.report, "w") as f:
                json.dump(report, f, indent=1)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
