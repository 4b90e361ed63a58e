#!/usr/bin/python3
"""check_pmdk.py - run rt_pmdk and assert the exact records of its trace:
the libpmem interposers (a library's writes are LIB_WRITEs, the program's
own calls and the calls inside its libpmemobj flush calls are not, nested
calls record once) and the libpmemobj hooks (pools, LIB_CALL boundaries,
transactions derived from the stages the fake library reports).

    check_pmdk.py RT_PMDK

Uses check_trace.py's strict reader of the format.
"""
import os
import struct
import subprocess
import sys
import tempfile

import check_trace as ct

# Keep each record's body: LIB_CALL's function and result are in it.
_rec_init = ct.Rec.__init__


def _rec_init_with_body(self, kind, flags, site, seq, thread, body, data):
    _rec_init(self, kind, flags, site, seq, thread, body, data)
    self.body = body


ct.Rec.__init__ = _rec_init_with_body

BEGIN, END = 1, 2
NO_FLUSH = 1
PMDK_FILE = 0x03


def describe(t, r, base):
    """A record as (kind, flags, offset, what), what being the data, the
    length, or for LIB_CALL the function and result."""
    off = r.addr - base if r.addr is not None else None
    what = r.data if r.data is not None else r.len
    if r.name == "LIB_CALL":
        function, result = struct.unpack_from("<Ii", r.body)
        what = (t.strings[function], result if r.flags == END else None)
    if r.name == "REGION_MAP":
        what = (r.len, os.path.basename(t.strings[r.path]))
    return (r.name, r.uflags, off, what)


def call(name, result=0):
    return [("LIB_CALL", BEGIN, None, (name, None)),
            ("LIB_CALL", END, None, (name, result))]


def expected():
    e = [("LIB_CALL", BEGIN, None, ("pmemobj_create", None)),
         ("REGION_MAP", PMDK_FILE, 0, (1 << 20, "pool")),
         ("LIB_CALL", END, None, ("pmemobj_create", 0)),
         ("LIB_WRITE", 0, 64, b"LIBFLUSH"),
         ("LIB_WRITE", 0, 128, b"NESTED-PERSISTED"),
         ("LIB_WRITE", 0, 192, b"copy"),
         ("LIB_WRITE", 0, 256, b"MSYNCED!"),
         ("STORE", 0, 320, b"QUIETLY!"),
         ("FLUSH", 4, 320, 8),
         ("FENCE", 4, None, None),
         ("LIB_CALL", BEGIN, None, ("pmemobj_alloc", None)),
         ("LIB_WRITE", 0, 384, b"ALLOCHDR"),
         ("LIB_CALL", END, None, ("pmemobj_alloc", 0))]
    begin = call("pmemobj_tx_begin")
    e += [begin[0], ("TX_BEGIN", 0, None, None), begin[1]]
    add = call("pmemobj_tx_add_range_direct")
    e += [add[0], ("TX_ADD", 0, 512, 16), add[1]]
    xadd = call("pmemobj_tx_xadd_range")
    e += [xadd[0], ("TX_ADD", NO_FLUSH, 584, 8), xadd[1]]
    e += call("pmemobj_tx_add_range_direct", -1)
    alloc = call("pmemobj_tx_alloc")
    e += [alloc[0], ("TX_ALLOC", 0, 640, 64), alloc[1]]
    free = call("pmemobj_tx_free")
    e += [("TX_FREE", 0, 640, 64), free[0], free[1]]
    process = call("pmemobj_tx_process")
    e += [process[0], ("TX_COMMIT", 0, None, None), process[1]]
    e += process + process
    end = call("pmemobj_tx_end")
    e += [end[0], ("TX_END", 0, None, None), end[1]]
    # nested, aborted inside
    e += [begin[0], ("TX_BEGIN", 0, None, None), begin[1]] * 2
    e += [("LIB_CALL", BEGIN, None, ("pmemobj_tx_abort", None)),
          ("TX_ABORT", 0, None, None)]
    e += process + process
    e += [end[0], ("TX_END", 0, None, None)]
    e += [("TX_ABORT", 0, None, None)]
    e += process + process
    e += [end[0], ("TX_END", 0, None, None), end[1]]
    # a failed begin
    e += [begin[0], ("TX_BEGIN", 0, None, None), ("TX_ABORT", 0, None, None),
          ("LIB_CALL", END, None, ("pmemobj_tx_begin", 12))]
    e += process + process
    e += [end[0], ("TX_END", 0, None, None), end[1]]
    e += [("REGION_UNMAP", 0, 0, 1 << 20), ("EXIT", 0, None, None)]
    return e


def site_line(t, r):
    return t.sites[r.site].line if r.site else 0


def main():
    driver = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="rt-pmdk-") as tmp:
        trace = os.path.join(tmp, "t.pmt")
        env = ct.clean_env({"PMTRACE_FILE": trace})
        p = subprocess.run([driver, tmp], env=env, capture_output=True,
                           text=True, timeout=60)
        ct.check(p.returncode == 0, "rt_pmdk exited %d: %s"
                 % (p.returncode, p.stderr))
        base = ct.parse_out(p.stdout)["base"]
        t = ct.Trace(trace)
        events = [r for r in t.events() if r.name != "REGION_DATA"]
        got = [describe(t, r, base) for r in events]
        want = expected()
        if got != want:
            lines = ["events differ:"]
            for i in range(max(len(got), len(want))):
                g = got[i] if i < len(got) else None
                w = want[i] if i < len(want) else None
                lines.append("%s %-70r %r" % ("  " if g == w else "!!", g, w))
            raise ct.Bad("\n".join(lines))
        # The library's writes carry the program's call they happened in.
        writes = [r for r in events if r.name == "LIB_WRITE"]
        ct.check([site_line(t, r) for r in writes] == [0, 0, 0, 0, 30],
                 "LIB_WRITE sites")
        adds = [r for r in events if r.name in ("TX_ADD", "TX_ALLOC")]
        ct.check({site_line(t, r) for r in adds} == {41}, "TX_ADD sites")
    print("ok pmdk")


if __name__ == "__main__":
    try:
        main()
    except ct.Bad as e:
        print("FAIL:", e)
        sys.exit(1)
