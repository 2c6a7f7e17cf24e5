"""A synthetic machine for the recorder's tests and benchmarks.

:class:`SyntheticHost` is a :class:`pystat.reader.Host` whose /proc files are
generated from a small, deterministic model (seeded), one sample per
``wait()``, without sleeping: thousands of samples in seconds.  Tests change
the model between samples (``host.state``) to make counters reset or wrap,
devices and CPUs come and go, the machine reboot, or the clock step.
"""

from __future__ import annotations

import os
import random

from pystat.errors import SeriesExhausted, SourceError
from pystat.reader import Host, Root

HZ = 100


class Disk:
    def __init__(self, name: str, major: int, minor: int, whole: bool = True):
        self.name, self.major, self.minor, self.whole = name, major, minor, whole
        self.c = [0] * 17      # the 17 counters of a diskstats line

    def line(self) -> str:
        return "%4d %7d %s %s\n" % (self.major, self.minor, self.name, " ".join(map(str, self.c)))


class State:
    def __init__(self, ncpu: int, seed: int):
        self.rng = random.Random(seed)
        self.cpus = {n: [0] * 10 for n in range(ncpu)}
        self.intr = 1000
        self.ctxt = 5000
        self.forks = 100
        self.running = 1
        self.blocked = 0
        self.btime = 1_799_990_000
        self.uptime_cs = 10_000
        self.vm = {"pgpgin": 0, "pgpgout": 0, "pswpin": 0, "pswpout": 0}
        self.mem = {"MemTotal": 8_000_000, "MemFree": 6_000_000, "MemAvailable": 7_000_000,
                    "Buffers": 50_000, "Cached": 500_000, "SwapCached": 0, "Active": 600_000,
                    "Inactive": 400_000, "SwapTotal": 1_000_000, "SwapFree": 1_000_000,
                    "SReclaimable": 40_000}
        self.disks = {d.name: d for d in (Disk("vda", 253, 0), Disk("vda1", 253, 1, False),
                                          Disk("loop0", 7, 0))}

    def advance(self, seconds: float) -> None:
        r = self.rng
        ticks = int(round(seconds * HZ))
        for times in self.cpus.values():
            busy = r.randint(0, ticks)
            user = r.randint(0, busy)
            system = busy - user
            times[0] += user
            times[2] += system
            wait = r.randint(0, ticks - busy)
            times[4] += wait
            times[3] += ticks - busy - wait
        self.intr += r.randint(100, 5000)
        self.ctxt += r.randint(200, 20000)
        self.forks += r.randint(0, 20)
        self.running = r.randint(1, 6)
        self.blocked = r.randint(0, 2)
        self.uptime_cs += ticks
        for k in ("pgpgin", "pgpgout"):
            self.vm[k] += r.randint(0, 50_000)
        self.mem["MemFree"] = max(0, self.mem["MemFree"] + r.randint(-20_000, 20_000))
        self.mem["Cached"] = max(0, self.mem["Cached"] + r.randint(-5_000, 5_000))
        for d in self.disks.values():
            if d.name not in ("vda", "vda1"):      # the others move only when a test says so
                continue
            reads, writes = r.randint(0, 500), r.randint(0, 500)
            d.c[0] += reads
            d.c[2] += reads * 8
            d.c[3] += reads // 2
            d.c[4] += writes
            d.c[6] += writes * 8
            d.c[7] += writes // 2
            d.c[8] = r.randint(0, 3)
            d.c[9] += r.randint(0, int(seconds * 1000))
            d.c[10] += r.randint(0, int(seconds * 1000))

    def files(self) -> dict[str, str]:
        total = [sum(t[i] for t in self.cpus.values()) for i in range(10)]
        stat = ["cpu  " + " ".join(map(str, total))]
        stat += [f"cpu{n} " + " ".join(map(str, t)) for n, t in self.cpus.items()]
        stat.append(f"intr {self.intr} 0 0\nctxt {self.ctxt}\nbtime {self.btime}\n"
                    f"processes {self.forks}\nprocs_running {self.running}\n"
                    f"procs_blocked {self.blocked}\nsoftirq 0 0\n")
        up = self.uptime_cs
        return {
            "/proc/stat": "\n".join(stat),
            "/proc/uptime": "%d.%02d %d.%02d\n" % (up // 100, up % 100, up // 100, up % 100),
            "/proc/vmstat": "nr_free_pages 1\n" + "".join(f"{k} {v}\n" for k, v in self.vm.items()),
            "/proc/meminfo": "".join("%-15s %8d kB\n" % (k + ":", v) for k, v in self.mem.items()),
            "/proc/diskstats": "".join(d.line() for d in self.disks.values()),
        }


class SyntheticRoot(Root):
    __slots__ = ("files", "block")

    def __init__(self, state: State, opened: dict):
        super().__init__("/", opened)
        self.path = "(synthetic)"
        self.files = state.files()
        self.block = [d.name for d in state.disks.values() if d.whole]

    def read(self, path: str) -> str:
        self.opened[path] = None
        try:
            return self.files[path]
        except KeyError:
            raise SourceError(f"cannot read {path}: No such file or directory") from None

    def listdir(self, path: str) -> list[str]:
        self.opened[path + "/"] = None
        if path == "/sys/block":
            return list(self.block)
        raise SourceError(f"cannot list {path}: No such file or directory")

    def exists(self, path: str) -> bool:
        return path in self.files or path == "/sys/block"


class SyntheticHost(Host):
    """``samples`` samples (then SeriesExhausted), ``step`` seconds apart from ``start``.

    ``on_wait(host)`` runs after each step, before the new root is built: tests
    change ``host.state`` or ``host.t`` there.
    """

    live = False

    def __init__(self, samples: int, step: float = 1.0, start: float = 1_800_000_000.0,
                 ncpu: int = 2, seed: int = 1, on_wait=None, state: State | None = None):
        self.opened = {}
        self.samples_left = samples
        self.step = step
        self.t = start
        self.k = 0
        self.state = State(ncpu, seed) if state is None else state
        self.on_wait = on_wait
        self.root = SyntheticRoot(self.state, self.opened)

    def now(self) -> float:
        return self.t

    def wait(self, seconds: float) -> None:
        if self.k + 1 >= self.samples_left:
            raise SeriesExhausted("synthetic host: done")
        self.k += 1
        self.t += self.step
        self.state.advance(self.step)
        if self.on_wait is not None:
            self.on_wait(self)
        self.root = SyntheticRoot(self.state, self.opened)

    def uname(self):
        return ("Linux", "synthetic", "6.1.0-test", "x86_64")

    @property
    def hz(self) -> int:
        return HZ

    @property
    def pagesize(self) -> int:
        return 4096


def fill_raw(db: str, samples: int, step: int = 3, start: float = 1_800_000_000.0,
             ncpu: int = 2, seed: int = 1) -> None:
    """A database whose finest archive holds ``samples`` synthetic samples ``step``
    seconds apart (written in one transaction, the coarser archives left empty):
    a day of 3 s samples in seconds, for the history benchmarks."""
    from pystat.recorder.model import DEFAULT_ARCHIVES, Archive
    from pystat.recorder.sources import collect_all
    from pystat.recorder.store import Sample, Store

    if not os.path.exists(db):
        open(db, "w").close()
    layout = [Archive(step, max(samples, DEFAULT_ARCHIVES[0].span // step))]
    layout += [a for a in DEFAULT_ARCHIVES[1:] if a.step > step]
    store = Store.open_write(db, layout, {"hz": str(HZ), "pagesize": "4096",
                                          "uname": '["Linux", "synthetic", "6.1.0", "x86_64"]'})
    state = State(ncpu, seed)
    t = start
    store.conn.execute("BEGIN")
    for _ in range(samples):
        root = SyntheticRoot(state, {})
        groups = collect_all(root)
        up = state.uptime_cs / 100
        store.write_raw(Sample(t, up, state.btime, groups))
        state.advance(step)
        t += step
    store.conn.execute("COMMIT")
    store.close()
