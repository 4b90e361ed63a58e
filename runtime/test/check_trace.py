#!/usr/bin/python3
"""check_trace.py - run one rt_driver scenario and assert its trace.

    check_trace.py RT_DRIVER SCENARIO [WRAPPER]

WRAPPER, when given, runs the driver (no_membarrier for the threads
scenario without membarrier).

The reader below is written from pmtrace_format.h / docs/trace-format.md
alone (Python stdlib only), independent of the C reader, and is strict: it
fails on anything the format does not allow (a bad checksum, an unsealed
block that is not the last of its thread, a record running past `used`,
non-zero padding, a seq that does not increase, an id used before the
record that defines it). Each scenario then asserts the exact records the
driver must have produced.
"""
import os
import re
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time

HEADER_SIZE = 4096
BLOCK_SIZE = 65536
BLOCK_HDR = 32
PAYLOAD = BLOCK_SIZE - BLOCK_HDR
BLOCK_MAGIC = 0x42544D50
SEALED = 1

# kind: (name, fixed body size, has data)
KINDS = {
    1: ("STRING", 0, True), 2: ("SITE", 24, False), 3: ("THREAD", 8, False),
    4: ("REGION_MAP", 32, False), 5: ("REGION_DATA", 8, True),
    6: ("REGION_UNMAP", 16, False), 7: ("EXIT", 8, False),
    10: ("STORE", 8, True), 11: ("NT_STORE", 8, True),
    12: ("STORE_FILL", 24, False), 13: ("FLUSH", 16, False),
    14: ("FENCE", 0, False), 15: ("LOAD", 16, False), 16: ("LOCK", 8, False),
    17: ("UNLOCK", 8, False), 20: ("ASSERT_PERSISTED", 16, False),
    21: ("ASSERT_ORDERED", 32, False), 22: ("DURABLE", 0, False),
    23: ("CRASH_POINT", 0, False), 24: ("COMMIT_VAR", 16, False),
    25: ("MARKER", 8, False), 30: ("LIB_WRITE", 8, True),
    31: ("LIB_CALL", 8, False), 32: ("TX_BEGIN", 0, False),
    33: ("TX_ADD", 16, False), 34: ("TX_COMMIT", 0, False),
    35: ("TX_ABORT", 0, False), 36: ("TX_END", 0, False),
    37: ("TX_ALLOC", 16, False), 38: ("TX_FREE", 16, False),
}
META = ("THREAD", "STRING", "SITE")


class Bad(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Bad(what)


def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    table = CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


class Rec:
    """One record; fields by kind, as named in pmtrace_format.h."""

    def __init__(self, kind, flags, site, seq, thread, body, data):
        self.name = KINDS[kind][0]
        self.kind, self.flags, self.site, self.seq = kind, flags, site, seq
        self.uflags = flags & ~7 if KINDS[kind][2] else flags
        self.thread, self.data = thread, data
        self.addr = self.len = self.value = None
        n = self.name
        if n in ("STORE", "NT_STORE", "REGION_DATA", "LIB_WRITE", "LOCK",
                 "UNLOCK", "THREAD"):
            (self.addr,) = struct.unpack_from("<Q", body)
        elif n in ("FLUSH", "LOAD", "REGION_UNMAP", "ASSERT_PERSISTED",
                   "COMMIT_VAR", "TX_ADD", "TX_ALLOC", "TX_FREE"):
            self.addr, self.len = struct.unpack_from("<QQ", body)
        elif n == "STORE_FILL":
            self.addr, self.len, self.value = struct.unpack_from("<QQB", body)
        elif n == "ASSERT_ORDERED":
            self.addr, self.len, self.addr2, self.len2 = struct.unpack_from(
                "<QQQQ", body)
        elif n == "REGION_MAP":
            (self.addr, self.len, self.region, self.path,
             self.file_offset) = struct.unpack_from("<QQIIQ", body)
        elif n == "SITE":
            (self.line, self.column, self.file, self.dir, self.function,
             _) = struct.unpack_from("<6I", body)
        elif n == "MARKER":
            self.value, _ = struct.unpack_from("<II", body)
        elif n == "EXIT":
            self.value, _ = struct.unpack_from("<iI", body)


class Trace:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.raw = f.read()
        self.size = len(self.raw)
        self._header()
        self._blocks()
        self._records()

    def _header(self):
        raw = self.raw
        check(self.size >= HEADER_SIZE, "file shorter than its header")
        (magic, version, hsize, bsize, self.flags, self.pid, self.start_ns,
         clen, hcrc, self.claimed, self.end_kind,
         self.end_code) = struct.unpack_from("<8sIIIIQQIIQIi", raw)
        check(magic == b"PMTRACE\0", "magic")
        check(version == 1, "version")
        check(hsize == HEADER_SIZE and bsize == BLOCK_SIZE, "sizes")
        check(clen <= HEADER_SIZE - 64, "cmdline_len")
        self.cmdline = raw[64:64 + clen]
        check(crc32c(self.cmdline, crc32c(raw[:44])) == hcrc, "header crc")
        check(self.size >= HEADER_SIZE + self.claimed * BLOCK_SIZE,
              "file shorter than its claimed blocks")
        check((self.size - HEADER_SIZE) % BLOCK_SIZE == 0,
              "file ends inside a block")

    def _blocks(self):
        raw = self.raw
        self.chains = {}  # thread -> [block dicts] by index
        for i in range(self.claimed):
            off = HEADER_SIZE + i * BLOCK_SIZE
            magic, thread, index, flags, used, crc = struct.unpack_from(
                "<6I", raw, off)
            check(magic == BLOCK_MAGIC, "block %d: magic" % i)
            check(used <= PAYLOAD, "block %d: used" % i)
            blk = dict(i=i, off=off, thread=thread, index=index,
                       sealed=bool(flags & SEALED), used=used)
            if blk["sealed"]:
                hdr = raw[off:off + 16]
                check(crc32c(raw[off + 32:off + 32 + used], crc32c(hdr)) == crc,
                      "block %d: crc" % i)
            self.chains.setdefault(thread, []).append(blk)
        # Blocks past blocks_claimed were never handed out: all zero.
        for off in range(HEADER_SIZE + self.claimed * BLOCK_SIZE, self.size,
                         BLOCK_SIZE):
            check(raw[off:off + BLOCK_HDR] == bytes(len(raw[off:off + 32])),
                  "unclaimed block at %d is not empty" % off)
        for thread, chain in self.chains.items():
            chain.sort(key=lambda b: b["index"])
            check([b["index"] for b in chain] == list(range(len(chain))),
                  "thread %d: chain has gaps" % thread)
            for b in chain[:-1]:
                check(b["sealed"], "thread %d: unsealed block %d is not last"
                      % (thread, b["index"]))

    def _records(self):
        raw = self.raw
        self.recs = []
        for thread, chain in self.chains.items():
            last_seq = 0
            first = True
            for b in chain:
                pos, end = b["off"] + BLOCK_HDR, b["off"] + BLOCK_HDR + b["used"]
                while pos < end:
                    kind, flags, ln, site, seq = struct.unpack_from(
                        "<BBHIQ", raw, pos)
                    where = "thread %d block %d +%d" % (
                        thread, b["index"], pos - b["off"])
                    check(ln >= 16 and ln % 8 == 0 and pos + ln <= end,
                          where + ": record length %d" % ln)
                    check(kind in KINDS, where + ": kind %d" % kind)
                    name, body_size, has_data = KINDS[kind]
                    body = raw[pos + 16:pos + 16 + body_size]
                    data = None
                    if has_data:
                        pad = flags & 7
                        size = ln - 16 - body_size - pad
                        check(size >= 0, where + ": data size")
                        start = pos + 16 + body_size
                        data = raw[start:start + size]
                        check(raw[start + size:pos + ln] == bytes(pad),
                              where + ": padding not zero")
                    else:
                        check(ln == 16 + body_size, where + ": %s length %d"
                              % (name, ln))
                    check(seq > last_seq, where + ": seq does not increase")
                    last_seq = seq
                    check((name == "THREAD") == first,
                          where + ": THREAD must be the first record only")
                    first = False
                    self.recs.append(Rec(kind, flags, site, seq, thread, body,
                                         data))
                    pos += ln
        self.recs.sort(key=lambda r: r.seq)
        seqs = [r.seq for r in self.recs]
        check(len(set(seqs)) == len(seqs), "duplicate seq")
        # Ids: defined (densely, from 1) before any use.
        self.strings, self.sites = {}, {}
        for r in self.recs:
            if r.name == "STRING":
                check(r.site == len(self.strings) + 1, "string ids not dense")
                check(r.data.endswith(b"\0"), "string without NUL")
                self.strings[r.site] = r.data[:-1].decode()
            elif r.name == "SITE":
                check(r.site == len(self.sites) + 1, "site ids not dense")
                for sid in (r.file, r.dir, r.function):
                    check(sid == 0 or sid in self.strings,
                          "site uses string %d before it" % sid)
                self.sites[r.site] = r
            elif r.site != 0:
                check(r.site in self.sites,
                      "%s seq %d uses site %d before it" % (r.name, r.seq,
                                                            r.site))
            if r.name == "MARKER":
                check(r.value in self.strings, "marker name undefined")
            if r.name == "REGION_MAP":
                check(r.path in self.strings, "region path undefined")

    # helpers for the scenarios
    def events(self):
        return [r for r in self.recs if r.name not in META]

    def site(self, r):
        s = self.sites[r.site]
        return (s.line, s.column, self.strings.get(s.file),
                self.strings.get(s.dir), self.strings.get(s.function))

    def all_sealed(self):
        return all(c[-1]["sealed"] for c in self.chains.values())

    def exact_size(self):
        return self.size == HEADER_SIZE + self.claimed * BLOCK_SIZE


def u64(v):
    return struct.pack("<Q", v)


# No scenario writes more than a few MB; a broken runtime that loops must
# not fill the disk (the runtime then stops tracing: fallocate fails).
FILE_SIZE_LIMIT = 1 << 30


def limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT,
                                               FILE_SIZE_LIMIT))


def clean_env(extra):
    env = dict(os.environ)
    for k in ("PMTRACE_FILE", "PMTRACE_PMEM", "PMTRACE_LOADS"):
        env.pop(k, None)
    env.update(extra)
    return env


def run(driver, scenario, env_extra, cwd, args=(), timeout=60):
    p = subprocess.run(WRAPPER + [driver, scenario] + list(args),
                       env=clean_env(env_extra), cwd=cwd,
                       capture_output=True, text=True, timeout=timeout,
                       preexec_fn=limit_file_size)
    return p, parse_out(p.stdout)


def parse_out(text):
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition("=")
        out[k] = int(v, 0)
    return out


def expect(events, expected, base):
    """events match expected: (name, uflags, addr offset or None, extra)."""
    got = []
    for r in events:
        off = r.addr - base if r.addr is not None else None
        extra = r.data if r.data is not None else r.len
        if r.name == "STORE_FILL":
            extra = (r.len, r.value)
        got.append((r.name, r.uflags, off, extra))
    if got != expected:
        lines = ["events differ:"]
        for i in range(max(len(got), len(expected))):
            g = got[i] if i < len(got) else None
            e = expected[i] if i < len(expected) else None
            lines.append("%s %-60r %r" % ("  " if g == e else "!!", g, e))
        raise Bad("\n".join(lines))


# ---- scenarios ------------------------------------------------------------

def hook_count_from_abi():
    abi = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                       "include", "pmtrace_abi.h")
    n = 0
    for m in re.finditer(r"X\(\w+, (PMT_HOOK_\w+), \d+\)", open(abi).read()):
        n += 2 if m.group(1) == "PMT_HOOK_PRE_POST" else 1
    return n


def t_basic(driver, tmp):
    trace = os.path.join(tmp, "t.pmt")
    p, out = run(driver, "basic", {"PMTRACE_FILE": trace}, tmp)
    check(p.returncode == 3, "exit status %d: %s" % (p.returncode, p.stderr))
    check(out["hooks"] == hook_count_from_abi(), "hook table size")
    base = out["base"]
    check(out["register"] == 0 and out["overlap"] == 0xFFFFFFFF, "register")
    check(out["store_lo"] == base and out["store_span"] == 65536, "hull")
    check(out["load_span"] == 0, "load hull without PMTRACE_LOADS")
    check(out["unregister"] == 0 and out["unregister2"] == 0xFFFFFFFF,
          "unregister")
    check(out["span_after"] == 0, "hull after unregister")
    t = Trace(trace)
    check(t.pid == out["pid"], "pid")
    check(abs(t.start_ns / 1e9 - time.time()) < 600, "start time")
    check(t.cmdline == (driver + "\0basic\0").encode(), "cmdline")
    check(t.flags == 0, "header flags")
    check(t.end_kind == 1 and t.end_code == 3, "end kind/code")
    check(t.all_sealed() and t.exact_size(), "sealed and cut at exit")
    check(len(t.chains) == 1, "one thread")
    mutex = out["mutex"]
    # Everything after the two region records, in order.
    ev = t.events()
    rmap, rdata = ev[0], ev[1]
    check(rmap.name == "REGION_MAP" and rmap.addr == base and
          rmap.len == 65536 and rmap.region == 1 and rmap.uflags == 4 and
          t.strings[rmap.path] == "basic-region" and rmap.site == 0,
          "REGION_MAP")
    check(rdata.name == "REGION_DATA" and rdata.addr == base + 4096 and
          rdata.data == b"seeds" + bytes(4091), "REGION_DATA: one page")
    nt_locked = [r for r in ev if r.name == "FLUSH"]
    check(nt_locked[1].addr == (nt_locked[1].addr & ~63), "flush aligned")
    dram_flush = nt_locked[1].addr - base
    expect(ev[2:], [
        ("STORE", 0, 0x40, u64(0x1122334455667788)),
        ("STORE", 0, 65532, b"ABCD"),
        ("FLUSH", 3, 0x40, 64),
        ("FLUSH", 2, dram_flush, 64),
        ("FENCE", 1, None, None),
        ("NT_STORE", 0, 0x80, b"nt!!"),
        ("FENCE", 3, None, None),
        ("STORE", 0, 0x88, u64(7)),
        ("STORE", 8, 0x88, u64(7)),
        ("STORE_FILL", 0, 0x100, (300, 0xAB)),
        ("STORE", 0, 0x400, b"hello world\0"),
        ("FENCE", 2, None, None),
        ("ASSERT_PERSISTED", 0, 0x40, 8),
        ("ASSERT_ORDERED", 0, 0x40, 8),
        ("DURABLE", 0, None, None),
        ("CRASH_POINT", 0, None, None),
        ("COMMIT_VAR", 0, 0x88, 8),
        ("MARKER", 0, None, None),
        ("MARKER", 0, None, None),
        ("LOCK", 0, mutex - base, None),
        ("UNLOCK", 0, mutex - base, None),
        ("REGION_UNMAP", 0, 0, 65536),
        ("EXIT", 0, None, None),
    ], base)
    ordered = [r for r in ev if r.name == "ASSERT_ORDERED"][0]
    check((ordered.addr2 - base, ordered.len2) == (0x80, 4), "ordered b")
    markers = [r for r in ev if r.name == "MARKER"]
    check(markers[0].value == markers[1].value and
          t.strings[markers[0].value] == "phase-1", "markers: one string")
    check([r.value for r in ev if r.name == "EXIT"] == [3], "EXIT status")
    # Sites: defined once each, with their strings; calls from outside
    # instrumented code (pmtrace_*) have none.
    by_name = {r.name: r for r in ev}
    check(t.site(ev[2]) == (100, 9, "rt_driver.c", "/src/t", "do_store"),
          "store site")
    check(t.site(by_name["FLUSH"]) == (101, 5, "rt_driver.c", "/src/t",
                                       "do_flush"), "flush site")
    check(t.site(by_name["FENCE"]) == (0, 0, "rt_driver.c", "", "nodebug"),
          "site without debug info")
    check(by_name["DURABLE"].site == 0 and by_name["CRASH_POINT"].site != 0,
          "sites of annotations")
    check(len(t.sites) == 5, "five sites defined once each")
    names = list(t.strings.values())
    check(len(names) == len(set(names)) and "rt_driver.c" in names,
          "strings interned")


def t_libc(driver, tmp):
    trace = os.path.join(tmp, "t.pmt")
    p, out = run(driver, "libc", {"PMTRACE_FILE": trace}, tmp)
    check(p.returncode == 0, p.stderr)
    t = Trace(trace)
    base = out["base"]
    ev = t.events()
    check([r.name for r in ev[:1]] == ["REGION_MAP"], "region first")
    expect(ev[1:], [
        ("STORE", 0, 0, b"abcdefgh"),
        ("STORE", 0, 4, b"abcdefgh"),
        ("STORE", 0, 0x20, b"xyz"),
        ("STORE_FILL", 0, 0x100, (10, ord("x"))),
        ("STORE_FILL", 0, 0x200, (16, 0)),
        ("STORE_FILL", 0, 0x210, (8, 0)),
        ("STORE", 0, 0x300, b"pmem\0"),
        ("STORE", 0, 0x310, b"abc\0"),
        ("STORE", 0, 0x320, b"ab\0\0\0\0"),
        ("STORE", 0, 0x330, b"abcd"),
        ("STORE", 0, 0x304, b"++\0"),
        ("STORE", 0, 0x306, b"xy\0"),
        ("EXIT", 0, None, None),
    ], base)


def t_pmem(driver, tmp):
    trace = os.path.join(tmp, "t.pmt")
    p, out = run(driver, "pmem", {"PMTRACE_FILE": trace}, tmp, [tmp])
    check(p.returncode == 0, p.stderr)
    t = Trace(trace)
    base, base2 = out["base"], out["base2"]
    check(out["resident"] <= 2, "holes were read: %d pages" % out["resident"])
    ev = t.events()
    r1, d1, r2, d2 = ev[:4]
    pool = os.path.realpath(os.path.join(tmp, "pool"))
    check(r1.name == "REGION_MAP" and r1.addr == base and
          r1.len == 1 << 20 and r1.uflags == 1 and r1.file_offset == 0 and
          t.strings[r1.path] == pool, "region 1 (length from /proc/self/maps)")
    # Only the page with data: holes and the all-zero extent are skipped.
    check(d1.name == "REGION_DATA" and d1.addr == base + 8192 and
          d1.data == b"DDDD" + bytes(4092), "region 1 content")
    check(r2.name == "REGION_MAP" and r2.addr == base2 and r2.len == 65536 and
          r2.region == 2, "region 2 (length from mapped_lenp)")
    check(d2.name == "REGION_DATA" and d2.addr == base2 and
          d2.data == b"second" + bytes(4090), "region 2 content")
    dram = [r for r in ev if r.name == "FLUSH" and
            not base <= r.addr < base + (1 << 20)][0].addr - base
    F, L = PMT_FLUSH_LIB, PMT_FENCE_LIB
    expect(ev[4:], [
        ("FLUSH", F, 0x10, 8), ("FENCE", L, None, None),
        ("FLUSH", F, 0x20, 100),
        ("FENCE", L, None, None),
        ("FLUSH", F, 0x30, 8), ("FENCE", L, None, None),
        ("FLUSH", F, 0x40, 8), ("FENCE", L, None, None),
        ("FLUSH", F, 0x50, 8),
        ("FENCE", L, None, None),
        ("FLUSH", F, dram, 8), ("FENCE", L, None, None),
        ("STORE", 0, 0x100, b"cp"), ("FLUSH", F, 0x100, 2),
        ("FENCE", L, None, None),
        ("STORE", 0, 0x110, b"cn"), ("FLUSH", F, 0x110, 2),
        ("STORE", 0, 0x120, b"mp"), ("FLUSH", F, 0x120, 2),
        ("FENCE", L, None, None),
        ("STORE", 0, 0x130, b"mn"), ("FLUSH", F, 0x130, 2),
        ("STORE_FILL", 0, 0x140, (3, ord("s"))), ("FLUSH", F, 0x140, 3),
        ("FENCE", L, None, None),
        ("STORE_FILL", 0, 0x150, (3, ord("n"))), ("FLUSH", F, 0x150, 3),
        ("STORE", 0, 0x200, b"f0"), ("FLUSH", F, 0x200, 2),
        ("FENCE", L, None, None),
        ("NT_STORE", 0, 0x210, b"nt"), ("FLUSH", F, 0x210, 2),
        ("FENCE", L, None, None),
        ("STORE", 0, 0x220, b"nd"), ("FLUSH", F, 0x220, 2),
        ("STORE", 0, 0x230, b"nf"),
        ("STORE", 0, 0x240, b"mv"), ("FLUSH", F, 0x240, 2),
        ("FENCE", L, None, None),
        ("STORE_FILL", 0, 0x250, (4, ord("z"))),
        ("FLUSH", F, dram, 2), ("FENCE", L, None, None),
        ("REGION_UNMAP", 0, 0, 1 << 20),
        ("EXIT", 0, None, None),
    ], base)


PMT_FLUSH_LIB, PMT_FENCE_LIB = 4, 4


def t_mmap(driver, tmp):
    trace = os.path.join(tmp, "t.pmt")
    for d in ("pm", "pmx"):
        os.mkdir(os.path.join(tmp, d))
    # The directory through a symlink: mappings are matched canonically.
    os.symlink(os.path.join(tmp, "pm"), os.path.join(tmp, "link"))
    pmem = "%s/link/:%s/one" % (tmp, tmp)
    p, out = run(driver, "mmap", {"PMTRACE_FILE": trace, "PMTRACE_PMEM": pmem},
                 tmp, [tmp])
    check(p.returncode == 0, p.stderr)
    t = Trace(trace)
    a, b, c = out["a"], out["b"], out["c"]
    ev = t.events()
    maps = [r for r in ev if r.name == "REGION_MAP"]
    pool = os.path.realpath(os.path.join(tmp, "pm", "pool"))
    one = os.path.realpath(os.path.join(tmp, "one"))
    check([(r.addr, r.len, r.file_offset, t.strings[r.path], r.uflags)
           for r in maps] == [(a, 65536, 0, pool, 1), (b, 8192, 4096, pool, 1),
                              (c, 4096, 0, one, 1)], "regions")
    # a: two non-zero pages in one run; b: the second page only (it maps
    # the file from 4096); c: a sparse file, nothing.
    data = [(r.addr, len(r.data), r.data[:4], r.data[4096:4100])
            for r in ev if r.name == "REGION_DATA"]
    check(data == [(a, 8192, b"MMAP", b"OFFS"), (b, 4096, b"OFFS", b"")],
          "contents: %r" % data)
    rest = [(r.name, r.addr, r.data) for r in ev
            if r.name in ("STORE", "REGION_UNMAP")]
    check(rest == [("STORE", a + 8, u64(0x0a)), ("STORE", b + 8, u64(0x0b)),
                   ("STORE", c + 8, u64(0x0c)), ("REGION_UNMAP", a, None),
                   ("REGION_UNMAP", b, None), ("STORE", c + 16, u64(0x0c))],
          "stores and unmaps: %r" % rest)


def t_loads(driver, tmp):
    trace = os.path.join(tmp, "t.pmt")
    p, out = run(driver, "loads", {"PMTRACE_FILE": trace, "PMTRACE_LOADS": "1"},
                 tmp)
    check(p.returncode == 0, p.stderr)
    base = out["base"]
    check(out["load_lo"] == base and out["load_span"] == 4096, "load hull")
    t = Trace(trace)
    check(t.flags == 1, "PMT_FILE_LOADS")
    expect(t.events()[1:], [
        ("LOAD", 0, 8, 8),
        ("LOAD", 0, 0, 16),
        ("LOAD", 0, 0, 16),
        ("STORE", 0, 0x100, bytes(16)),
        ("EXIT", 0, None, None),
    ], base)


def t_threads(driver, tmp, membarrier=True):
    trace = os.path.join(tmp, "t.pmt")
    p, out = run(driver, "threads", {"PMTRACE_FILE": trace}, tmp)
    check(p.returncode == 0, p.stderr)
    t = Trace(trace)
    base, mutex = out["base"], out["mutex"]
    # main, 4 workers, and the runner still storing when main exited: the
    # exit handler stopped it and sealed its block too - unless it cannot
    # know the runner is quiet (no membarrier): then that block stays
    # unsealed, and is still valid.
    check(len(t.chains) == 6, "threads: %d" % len(t.chains))
    runner_slot = base + 4096 + 4 * 8192
    runner = {r.thread for r in t.recs
              if r.name == "STORE" and runner_slot <= r.addr < runner_slot + 4096}
    check(len(runner) == 1, "one runner")
    unsealed = {th for th, c in t.chains.items() if not c[-1]["sealed"]}
    # (Without membarrier the runner usually stays unsealed, but it may
    # also have sealed a full block itself and found the trace closed.)
    check(unsealed <= (set() if membarrier else runner),
          "unsealed at exit: %r (runner %r)" % (unsealed, runner))
    check(t.exact_size(), "cut at exit")
    check(sum(len(c) for c in t.chains.values()) > 20, "many blocks")
    tids = [r.addr for r in t.recs if r.name == "THREAD"]
    check(len(set(tids)) == 6, "os tids")
    # The counter is stored under the lock: in seq order its values are
    # exactly 1..N, so seq order agrees with the lock order.
    counter = [struct.unpack("<Q", r.data)[0] for r in t.recs
               if r.name == "STORE" and r.addr == base]
    check(counter == list(range(1, 4 * 5000 + 1)), "counter order")
    # LOCK and UNLOCK alternate, each pair on one thread.
    locks = [(r.name, r.thread) for r in t.recs
             if r.name in ("LOCK", "UNLOCK") and r.addr == mutex]
    check(len(locks) == 2 * 4 * 5000, "lock events")
    for i in range(0, len(locks), 2):
        check(locks[i][0] == "LOCK" and locks[i + 1] == ("UNLOCK",
                                                         locks[i][1]),
              "lock order at %d" % i)
    exits = [r for r in t.recs if r.name == "EXIT"]
    after = {r.thread for r in t.recs if exits and r.seq > exits[0].seq}
    # Without membarrier the runner cannot be stopped for sure: it alone may
    # record after EXIT.
    check(len(exits) == 1 and after <= (set() if membarrier else runner),
          "EXIT last (records after it from threads %r)" % after)


def counting_ok(t, base, complete):
    stores = [struct.unpack("<Q", r.data)[0] for r in t.recs
              if r.name == "STORE" and base <= r.addr < base + 65536]
    check(stores == list(range(1, len(stores) + 1)),
          "stores are 1..n without a gap")
    if complete is not None:
        check(len(stores) == complete, "all %d stores" % complete)
    names = [r.name for r in t.events() if r.name in
             ("STORE", "FLUSH", "FENCE")]
    check(names[:3 * (len(names) // 3)] ==
          ["STORE", "FLUSH", "FENCE"] * (len(names) // 3), "store/flush/fence")
    return len(stores)


def t_kill(driver, tmp):
    trace = os.path.join(tmp, "t.pmt")
    proc = subprocess.Popen([driver, "kill"],
                            env=clean_env({"PMTRACE_FILE": trace}), cwd=tmp,
                            stdout=subprocess.PIPE, text=True,
                            preexec_fn=limit_file_size)
    try:
        base = int(proc.stdout.readline().split("=")[1], 0)
        check(proc.stdout.readline().startswith("ready="), "ready")
        time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    check(proc.returncode == -signal.SIGKILL, "killed")
    t = Trace(trace)
    check(t.end_kind == 0, "end unknown")
    # The last block is usually unsealed, but the kill may also land after
    # a full block was sealed and before the next was claimed: no check.
    check(not any(r.name == "EXIT" for r in t.recs), "no EXIT")
    n = counting_ok(t, base, None)
    check(n >= 20000, "records up to the kill: %d" % n)


def death(scenario, status):
    """_exit and abort: no EXIT, the last block unsealed, every record."""
    def test(driver, tmp):
        trace = os.path.join(tmp, "t.pmt")
        p, out = run(driver, scenario, {"PMTRACE_FILE": trace}, tmp)
        check(p.returncode == status, "status %d" % p.returncode)
        t = Trace(trace)
        check(t.end_kind == 0 and not t.all_sealed(), "unsealed")
        check(not any(r.name == "EXIT" for r in t.recs), "EXIT")
        counting_ok(t, out["base"], 5000)
    return test


def t_split(driver, tmp):
    trace = os.path.join(tmp, "t.pmt")
    p, out = run(driver, "split", {"PMTRACE_FILE": trace}, tmp)
    check(p.returncode == 0, p.stderr)
    t = Trace(trace)
    base = out["base"]

    def joined(name):
        recs = [r for r in t.recs if r.name == name and r.addr >= base]
        pos = recs[0].addr
        blob = b""
        for r in recs:
            check(r.addr == pos, name + ": pieces are contiguous")
            blob += r.data
            pos += len(r.data)
        return recs, blob

    recs, blob = joined("REGION_DATA")
    check(recs[0].addr == base and
          blob == bytes((i * 7 + 3) & 0xFF for i in range(512 << 10)),
          "initial content, split")
    stores = [r for r in t.recs if r.name == "STORE"]
    big, last = stores[:-1], stores[-1]
    check(len(big) >= 4, "200 KiB store split in %d" % len(big))
    blob = b"".join(r.data for r in big)
    check(big[0].addr == base + 1000 and
          all(b.addr == a.addr + len(a.data) for a, b in zip(big, big[1:])) and
          blob == bytes((i * 13 + 1) & 0xFF for i in range(200 << 10)),
          "store pieces")
    check(len({r.site for r in big}) == 1, "pieces share the site")
    check(last.addr == base and last.data == u64(42), "store after")
    check(t.all_sealed() and len(t.chains[1]) >= 12, "blocks")


def t_fork(driver, tmp):
    trace = os.path.join(tmp, "t.pmt")
    p, out = run(driver, "fork", {"PMTRACE_FILE": trace}, tmp)
    check(p.returncode == 0, p.stderr)
    check(out["child_status"] == 0 and out["exec_status"] == 0, "children")
    check(out["child_register"] == 0 and out["child_span"] == 0,
          "the child runs untraced")
    check(out["exec_register"] == 0 and out["exec_span"] == 0,
          "the exec'd child runs untraced")
    check(("pmtrace: cannot create trace %s: in use by another traced "
           "process\n" % trace) == p.stderr, "stderr: %r" % p.stderr)
    t = Trace(trace)
    check(len(t.chains) == 1, "only the parent's thread")
    base = out["base"]
    check(t.end_kind == 1 and t.all_sealed() and t.exact_size(), "closed")
    check(set(t.strings.values()) & {"child", "kid", "exec-child"} == set(),
          "nothing from the children")
    expect(t.events()[1:], [
        ("STORE", 0, 0, u64(0xAAAA)),
        ("STORE", 0, 16, u64(0xBBBB)),
        ("EXIT", 0, None, None),
    ], base)


def t_signals(driver, tmp):
    trace = os.path.join(tmp, "t.pmt")
    p, out = run(driver, "signals", {"PMTRACE_FILE": trace}, tmp)
    check(p.returncode == 0, p.stderr)
    t = Trace(trace)
    base = out["base"]
    main = [r for r in t.recs if r.name == "STORE" and r.addr >= base + 64]
    check([struct.unpack("<Q", r.data)[0] for r in main] ==
          list(range(1, 100001)), "every store of the main loop")
    handler = [struct.unpack("<Q", r.data)[0] for r in t.recs
               if r.name == "STORE" and r.addr == base + 8]
    check(out["handled"] > 0 and 0 < len(handler) <= out["handled"] and
          handler == sorted(handler), "handler stores: %d of %d" % (
              len(handler), out["handled"]))


def t_off(driver, tmp):
    p, out = run(driver, "off", {}, tmp)
    check(p.returncode == 0 and p.stderr == "", p.stderr)
    check(out["register"] == 0 and out["unregister"] == 0, "no-op annotations")
    check(out["store_span"] == 0 and out["load_span"] == 0, "empty hulls")
    check(os.listdir(tmp) == [], "no file written")


def t_nofile(driver, tmp):
    path = os.path.join(tmp, "missing", "t.pmt")
    p, out = run(driver, "off", {"PMTRACE_FILE": path}, tmp)
    check(p.returncode == 0, "status")
    check(p.stderr == "pmtrace: cannot create trace %s: No such file or "
          "directory\n" % path, "stderr: %r" % p.stderr)
    check(out["register"] == 0 and out["store_span"] == 0, "runs untraced")


def t_crc(driver, tmp):
    # The reader's own crc against the standard check value, so a passing
    # trace test means the C writer agrees with CRC-32C, not only with us.
    check(crc32c(b"123456789") == 0xE3069283, "crc32c check value")
    # And a damaged block must be caught.
    trace = os.path.join(tmp, "t.pmt")
    p, _ = run(driver, "libc", {"PMTRACE_FILE": trace}, tmp)
    check(p.returncode == 0, p.stderr)
    Trace(trace)
    with open(trace, "r+b") as f:
        f.seek(HEADER_SIZE + BLOCK_HDR + 40)
        b = f.read(1)
        f.seek(HEADER_SIZE + BLOCK_HDR + 40)
        f.write(bytes([b[0] ^ 1]))
    try:
        Trace(trace)
    except Bad as e:
        check("crc" in str(e), "damage caught: %s" % e)
    else:
        raise Bad("a flipped bit went unnoticed")


SCENARIOS = {
    "basic": t_basic, "libc": t_libc, "pmem": t_pmem, "mmap": t_mmap,
    "loads": t_loads, "threads": t_threads, "kill": t_kill,
    "exit_": death("exit_", 5), "abort": death("abort", -signal.SIGABRT), "split": t_split, "fork": t_fork,
    "signals": t_signals, "off": t_off, "nofile": t_nofile, "crc": t_crc,
    "threads-no-membarrier": lambda d, t: t_threads(d, t, membarrier=False),
}
WRAPPER = []


def main():
    global WRAPPER
    driver, scenario = os.path.abspath(sys.argv[1]), sys.argv[2]
    WRAPPER = [os.path.abspath(w) for w in sys.argv[3:]]
    with tempfile.TemporaryDirectory(prefix="pmtrace-test-") as tmp:
        try:
            SCENARIOS[scenario](driver, tmp)
        except Bad as e:
            print("FAIL %s: %s" % (scenario, e))
            return 1
    print("ok %s" % scenario)
    return 0


if __name__ == "__main__":
    sys.exit(main())
