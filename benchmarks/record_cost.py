"""The steady-state CPU cost of one sample: pystat record against sysstat's sadc.

    python -m benchmarks.record_cost [--samples 20] [--step 1] [--exclude SOURCE]...

Runs ``pystat record --step S`` and ``/usr/lib/sysstat/sadc S N FILE`` (default
activities, and ``-S XALL``) side by side on this machine, and reads each
process's time on a CPU from /proc/PID/schedstat (nanoseconds) once start-up
is over and again N samples later: the difference over N is the cost of a
sample, start-up excluded. Start-up alone is measured by the pytest
benchmarks (``record: start-up and 1 sample``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

SADC = "/usr/lib/sysstat/sadc"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def on_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--step", type=int, default=1)
    ap.add_argument("--exclude", action="append", default=[], metavar="SOURCE",
                    help="passed to pystat record")
    args = ap.parse_args(argv)
    n, step = args.samples, args.step
    tmp = tempfile.mkdtemp()
    total = n + 6          # 3 samples of start-up, n measured, a margin
    cmds = {
        "pystat record": [sys.executable, "-m", "pystat", "record", "--db",
                          os.path.join(tmp, "h.db"), "--step", f"{step}s",
                          "--duration", f"{(total - 1) * step}s",
                          *(a for x in args.exclude for a in ("--exclude", x))],
        "sadc": [SADC, str(step), str(total), os.path.join(tmp, "sa")],
        "sadc -S XALL": [SADC, "-S", "XALL", str(step), str(total), os.path.join(tmp, "sax")],
    }
    env = dict(os.environ, PYTHONPATH=REPO)
    procs = {k: subprocess.Popen(c, env=env, stdout=subprocess.DEVNULL) for k, c in cmds.items()}
    start = time.monotonic()
    time.sleep(3.5 * step)
    first = {k: on_cpu(p.pid) for k, p in procs.items()}
    time.sleep(n * step - (time.monotonic() - start - 3.5 * step))
    last = {k: on_cpu(p.pid) for k, p in procs.items()}
    for p in procs.values():
        p.wait()
    sizes = {k: os.path.getsize(os.path.join(tmp, f)) for k, f in
             (("sadc", "sa"), ("sadc -S XALL", "sax"))}
    ref = (last["sadc"] - first["sadc"]) / n
    print(f"CPU per sample, start-up excluded ({n} samples {step} s apart):")
    for k in cmds:
        per = (last[k] - first[k]) / n
        print(f"    {k:16s} {per * 1e3:7.3f} ms   {per / ref:5.2f}x sadc")
    for k, size in sizes.items():
        print(f"    {k} file: {size / total:.0f} bytes a sample")


if __name__ == "__main__":
    main()
