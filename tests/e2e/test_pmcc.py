#!/usr/bin/python3
"""pmcc as a drop-in cc: direct compiles and links, make, meson and cmake.

Each build makes a small libpmem program; running it under `pmcheck run`
and reading `pmcheck dump` proves the pass instrumented it and the runtime
was linked in. Exit status 77 (skipped) while the pass plugin or the
runtime library is not built.

usage: test_pmcc.py --tools BUILD/tools --plugin PLUGIN --runtime LIBPMTRACE
                    --llvm-bindir DIR
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

SKIP = 77
ARGS = None

PROGRAM = textwrap.dedent("""\
    #include <libpmem.h>
    #include <pmtrace.h>
    #include <stdio.h>

    int store_word(char *pool);

    int main(int argc, char **argv)
    {
        size_t len;
        int is_pmem;
        if (argc < 2)
            return 2;
        char *pool = pmem_map_file(argv[1], 4096, PMEM_FILE_CREATE, 0644,
                                   &len, &is_pmem);
        if (pool == NULL) {
            perror(argv[1]);
            return 1;
        }
        store_word(pool);
        PMT_DURABLE();
        pmem_unmap(pool, len);
        return 0;
    }
    """)

HELPER = textwrap.dedent("""\
    #include <libpmem.h>
    #include <stdint.h>

    int store_word(char *pool)
    {
        *(volatile uint64_t *)(pool + 64) = 0x2a;
        pmem_persist(pool + 64, 8);
        return 0;
    }
    """)

# The store of HELPER, line 6, as `pmcheck dump` prints it.
STORE_LINE = re.compile(
    r"^ +\d+ t1 STORE r1\+0x40 8 2a00000000000000 @ (\S*/)?helper\.c:6:\d+ "
    r"store_word$", re.M)


def tool(name):
    return os.path.join(ARGS.tools, name)


def run(cmd, cwd, env=None, check=True):
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True,
                          text=True)
    if check and proc.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (
            " ".join(cmd), proc.returncode, proc.stdout, proc.stderr))
    return proc


class PmccTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pmcheck-e2e-pmcc-")
        for name, text in (("main.c", PROGRAM), ("helper.c", HELPER)):
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def defined_symbols(self, binary, dynamic=False):
        nm = os.path.join(ARGS.llvm_bindir, "llvm-nm")
        cmd = [nm, "--defined-only", "--format=just-symbols"]
        if dynamic:
            cmd.append("-D")
        return run(cmd + [binary], self.dir).stdout.split()

    def assert_traced(self, prog):
        """Run prog under pmcheck and find HELPER's store in the dump."""
        trace = self.path("prog.pmt")
        proc = run([tool("pmcheck"), "run", "-o", trace, "--", prog,
                    self.path("pool")], self.dir)
        self.assertIn("pmcheck: trace written to %s" % trace, proc.stderr)
        self.assertIn("program exited with status 0", proc.stderr)
        dump = run([tool("pmcheck"), "dump", "--events", trace],
                   self.dir).stdout
        self.assertRegex(dump, STORE_LINE)
        self.assertIn(" DURABLE @ ", dump)
        os.unlink(self.path("pool"))

    # ---- direct use -------------------------------------------------

    def test_compile_then_link(self):
        run([tool("pmcc"), "-g", "-O2", "-c", "main.c"], self.dir)
        run([tool("pmcc"), "-g", "-O2", "-c", "helper.c", "-o", "helper.o"],
            self.dir)
        obj = self.defined_symbols(self.path("helper.o"))
        self.assertNotIn("__pmt_hull", obj)  # no runtime in an object
        run([tool("pmcc"), "-o", "prog", "main.o", "helper.o", "-lpmem"],
            self.dir)
        self.assertIn("__pmt_hull", self.defined_symbols(self.path("prog")))
        self.assert_traced(self.path("prog"))

    def test_untraced_run_is_plain(self):
        run([tool("pmcc"), "-O0", "-o", "prog", "main.c", "helper.c",
             "-lpmem"], self.dir)
        proc = run([self.path("prog"), self.path("pool")], self.dir)
        self.assertEqual(proc.stderr, "")
        self.assertEqual(sorted(os.listdir(self.dir)),
                         ["helper.c", "main.c", "pool", "prog"])

    def test_shared_library_gets_no_runtime(self):
        run([tool("pmcc"), "-shared", "-fPIC", "-o", "libhelper.so",
             "helper.c"], self.dir)
        syms = self.defined_symbols(self.path("libhelper.so"), dynamic=True)
        self.assertIn("store_word", syms)
        self.assertNotIn("__pmt_store", syms)

    def test_cxx_driver(self):
        with open(self.path("main.cc"), "w") as f:
            f.write('#include <vector>\nextern "C" int store_word(char *);\n'
                    "int main() { std::vector<char> v(128);\n"
                    "  return store_word(v.data()); }\n")
        run([tool("pmcc"), "-c", "helper.c"], self.dir)
        run([tool("pmc++"), "-O1", "-o", "prog", "main.cc", "helper.o",
             "-lpmem"],
            self.dir)
        run([self.path("prog")], self.dir)

    def test_verbose_and_preprocessor(self):
        proc = run([tool("pmcc"), "-c", "helper.c"], self.dir,
                   env={"PMCC_VERBOSE": "1"})
        self.assertRegex(proc.stderr, r"^pmcc: \S*clang -fpass-plugin=")
        self.assertNotIn("libpmtrace.a", proc.stderr)
        proc = run([tool("pmcc"), "-E", "-dM", "-x", "c", "/dev/null"],
                   self.dir)
        self.assertIn("#define __PMTRACE__ 1", proc.stdout)
        proc = run([tool("pmcc"), "--version"], self.dir)
        self.assertIn("clang version", proc.stdout)

    def test_missing_plugin_is_a_clear_error(self):
        proc = run([tool("pmcc"), "-c", "helper.c"], self.dir,
                   env={"PMCHECK_PLUGIN": self.path("none.so")}, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("pmcc: error: pass plugin %s" % self.path("none.so"),
                      proc.stderr)

    # ---- build systems ----------------------------------------------

    def test_make(self):
        with open(self.path("Makefile"), "w") as f:
            f.write("prog: main.o helper.o\n"
                    "\t$(CC) $(LDFLAGS) -o $@ $^ -lpmem\n")
        run(["make", "CC=" + tool("pmcc"), "CFLAGS=-g -O1"], self.dir)
        self.assert_traced(self.path("prog"))

    def test_meson(self):
        with open(self.path("meson.build"), "w") as f:
            f.write("project('e2e', 'c')\n"
                    "executable('prog', 'main.c', 'helper.c',\n"
                    "  dependencies : dependency('libpmem'))\n")
        run(["meson", "setup", "build", "-Dbuildtype=debugoptimized"],
            self.dir, env={"CC": tool("pmcc")})
        run(["ninja", "-C", "build"], self.dir)
        self.assert_traced(self.path("build", "prog"))

    def test_cmake(self):
        with open(self.path("CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.13)\n"
                    "project(e2e C)\n"
                    "add_executable(prog main.c helper.c)\n"
                    "target_link_libraries(prog pmem)\n")
        run(["cmake", "-S", ".", "-B", "build", "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
            self.dir, env={"CC": tool("pmcc")})
        run(["cmake", "--build", "build"], self.dir)
        self.assert_traced(self.path("build", "prog"))


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--tools", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--runtime", required=True)
    parser.add_argument("--llvm-bindir", required=True)
    ARGS, rest = parser.parse_known_args()
    for need in (ARGS.plugin, ARGS.runtime):
        if not os.path.exists(need):
            print("skipped: %s is not built yet" % need)
            return SKIP
    for prog in ("make", "meson", "ninja", "cmake"):
        if shutil.which(prog) is None:
            print("skipped: %s is not installed" % prog)
            return SKIP
    os.environ.pop("PMCHECK_PLUGIN", None)
    os.environ.pop("PMCHECK_RUNTIME", None)
    result = unittest.main(argv=[sys.argv[0]] + rest, exit=False).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
