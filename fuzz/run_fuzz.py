#!/usr/bin/python3
"""run_fuzz - run one of pmcheck's libFuzzer targets for a bounded time.

The fuzzer starts from the seed corpus (read only) and keeps what it finds
in a work directory: corpus/ (new interesting inputs) and artifacts/
(inputs that broke a promise, with libFuzzer's report in fuzz.log). The
test suite runs each target for seconds; fuzz/README.md gives the longer
run, e.g.

    fuzz/run_fuzz.py --fuzzer build-asan/fuzz/fuzz_trace \\
        --seeds fuzz/corpus/trace --dict fuzz/trace.dict \\
        --time 600 --work /tmp/fuzz-trace

Exit status: 0 when the fuzzer found nothing, 1 when it did (the
artifacts are listed, with the command that replays each), 2 on a usage
error.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--fuzzer", required=True, help="the libFuzzer binary")
    p.add_argument("--seeds", required=True, help="the seed corpus directory")
    p.add_argument("--dict", help="a libFuzzer dictionary")
    p.add_argument("--time", type=int, default=60, help="seconds to fuzz")
    p.add_argument("--jobs", type=int, default=1,
                   help="fuzzing processes in parallel")
    p.add_argument("--work", help="keep the work directory here (default: "
                   "a temporary one, kept only when something was found)")
    p.add_argument("extra", nargs="*", help="more libFuzzer options")
    return p.parse_args()


def fuzz_command(args, work):
    cmd = [args.fuzzer,
           f"-max_total_time={args.time}",
           "-timeout=20",            # one input: a hang is a finding
           "-rss_limit_mb=2048",     # memory must stay bounded
           "-malloc_limit_mb=1024",
           "-print_final_stats=1",
           "-close_fd_mask=1",       # reports; errors and findings stay
           f"-artifact_prefix={os.path.join(work, 'artifacts')}/"]
    if args.dict:
        cmd.append(f"-dict={args.dict}")
    if args.jobs > 1:
        cmd += [f"-jobs={args.jobs}", f"-workers={args.jobs}"]
    return cmd + args.extra + [os.path.join(work, "corpus"), args.seeds]


def main():
    args = parse_args()
    if not os.access(args.fuzzer, os.X_OK) or not os.path.isdir(args.seeds):
        print(f"run_fuzz: need an executable --fuzzer and a --seeds "
              f"directory", file=sys.stderr)
        return 2
    # The fuzzer runs in the work directory: every path made absolute.
    args.fuzzer, args.seeds = map(os.path.abspath, (args.fuzzer, args.seeds))
    if args.dict:
        args.dict = os.path.abspath(args.dict)
    work = os.path.abspath(args.work or
                           tempfile.mkdtemp(prefix="pmcheck-fuzz-"))
    for sub in ("corpus", "artifacts"):
        os.makedirs(os.path.join(work, sub), exist_ok=True)
    cmd = fuzz_command(args, work)
    print("run_fuzz:", " ".join(cmd), flush=True)
    log_path = os.path.join(work, "fuzz.log")
    with open(log_path, "w") as log:
        # -jobs writes each worker's log to fuzz-N.log in the working
        # directory: keep those in the work directory too.
        status = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT,
                                 cwd=work)
    with open(log_path, errors="replace") as log:
        lines = log.read().splitlines()
    stats = [l for l in lines if l.startswith("stat::")
             or "DONE" in l or "INITED" in l]
    print("\n".join(stats[-12:]))
    artifacts = sorted(os.listdir(os.path.join(work, "artifacts")))
    if status == 0 and not artifacts:
        print(f"run_fuzz: {os.path.basename(args.fuzzer)}: nothing found in "
              f"{args.time} s")
        if not args.work:
            shutil.rmtree(work)
        return 0
    print("\n".join(lines[-60:]))
    print(f"run_fuzz: {os.path.basename(args.fuzzer)} exited {status}; "
          f"work directory {work}")
    for a in artifacts:
        path = os.path.join(work, "artifacts", a)
        print(f"run_fuzz: replay with: {args.fuzzer} {path}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
