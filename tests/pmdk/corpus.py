"""corpus - PMDK's example programs as pmcheck's test corpus.

Debian's libpmemobj-dev installs PMDK 1.12's examples under EXAMPLES,
read-only. A Corpus copies them into a work directory (tests mutate the
copy; the installed tree is never written), adds what Debian does not ship
(include/ex_common.h, ours), builds each program with pmcc, runs it under
`pmcheck run` and checks the traces with `pmcheck check`.

Sources are compiled from the root of the copy with paths relative to it,
so findings name them as the installed tree does ("map/data_store.c:52").

PROGRAMS says how to build each program, RUNS how to run it: a run is one
or more steps, each one process writing one trace; a step's argv and stdin
may name the run's pool as {pool} (a fresh path on tmpfs), and a run may
have its pool made first by `pmempool create` (for programs that only open
one). Two of the examples hard-code /pmem-fs/myfile as their pool: the
copy names the run's pool instead (same line, so lines do not move).
"""
import concurrent.futures
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import e2e  # noqa: E402

EXAMPLES = "/usr/share/doc/libpmemobj-dev/examples"
INCLUDE = os.path.join(HERE, "include")

# The map library: every map data_store and mapcli can use.
MAP_LIB = [
    "map/map.c", "map/map_btree.c", "map/map_ctree.c", "map/map_rbtree.c",
    "map/map_rtree.c", "map/map_skiplist.c", "map/map_hashmap_atomic.c",
    "map/map_hashmap_tx.c", "map/map_hashmap_rp.c",
    "tree_map/btree_map.c", "tree_map/ctree_map.c", "tree_map/rbtree_map.c",
    "tree_map/rtree_map.c", "list_map/skiplist_map.c",
    "hashmap/hashmap_atomic.c", "hashmap/hashmap_tx.c", "hashmap/hashmap_rp.c",
]
MAP_INCLUDES = ["map", "hashmap", "tree_map", "list_map"]

class Program:
    """How to build one example: its sources, include directories (all
    relative to the examples' root), libraries and compiler flags."""

    def __init__(self, sources, includes=(), libs=(), cflags=()):
        self.sources, self.includes = list(sources), list(includes)
        self.libs, self.cflags = list(libs), list(cflags)


PROGRAMS = {
    "data_store": Program(["map/data_store.c"] + MAP_LIB, MAP_INCLUDES),
    "mapcli": Program(["map/mapcli.c"] + MAP_LIB, MAP_INCLUDES),
    "queue": Program(["queue/queue.c"]),
    "fifo": Program(["linkedlist/fifo.c"], ["linkedlist"]),
    "obj_pmemlog": Program(["pmemlog/obj_pmemlog.c"]),
    "obj_pmemlog_macros": Program(["pmemlog/obj_pmemlog_macros.c"]),
    "obj_pmemlog_minimal": Program(["pmemlog/obj_pmemlog_minimal.c"]),
    "obj_pmemlog_simple": Program(["pmemlog/obj_pmemlog_simple.c"]),
    "obj_pmemblk": Program(["pmemblk/obj_pmemblk.c"]),
    "string_store_writer": Program(["string_store/writer.c"]),
    "string_store_reader": Program(["string_store/reader.c"]),
    "string_store_tx_writer": Program(["string_store_tx/writer.c"]),
    "string_store_tx_reader": Program(["string_store_tx/reader.c"]),
    "string_store_tx_type_writer": Program(["string_store_tx_type/writer.c"]),
    "string_store_tx_type_reader": Program(["string_store_tx_type/reader.c"]),
    "btree": Program(["btree.c"]),
    "lists": Program(["lists.c"]),
    "pi": Program(["pi.c"], libs=["-lm"]),
    "buffons_needle_problem": Program(["buffons_needle_problem.c"],
                                      libs=["-lm"]),
    "manpage": Program(["manpage.c"]),
    # Its point is that locals changed between setjmp and longjmp are
    # indeterminate after an abort; optimised, freeing them crashes it
    # (natively too), so it is built as written for: -O0.
    "setjmp": Program(["setjmp.c"], cflags=["-O0"]),
    "slab_allocator": Program(["slab_allocator/main.c",
                               "slab_allocator/slab_allocator.c"]),
    # art.h defines a global in every file that includes it; PMDK links
    # art.c as a shared library, where the executable's copy wins.
    "arttree": Program(["libart/arttree.c", "libart/art.c"],
                       libs=["-Wl,--allow-multiple-definition"]),
}

# Files whose hard-coded pool path the copy replaces with {pool}.
HARDCODED_POOL = {"manpage.c": "/pmem-fs/myfile", "setjmp.c": "/pmem-fs/myfile"}

# data_store accepts these (rtree it rejects); 500 inserts is its maximum.
DATA_STORE_TYPES = ["btree", "ctree", "rbtree", "skiplist", "hashmap_tx",
                    "hashmap_atomic", "hashmap_rp"]
# mapcli inserts keys with OID_NULL values, which ctree cannot take (its
# insert asks pmemobj_type_num of the value and crashes): ctree is left out.
MAPCLI_TYPES = ["btree", "rbtree", "rtree", "skiplist", "hashmap_tx",
                "hashmap_atomic", "hashmap_rp"]


# The maps built on the atomic API (and actions) rather than transactions.
ATOMIC_MAPS = {"hashmap_atomic", "hashmap_rp"}
ATOMIC_SHOWS = ["REGION_MAP", "STORE", "LIB_WRITE", "LIB_CALL"]


class Step:
    """One process: argv after the program, its stdin, and the program
    when it is not the run's."""

    def __init__(self, argv, stdin=None, program=None):
        self.argv, self.stdin, self.program = argv, stdin, program


class Run:
    """One use of a program: its steps share one pool. `shows`: the record
    kinds its traces must hold between them when they are not the usual
    (a pool, the program's stores, the library's writes and calls, and the
    transactions of a program that has some)."""

    def __init__(self, name, program, steps, layout=None, shows=None):
        self.name, self.program, self.steps = name, program, steps
        self.layout = layout  # pmempool create obj --layout LAYOUT first
        self.shows = shows


def mapcli_script(ops, seed=1):
    """`ops` inserts of known keys, half of them removed again, checks of
    both halves, and `ops` // 2 random inserts: mapcli's commands."""
    rnd = random.Random(seed)
    keys = rnd.sample(range(1, 1 << 40), ops)
    lines = ["i %d" % k for k in keys]
    lines += ["r %d" % k for k in keys[: ops // 2]]
    lines += ["c %d" % k for k in keys[ops // 4: 3 * ops // 4]]
    lines += ["n %d" % (ops // 2), "q"]
    return "\n".join(lines) + "\n"


def runs(ops=500, mapcli_ops=2000):
    """Every run of the corpus, with `ops` data_store inserts and
    `mapcli_ops` mapcli inserts (and as many other commands)."""
    out = []
    for t in DATA_STORE_TYPES:
        steps = [Step([t, "{pool}", str(ops)])]
        # Again on the pool left behind: opens it and destroys the map,
        # which the hashmaps do not implement.
        if not t.startswith("hashmap"):
            steps.append(Step([t, "{pool}", str(ops // 5 or 1)]))
        out.append(Run("data_store-" + t, "data_store", steps,
                       shows=ATOMIC_SHOWS if t in ATOMIC_MAPS else None))
    script = mapcli_script(mapcli_ops)
    for t in MAPCLI_TYPES:
        out.append(Run("mapcli-" + t, "mapcli",
                       [Step([t, "{pool}", "1"], stdin=script)],
                       shows=ATOMIC_SHOWS if t in ATOMIC_MAPS else None))
    out.append(Run("queue", "queue", [
        Step(["{pool}", "new", "16"]),
        Step(["{pool}", "enqueue", "alpha"]),
        Step(["{pool}", "enqueue", "bravo"]),
        Step(["{pool}", "dequeue"]),
        Step(["{pool}", "show"]),
    ], layout="queue"))
    out.append(Run("fifo", "fifo", [
        Step(["{pool}", "insert", "a"]), Step(["{pool}", "insert", "b"]),
        Step(["{pool}", "remove"]), Step(["{pool}", "print"])]))
    for log in ("obj_pmemlog", "obj_pmemlog_macros", "obj_pmemlog_minimal",
                "obj_pmemlog_simple"):
        out.append(Run(log, log, [
            Step(["c", "{pool}", "a:first", "v:second:third", "w", "n", "t"]),
            Step(["o", "{pool}", "a:fourth", "w", "r", "a:fifth", "w"])]))
    out.append(Run("obj_pmemblk", "obj_pmemblk", [
        Step(["c", "{pool}", "512", "w:0:zero", "w:5:five", "r:5", "z:0",
              "e:5"]),
        Step(["o", "{pool}", "512", "r:5", "w:7:seven", "r:7"])]))
    for kind in ("string_store", "string_store_tx", "string_store_tx_type"):
        out.append(Run(kind, kind + "_writer", [
            Step(["{pool}"], stdin="pmcheck\n"),
            Step(["{pool}"], program=kind + "_reader")]))
    out.append(Run("btree", "btree", [
        Step(["{pool}", "i", str(k), "value%d" % k]) for k in
        (5, 3, 8, 1, 4, 7, 9, 2, 6)] + [
        Step(["{pool}", "f", "4"]), Step(["{pool}", "p"])]))
    out.append(Run("lists", "lists", [
        Step(["{pool}", "0", "foo", "1"]), Step(["{pool}", "0", "foo", "2"]),
        Step(["{pool}", "1", "bar", "3"]), Step(["{pool}", "0", "foo",
                                                 "print"])]))
    out.append(Run("pi", "pi", [
        Step(["{pool}", "calc", "2", "40"]), Step(["{pool}", "print"])]))
    out.append(Run("buffons_needle_problem", "buffons_needle_problem", [
        Step(["{pool}", "200"]), Step(["{pool}"])]))
    # manpage only creates its pool; setjmp aborts its only transaction.
    out.append(Run("manpage", "manpage", [Step([])],
                   shows=["REGION_MAP", "REGION_UNMAP", "LIB_CALL"]))
    out.append(Run("setjmp", "setjmp", [Step([])],
                   shows=["REGION_MAP", "TX_BEGIN", "TX_ABORT", "TX_END"]))
    out.append(Run("slab_allocator", "slab_allocator", [
        Step(["{pool}"]), Step(["{pool}"])]))
    # libart's add_child4 asserts once a node needs a fourth child (a bug
    # of the example, natively too): three keys, then one more insert.
    art_pairs = "".join("k%d\nvalue%d\n" % (k, k) for k in range(3))
    out.append(Run("arttree", "arttree", [
        Step(["-m", "f", "-n", "3", "{pool}"], stdin=art_pairs),
        Step(["-m", "i", "extra:value", "{pool}"]),
        Step(["-m", "s", "k2", "{pool}"]),
        Step(["-m", "r", "k1", "{pool}"]),
        Step(["-m", "d", "{pool}"])]))
    return out


class Corpus:
    """A copy of the examples, built with pmcc into `work`."""

    def __init__(self, tools, work, examples=EXAMPLES, jobs=None, cc=None):
        self.tools = tools
        self.cc = cc or tools.pmcc  # clang: a native build, for benchmarks
        self.work = work
        self.src = os.path.join(work, "src")
        self.obj = os.path.join(work, "obj")
        self.bin = os.path.join(work, "bin")
        self.pools = os.path.join(work, "pools")
        self.traces = os.path.join(work, "traces")
        self.jobs = jobs or os.cpu_count() or 2
        self._objects = {}
        if not os.path.isdir(self.src):
            shutil.copytree(examples, self.src)
        for d in (self.obj, self.bin, self.pools, self.traces):
            os.makedirs(d, exist_ok=True)

    def path(self, rel):
        return os.path.join(self.src, rel)

    def _object(self, rel, prog, flags):
        """rel compiled with pmcc, once per set of flags (data_store and
        mapcli share the map library)."""
        key = (rel, tuple(prog.cflags), tuple(flags))
        if key in self._objects:
            return self._objects[key]
        out = os.path.join(self.obj, "%s.%d.o" % (rel.replace("/", "__"),
                                                  len(self._objects)))
        includes = [os.path.dirname(rel)] + prog.includes
        cmd = [self.cc, "-g", "-O1", "-w", *prog.cflags, *flags,
               "-I" + INCLUDE, "-I" + self.src] + [
            "-I" + os.path.join(self.src, d) for d in includes] + [
            "-c", rel, "-o", out]
        proc = subprocess.run(cmd, cwd=self.src, capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
        self._objects[key] = out
        return out

    def build(self, name, flags=()):
        """The program `name` built with pmcc (each source compiled once
        per set of flags, in parallel), its path."""
        prog = PROGRAMS[name]
        with concurrent.futures.ThreadPoolExecutor(self.jobs) as pool:
            objs = list(pool.map(
                lambda rel: self._object(rel, prog, flags), prog.sources))
        out = os.path.join(self.bin, name)
        cmd = [self.cc, "-g", *objs, "-o", out, "-lpmemobj",
               "-lpmem", "-pthread", *prog.libs]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
        return out

    def programs(self, run):
        return {step.program or run.program for step in run.steps}

    def prepare(self, run):
        """The sources of the run's program as the run needs them (their
        objects are then compiled again); whether one was rewritten."""
        rewritten = False
        for rel in PROGRAMS[run.program].sources:
            base = os.path.basename(rel)
            if base in HARDCODED_POOL:
                self._objects = {k: v for k, v in self._objects.items()
                                 if k[0] != rel}
                text = open(self.path(rel)).read()
                text = text.replace(HARDCODED_POOL[base], self.pool(run))
                if not os.access(self.path(rel), os.W_OK):
                    os.chmod(self.path(rel), 0o644)
                with open(self.path(rel), "w") as f:
                    f.write(text)
                rewritten = True
        return rewritten

    def pool(self, run):
        return os.path.join(self.pools, run.name + ".pool")

    def execute(self, run, binaries, env=None):
        """Run every step under `pmcheck run`; the traces, in order. A
        step that fails fails the run (the programs exit 0 when they
        work)."""
        pool = self.pool(run)
        if os.path.exists(pool):
            os.unlink(pool)
        if run.layout:
            subprocess.run(["pmempool", "create", "obj", "--layout",
                            run.layout, "--size", "16M", pool], check=True,
                           capture_output=True)
        traces = []
        for i, step in enumerate(run.steps):
            program = step.program or run.program
            trace = os.path.join(self.traces, f"{run.name}.{i}.pmt")
            argv = [binaries[program]] + [a.replace("{pool}", pool)
                                          for a in step.argv]
            cmd = [self.tools.pmcheck, "run", "-o", trace, "--", *argv]
            proc = subprocess.run(cmd, input=step.stdin or "",
                                  capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                raise AssertionError(
                    f"{' '.join(argv)} exited {proc.returncode}:\n"
                    f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
            traces.append(trace)
        return traces

    def check(self, trace, model="adr"):
        """The findings of one trace: [(severity, rule, file, line, count,
        message)]."""
        db = trace + ".db"
        _, report = self.tools.check_json(trace, db, model)
        return [(f["severity"], f["rule"], f["location"]["file"],
                 f["location"]["line"], f.get("count", 1), f["message"])
                for f in report["findings"]]


def summary(tools, trace):
    """Record counts by kind of a trace (pmcheck dump --summary)."""
    proc = tools.dump(trace, "--summary")
    if proc.returncode != 0:
        raise AssertionError(f"pmcheck dump --summary {trace}: {proc.stderr}")
    counts = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isupper() and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    return counts


def load_expected(path):
    with open(path) as f:
        return json.load(f)
