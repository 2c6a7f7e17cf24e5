"""The size of a history database once every archive of the default layout is full.

    python -m benchmarks.db_size [--mode live|busy] [--db PATH]

Takes this machine's series (one live sample of every source), then fills every
slot of every archive (28,800 + 10,080 + 8,640 with the default layout), as the
recorder would after 30 days, and prints the file size. After that, the file
does not grow (tests/test_record.py checks it on a small layout).

* ``live``: each raw slot holds a fresh read of this machine's files; each
  consolidated slot consolidates two consecutive reads (counters that barely
  move compress well: close to an idle machine).
* ``busy``: every counter grows by a random amount at every sample and every
  gauge wanders (data that compresses as badly as it gets): an upper bound.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time

from pystat.recorder.model import COUNTER, DEFAULT_ARCHIVES
from pystat.recorder.sources import collect_all
from pystat.recorder.store import Bucket, Deltas, Sample, Store


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=["live", "busy"], default="live")
    ap.add_argument("--db")
    args = ap.parse_args(argv)
    path = args.db or os.path.join(tempfile.mkdtemp(), "history.db")
    open(path, "w").close()
    store = Store.open_write(path, list(DEFAULT_ARCHIVES), {"hz": "100"})
    from pystat.reader import open_host
    from pystat.recorder.sources import SOURCES

    host = open_host(None)
    root = host.root
    SOURCES["sockets"].COST_LIMIT = float("inf")   # count the sockets at every sample
    rng = random.Random(1)
    first = collect_all(root, host=host)
    series = sum(len(v[0]) for v in first.values())
    state = {g: list(v) for g, (_, v) in first.items()}

    def sample(t: float) -> Sample:
        if args.mode == "live":
            return Sample(t, None, None, collect_all(root, host=host))
        groups = {}
        for g, (names, _) in first.items():
            vals = state[g]
            for i, s in enumerate(names):
                if s.kind == COUNTER:
                    vals[i] = (vals[i] + rng.randint(0, 100_000)) & (2**64 - 1)
                else:
                    vals[i] = max(0, vals[i] + rng.randint(-1000, 1000))
            groups[g] = (names, list(vals))
        return Sample(t, None, None, groups)

    started = time.time()
    t = 1_900_000_000.0
    c = store.conn
    raw = store.archives[0]
    c.execute("BEGIN")
    for k in range(raw.slots):
        store.write_raw(sample(t))
        t += raw.step
        if k % 2000 == 1999:
            c.execute("COMMIT")
            c.execute("BEGIN")
    deltas = Deltas()
    for a in range(1, len(store.archives)):
        arch = store.archives[a]
        for k in range(arch.slots):
            s0, s1 = sample(t), sample(t + raw.step)
            lay0, lay1 = deltas.layouts_of(s0), deltas.layouts_of(s1)
            b = Bucket(int(t // arch.step))
            b.add(s0, lay0, None, 0.0)
            b.add(s1, lay1, Deltas.between(s0, lay0, s1, lay1), float(raw.step))
            store.write_consolidated(a, b, overwrite=False)
            t += arch.step
            if k % 2000 == 1999:
                c.execute("COMMIT")
                c.execute("BEGIN")
    c.execute("COMMIT")
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = os.path.getsize(path)
    slots = sum(a.slots for a in store.archives)
    store.close()
    print(f"{args.mode}: {series} series, archives "
          + " ".join(str(a) for a in DEFAULT_ARCHIVES)
          + f" ({slots} slots): {size / 2**20:.1f} MiB ({size} bytes), "
          f"{size / slots:.0f} bytes a slot; filled in {time.time() - started:.0f} s; {path}",
          file=sys.stdout)


if __name__ == "__main__":
    main()
