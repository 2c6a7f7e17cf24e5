"""Print each benchmark group's medians as ratios to its reference entry.

    python -m pytest benchmarks --benchmark-enable --benchmark-json=bench.json
    python -m benchmarks.ratios bench.json

The reference of a group is the entry whose name starts with ``psutil``,
``C `` or ``python -c`` (the thing we compare against); groups without one
are listed with their medians.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

REFERENCES = ("psutil", "C ", "python -c", "real ")


def main(path: str) -> None:
    with open(path) as f:
        data = json.load(f)
    groups = defaultdict(list)
    for b in data["benchmarks"]:
        groups[b["group"]].append((b["name"], b["stats"]["median"]))
    for group in sorted(groups):
        entries = groups[group]
        ref = next((m for n, m in entries if n.startswith(REFERENCES)), None)
        print(f"{group}")
        for name, median in sorted(entries, key=lambda e: e[1]):
            ratio = f"  {median / ref:6.2f}x the reference" if ref else ""
            print(f"    {name:60s} {median * 1e6:12.1f} us{ratio}")


if __name__ == "__main__":
    main(sys.argv[1])
