"""CPU time (user + system) of whole processes, interleaved, medians: ratios
that a loaded, shared machine disturbs less than wall-clock time.

    python benchmarks/cpu_ratio.py ant ROOT [RUNS]      # pystat -ant vs netstat -ant on ROOT
    python benchmarks/cpu_ratio.py antp [RUNS]          # pystat -antp vs psutil, live

(the live comparison expects connections held, e.g. by hold_connections.py)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENV = dict(os.environ, PYTHONPATH=REPO, LC_ALL="C")


def cpu(cmd) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``cmd``, output discarded."""
    import time

    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _pid, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd}: failed")
    return ru.ru_utime + ru.ru_stime, wall


def compare(a, b, runs: int) -> None:
    ca, cb, wa, wb = [], [], [], []
    for _ in range(runs):
        x = cpu(a[1])
        y = cpu(b[1])
        ca.append(x[0]), wa.append(x[1]), cb.append(y[0]), wb.append(y[1])
    for name, c, w in ((a[0], ca, wa), (b[0], cb, wb)):
        print(f"{name:32} CPU median {statistics.median(c):.3f} s (min {min(c):.3f})   "
              f"wall median {statistics.median(w):.3f} s")
    print(f"ratio {a[0]} / {b[0]}: CPU {statistics.median(ca) / statistics.median(cb):.2f}, "
          f"wall {statistics.median(wa) / statistics.median(wb):.2f}")


def main(argv) -> None:
    py = [sys.executable, "-m", "pystat"]
    if argv[0] == "ant":
        root = argv[1]
        runs = int(argv[2]) if len(argv) > 2 else 15
        real = ["unshare", "-m", "sh", "-c", 'mount --bind "$0/proc" /proc && exec netstat -ant',
                root]
        compare(("pystat netstat -ant", py + ["--root", root, "netstat", "-ant"]),
                ("netstat -ant", real), runs)
    elif argv[0] == "antp":
        runs = int(argv[1]) if len(argv) > 1 else 7
        compare(("pystat netstat -antp", py + ["netstat", "-antp"]),
                ("psutil.net_connections('tcp')",
                 [sys.executable, "-c", "import psutil; psutil.net_connections('tcp')"]), runs)


if __name__ == "__main__":
    main(sys.argv[1:])
