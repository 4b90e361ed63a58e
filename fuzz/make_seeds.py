#!/usr/bin/python3
"""make_seeds - (re)make the seed corpora of the fuzz targets from real
traces: programs of the tree built with pmcc and run under `pmcheck run`.

    fuzz/make_seeds.py --build build

writes fuzz/corpus/trace/* (each trace in the compact form of
fuzz/trace_image.h: checksums recomputed, and once cut inside its last
block) and fuzz/corpus/cli/* (command lines with a baseline, a results
database and a trace, in the form of fuzz/fuzz_cli.c). The seeds are
committed: rerun this after a format change and commit the new ones.
"""
import argparse
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile

HEADER_SIZE = 4096
BLOCK_SIZE = 65536
BLOCK_HDR = 32
HEADER_FIXED = 64
FIX_HEADER, FIX_BLOCKS, CUT = 0x01, 0x02, 0x04
SECTION_SEP = b"\n--8<--\n"

# (name, sources, pmcc flags, libs, argv after the pool, pmcheck run flags)
PROGRAMS = [
    ("known", ["tests/e2e/programs/known.c"], [], ["-lpmem"], [], []),
    ("list", ["workloads/list/list.c"], ["-DBUG_NODE_UNFLUSHED"], ["-lpmem"],
     ["insert", "5"], []),
    ("log", ["workloads/log/log.c"], ["-DBUG_COMMIT_FIRST"], ["-lpmem"],
     ["append", "alpha", "bravo"], []),
    ("counters", ["workloads/counters/counters.c"], ["-DBUG_NO_FENCE"], [],
     ["2"], ["--pmem", "{pool}"]),
    ("looper_mt_abort", ["tests/e2e/programs/looper_mt.c"], [],
     ["-lpmem", "-lpthread"], ["3", "40", "abort"], []),
]


def compact(trace):
    """The trace file in fuzz/trace_image.h's compact form."""
    with open(trace, "rb") as f:
        data = f.read()
    header = data[:HEADER_FIXED]
    (cmdline_len,) = struct.unpack_from("<I", data, 40)
    out = bytearray([FIX_HEADER | FIX_BLOCKS])
    out += header + data[HEADER_FIXED:HEADER_FIXED + cmdline_len]
    blocks = []
    for off in range(HEADER_SIZE, len(data) - BLOCK_SIZE + 1, BLOCK_SIZE):
        magic, used = struct.unpack_from("<I12xI", data, off)
        if magic == 0:
            blocks.append(data[off:off + BLOCK_HDR])
            continue
        blocks.append(data[off:off + BLOCK_HDR + used])
    while blocks and blocks[-1] == bytes(BLOCK_HDR):
        blocks.pop()  # unclaimed slots the file was grown by
    for b in blocks:
        out += b
    return bytes(out)


def cut(seed):
    """The same trace cut inside its last block."""
    return bytes([seed[0] | CUT]) + seed[1:len(seed) - 100]


class Maker:
    def __init__(self, build, source, work):
        self.pmcc = os.path.join(build, "tools", "pmcc")
        self.pmcheck = os.path.join(build, "tools", "pmcheck")
        self.source = source
        self.work = work

    def run(self, cmd, ok=(0,)):
        proc = subprocess.run(cmd, capture_output=True, cwd=self.work)
        if proc.returncode not in ok:
            sys.exit(f"make_seeds: {' '.join(cmd)} exited "
                     f"{proc.returncode}:\n{proc.stderr.decode()}")
        return proc

    def trace(self, name, sources, flags, libs, argv, run_flags):
        exe = os.path.join(self.work, name)
        self.run([self.pmcc, "-g", "-O1", *flags,
                  *[os.path.join(self.source, s) for s in sources],
                  "-o", exe, *libs])
        pool = os.path.join(self.work, name + ".pool")
        trace = os.path.join(self.work, name + ".pmt")
        run_flags = [f.replace("{pool}", pool) for f in run_flags]
        self.run([self.pmcheck, "run", "-o", trace, *run_flags, "--", exe,
                  pool, *argv], ok=(0, 128 + 6))
        return trace

    def database(self, traces):
        """A results database of two runs, and the first run's baseline."""
        db = os.path.join(self.work, "seed.db")
        self.run([self.pmcheck, "check", "--db", db, traces[0]], ok=(0, 1))
        baseline = os.path.join(self.work, "baseline.json")
        self.run([self.pmcheck, "baseline", "--db", db, "-o", baseline])
        self.run([self.pmcheck, "check", "--db", db, "--model", "eadr",
                  *traces[1:]], ok=(0, 1))
        with sqlite3.connect(db) as con:  # one file, no WAL, no free pages
            con.execute("PRAGMA journal_mode=DELETE")
        con.close()
        with sqlite3.connect(db) as con:
            con.execute("VACUUM")
        con.close()
        with open(db, "rb") as f, open(baseline, "rb") as g:
            return f.read(), g.read()


def cli_seed(args, baseline=b"", db=b"", trace=b""):
    parts = [b"\0".join(a.encode() for a in args), baseline, db, trace]
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return SECTION_SEP.join(parts)


def cli_seeds(db, baseline, trace):
    return {
        "check-all": cli_seed(["check", "--db", "in.db", "--baseline",
                               "in.json", "-f", "sarif", "in.pmt"],
                              baseline, db, trace),
        "check-new": cli_seed(["check", "--fail-on", "warning", "-f", "junit",
                               "-o", "out.xml", "in.pmt", "in.pmt"],
                              trace=trace),
        "report-html": cli_seed(["report", "--db", "in.db", "--run", "1",
                                 "-f", "html"], db=db),
        "report-json": cli_seed(["report", "--db", "in.db", "-f", "json"],
                                db=db),
        "baseline": cli_seed(["baseline", "--db", "in.db", "-o", "out.json"],
                             db=db),
        "merge": cli_seed(["merge", "-q", "out.db", "in.db", "in.db"], db=db),
        "dump": cli_seed(["dump", "--summary", "in.pmt"], trace=trace),
        "dump-events": cli_seed(["dump", "--events", "--raw", "in.pmt"],
                                trace=trace),
        "usage": cli_seed(["check", "--model", "eadr", "--help"]),
    }


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", required=True, help="a meson build directory")
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument("--source", default=os.path.dirname(here))
    p.add_argument("--out", default=os.path.join(here, "corpus"))
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="pmcheck-seeds-", dir="/dev/shm")
    try:
        maker = Maker(os.path.abspath(args.build), args.source, work)
        traces = [maker.trace(*prog) for prog in PROGRAMS]
        seeds = {}
        for (name, *_), trace in zip(PROGRAMS, traces):
            seeds[name] = compact(trace)
            seeds[name + "-cut"] = cut(seeds[name])
        for name, data in seeds.items():
            write(os.path.join(args.out, "trace"), name, data)
        db, baseline = maker.database(traces)
        for name, data in cli_seeds(db, baseline, seeds["list"]).items():
            write(os.path.join(args.out, "cli"), name, data)
    finally:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
