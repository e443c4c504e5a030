#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Turn idxd-bench results into the comparison table of doc/benchmarks.md.
#
# Usage: idxd_report.py DIR
# DIR holds, per driver D in (udrv, upstream):
#   tput.D.N     idxd-bench throughput output, one file per repetition
#   cg.D.PID.K   callgrind dumps, one per (size, burst)
# Prints a Markdown table: operations per second (median of the
# repetitions) and instructions per operation in the PMD's fast path
# (enqueue + submit + completed), with udrv/upstream ratios, then the
# target check (udrv <= 0.8x upstream's instructions at bursts >= 32).
import glob
import os
import re
import statistics
import sys

DRIVERS = ("udrv", "upstream")


def read_throughput(d, drv):
    """{(size, burst): [ops_per_sec, ...]} over the repetitions."""
    res = {}
    for path in sorted(glob.glob(os.path.join(d, f"tput.{drv}.*"))):
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) == 6 and fields[0].isdigit() and fields[5] == "ok":
                    key = (int(fields[0]), int(fields[1]))
                    res.setdefault(key, []).append(float(fields[4]))
                elif len(fields) >= 3 and fields[0].isdigit() and fields[2] == "error":
                    raise SystemExit(f"{path}: {line.strip()}")
                elif len(fields) == 6 and fields[0].isdigit():
                    raise SystemExit(f"{path}: data check failed: {line.strip()}")
    return res


def read_callgrind(path):
    """(size, burst, ops, PMD instructions) of one dump: everything
    collected (only inside the bench_* wrappers and what they call) minus
    the wrappers' own instructions."""
    names = {}
    fn = None
    after_call = False
    wrapper_self = 0
    summary = None
    label = None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("desc: Trigger: Client Request: "):
                label = line[len("desc: Trigger: Client Request: "):]
            elif line.startswith("summary:"):
                summary = int(line.split()[1])
            elif line.startswith("fn=") or line.startswith("cfn="):
                # Names are given once, at first use, in fn= or cfn=.
                m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
                if m.group(2):
                    names[m.group(1)] = m.group(2)
                if line.startswith("fn="):
                    fn = names.get(m.group(1), "")
                    after_call = False
            elif line.startswith("calls="):
                after_call = True
            elif line and (line[0].isdigit() or line[0] in "+-*"):
                cost = int(line.split()[1]) if len(line.split()) > 1 else 0
                if after_call:
                    after_call = False  # inclusive cost of a call
                elif fn is not None and fn.startswith("bench_"):
                    wrapper_self += cost
    if label is None or summary is None:
        return None
    kv = dict(x.split("=") for x in label.split(","))
    return int(kv["size"]), int(kv["burst"]), int(kv["ops"]), summary - wrapper_self


def read_instructions(d, drv):
    res = {}
    for path in glob.glob(os.path.join(d, f"cg.{drv}.*.*")):
        r = read_callgrind(path)
        if r is not None and r[2] > 0:
            res[(r[0], r[1])] = r[3] / r[2]
    return res


def main():
    d = sys.argv[1]
    tput = {drv: read_throughput(d, drv) for drv in DRIVERS}
    instr = {drv: read_instructions(d, drv) for drv in DRIVERS}
    keys = sorted(set(tput["udrv"]) | set(instr["udrv"]))
    print("| copy size | burst | udrv ops/s | upstream ops/s | ratio | "
          "udrv instr/op | upstream instr/op | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for key in keys:
        ops = [statistics.median(tput[drv][key]) if key in tput[drv] else None
               for drv in DRIVERS]
        ins = [instr[drv].get(key) for drv in DRIVERS]
        ops_ratio = f"{ops[0] / ops[1]:.2f}" if None not in ops else "-"
        ins_ratio = f"{ins[0] / ins[1]:.2f}" if None not in ins else "-"
        if None not in ins and key[1] >= 32:
            worst = max(worst, ins[0] / ins[1])
        fmt_ops = [f"{o:,.0f}" if o is not None else "-" for o in ops]
        fmt_ins = [f"{i:.1f}" if i is not None else "-" for i in ins]
        print(f"| {key[0]} | {key[1]} | {fmt_ops[0]} | {fmt_ops[1]} | {ops_ratio} | "
              f"{fmt_ins[0]} | {fmt_ins[1]} | {ins_ratio} |")
    print()
    if worst == 0.0:
        print("No instruction counts: target not checked.")
        return 1
    ok = worst <= 0.8
    print(f"Instructions per operation at bursts >= 32: udrv is at most {worst:.2f}x "
          f"upstream's (target <= 0.80x): {'met' if ok else 'NOT met'}.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
