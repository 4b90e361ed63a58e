#!/usr/bin/python3
"""Mutated copies of PMDK's examples: each bug must be caught with the
right rule at the right line (suite 'pmdk').

Each mutation copies the examples, changes one source the way a programmer
could get it wrong, builds the program with pmcc, runs it as the corpus
does and checks the traces. The site is found by its text in the installed
source, so the expected line is computed from the mutated source, and a
mutation whose text is not found fails (the examples changed) rather than
passing vacuously. The unmutated programs give no error finding
(test_examples.py), so every error here is the mutation's doing:

- persist deleted: data_store's store_item_construct loses its
  pmemobj_persist; the constructor's store of item_data is never made
  persistent (hashmap_atomic and hashmap_rp allocate items with it).
- TX_ADD deleted: hashmap_tx's insert no longer adds the count it then
  increments; the increment is a tx-unlogged-store (mapcli: one
  transaction per insert, so the hashmap is not new in it).
- publication moved before its initialisation: obj_pmemlog_simple's append
  moves the write offset forward before it adds the log header to the
  transaction and before it copies the data; a crash before the commit
  would roll back to a snapshot that already holds the new offset, over
  data never written: tx-unlogged-store at the moved line.

Every error finding must be at the mutated line, and the expected rule
among them.

Under `pmcheck crash` (class CrashMutations): mapcli, one transaction per
command, inserts keys, removes half and inserts more; the recovery of each
crash state opens the pool with mapcli and walks the map with its print
command, and fails when the walk is not what the map promises - each key
once, in order for a tree, as many as the count says for a map that counts
(walk.sh below; map_check itself only says whether a map object exists).
A mutated copy that is a crash-consistency bug must fail with
crash-recovery-failed naming a store of the mutated code; the unmutated
maps must not fail:

- TX_ADD deleted from btree_map_insert_node: a split moves the median into
  the parent without logging it; a crash before the commit (a crash point
  inside the commit's libpmemobj call) keeps the parent's new slot and
  item while the rollback restores the split node and frees its new
  sibling: the walk meets the median twice.
- TX_ADD_FIELD(hashmap, count) deleted from hashmap_tx's insert: the
  rollback undoes the insert but not the count: count and walk disagree.

Not crash failures, said here rather than pretended:
- the deleted persist of data_store's store_item_construct loses an
  item's random data, which no recovery can tell from any other value;
- obj_pmemlog_simple's early write offset, before the data is copied, lets
  a crash leave the log claiming zero bytes it never wrote: a reader
  prints them as an empty entry, consistent as far as the log knows.

usage: test_mutations.py --build DIR --source DIR [--examples DIR]
                         [-k NAME]...
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import unittest

import corpus

SKIP = 77
ARGS = None


class Mutation:
    """Edit one source of a copy: find `anchor` (the first line containing
    it), then apply `edit` to the list of lines at that index; edit returns
    the new lines and the index of the line the bug must be reported at."""

    def __init__(self, rel, anchor, edit):
        self.rel, self.anchor, self.edit = rel, anchor, edit

    def apply(self, path):
        """Mutate the file; the line number the bug must be reported at."""
        with open(path) as f:
            lines = f.read().split("\n")
        at = [i for i, text in enumerate(lines) if self.anchor in text]
        if not at:
            raise AssertionError(f"{self.rel}: no line holds {self.anchor!r}")
        lines, target = self.edit(lines, at[0])
        os.chmod(path, 0o644)
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return target + 1


def delete_line_before(target_text):
    """Delete the anchor's line; the bug is at the last line before it that
    holds target_text."""
    def edit(lines, i):
        target = max(k for k in range(i) if target_text in lines[k])
        return lines[:i] + lines[i + 1:], target
    return edit


def delete_line_after(target_text):
    """Delete the anchor's line; the bug is at the first line after it that
    holds target_text."""
    def edit(lines, i):
        target = next(k for k in range(i + 1, len(lines))
                      if target_text in lines[k])
        return lines[:i] + lines[i + 1:], target - 1
    return edit


def move_line_after(anchor_text):
    """Move the anchor's line to just after the last line before it that
    holds anchor_text; the bug is at the moved line."""
    def edit(lines, i):
        to = max(k for k in range(i) if anchor_text in lines[k])
        moved = lines[i]
        rest = lines[:i] + lines[i + 1:]
        return rest[:to + 1] + [moved] + rest[to + 1:], to + 1
    return edit


class Mutations(unittest.TestCase):
    work = None

    @classmethod
    def setUpClass(cls):
        cls.tools = corpus.e2e.Tools(ARGS.build, ARGS.source)
        cls.work = corpus.e2e.scratch_path("pmcheck-mutations-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def caught(self, name, mutation, runs, rule):
        c = corpus.Corpus(self.tools, os.path.join(self.work, name),
                          ARGS.examples)
        line = mutation.apply(c.path(mutation.rel))
        wanted = [r for r in corpus.runs() if r.name in runs]
        self.assertEqual(len(wanted), len(runs), runs)
        for run in wanted:
            binaries = {p: c.build(p) for p in c.programs(run)}
            errors = set()
            for trace in c.execute(run, binaries):
                errors |= {(rule_, file, ln) for sev, rule_, file, ln, _, _
                           in c.check(trace) if sev == "error"}
            self.assertIn((rule, mutation.rel, line), errors,
                          f"{run.name}: {rule} at {mutation.rel}:{line}")
            stray = {e for e in errors if e[1:] != (mutation.rel, line)}
            self.assertEqual(set(), stray,
                             f"{run.name}: errors away from the mutation")

    def test_persist_deleted(self):
        m = Mutation("map/data_store.c",
                     "pmemobj_persist(pop, item, sizeof(*item));",
                     delete_line_before("item->item_data = rand();"))
        self.caught("persist", m,
                    ["data_store-hashmap_atomic", "data_store-hashmap_rp"],
                    "unpersisted-store")

    def test_tx_add_deleted(self):
        m = Mutation("hashmap/hashmap_tx.c", "TX_ADD_FIELD(hashmap, count);",
                     delete_line_after("D_RW(hashmap)->count++;"))
        self.caught("tx_add", m, ["mapcli-hashmap_tx"], "tx-unlogged-store")

    def test_publication_before_initialisation(self):
        m = Mutation("pmemlog/obj_pmemlog_simple.c",
                     "D_RW(logp)->hdr.write_offset += count;",
                     move_line_after("char *dst = D_RW(logp)->data"))
        self.caught("publish", m, ["obj_pmemlog_simple"],
                    "tx-unlogged-store")


# The recovery of a crash state: walk.sh MAPCLI TYPE IMAGE SORTED. mapcli
# opens the pool (libpmemobj rolls back an unfinished transaction) and
# prints the map: "count: N" when the map counts, then its keys.
WALK_SH = r"""#!/bin/sh
printf 'p\nq\n' | "$1" "$2" "$3" 1 > walk.txt || exit $?
awk -v sorted="$4" '
/^count: / { count = $2; next }
{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) {
    n++
    if (sorted && n > 1 && $i + 0 <= last + 0) {
        print "key " $i " after " last > "/dev/stderr"; exit 1 }
    last = $i } }
END { if (count != "" && count + 0 != n) {
    print "count " count ", " n " keys walked" > "/dev/stderr"; exit 1 } }
' walk.txt
"""

# mapcli inserts: enough for btree to split nodes under a parent.
CRASH_OPS = 60
SORTED = {"btree", "rbtree", "skiplist"}


class CrashMutations(unittest.TestCase):
    work = None

    @classmethod
    def setUpClass(cls):
        cls.tools = corpus.e2e.Tools(ARGS.build, ARGS.source)
        cls.work = corpus.e2e.scratch_path("pmcheck-mutations-crash-")
        cls.walk = os.path.join(cls.work, "walk.sh")
        with open(cls.walk, "w") as f:
            f.write(WALK_SH)
        os.chmod(cls.walk, 0o755)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def crash(self, c, kind):
        """mapcli KIND under pmcheck run, then pmcheck crash with the
        walk as the recovery: its crash-recovery-failed findings."""
        binary = c.build("mapcli")
        run = corpus.Run("mapcli-" + kind, "mapcli", [corpus.Step(
            [kind, "{pool}", "1"], stdin=corpus.mapcli_script(CRASH_OPS))])
        trace = c.execute(run, {"mapcli": binary})[0]
        db = trace + ".crash.db"
        recover = (f"{self.walk} {binary} {kind} {{image}} "
                   f"{1 if kind in SORTED else 0}")
        proc = subprocess.run(
            [self.tools.pmcheck, "crash", trace, "--db", db, "--quiet",
             "--format", "json", "--recover", recover],
            capture_output=True, text=True)
        self.assertIn(proc.returncode, (0, 1), proc.stderr)
        report = json.loads(proc.stdout)
        return [f for f in report["findings"]
                if f["rule"] == "crash-recovery-failed"]

    def fails(self, name, mutation, kind):
        c = corpus.Corpus(self.tools, os.path.join(self.work, name),
                          ARGS.examples)
        line = mutation.apply(c.path(mutation.rel))
        found = self.crash(c, kind)
        self.assertTrue(found, f"{name}: no crash state failed")
        # A failing state keeps the mutated store in, at a crash point
        # inside a libpmemobj call of its transaction.
        at_call = [f for f in found
                   if "before it wrote to pmem" in f["notes"][-1]["message"]]
        stores = {(n["location"]["file"], n["location"]["line"])
                  for f in at_call for n in f["notes"] if n["role"] == "store"}
        self.assertIn((mutation.rel, line), stores,
                      f"{name}: no failing state names the mutated store")

    def test_unmutated(self):
        c = corpus.Corpus(self.tools, os.path.join(self.work, "plain"),
                          ARGS.examples)
        for kind in ("btree", "hashmap_tx"):
            self.assertEqual([], self.crash(c, kind), kind)

    def test_btree_insert_node_tx_add_deleted(self):
        m = Mutation("tree_map/btree_map.c", "TX_ADD(node);",
                     delete_line_after("D_RW(node)->slots[p] = left;"))
        self.fails("btree", m, "btree")

    def test_hashmap_tx_count_tx_add_deleted(self):
        m = Mutation("hashmap/hashmap_tx.c", "TX_ADD_FIELD(hashmap, count);",
                     delete_line_after("D_RW(hashmap)->count++;"))
        self.fails("hashmap_tx", m, "hashmap_tx")


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--examples", default=corpus.EXAMPLES)
    p.add_argument("-k", dest="pattern", action="append")
    ARGS = p.parse_args()
    if not os.path.isdir(ARGS.examples):
        print(f"skipped: {ARGS.examples} is not installed")
        return SKIP
    loader = unittest.defaultTestLoader
    if ARGS.pattern:
        loader.testNamePatterns = [f"*{k}*" for k in ARGS.pattern]
    suite = unittest.TestSuite([loader.loadTestsFromTestCase(Mutations),
                                loader.loadTestsFromTestCase(CrashMutations)])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
