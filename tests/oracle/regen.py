"""Regenerate (or check) the golden outputs of the real tools on every fixture.

    python -m tests.oracle.regen            # rewrite FIXTURE/golden/
    python -m tests.oracle.regen --check    # run the real tools again and compare

Each fixture's ``golden/index.json`` maps a golden file to the command line
that made it and its exit code.  ``--tool T`` rewrites T's goldens and keeps
the other tools'.  Runs go in parallel: a series replay takes
real time (a second per sample), and each run has its own mount namespace and
scratch copy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from tests.oracle import cases, oracle

TOOLS = {"vmstat": cases.vmstat_cases, "iostat": cases.iostat_cases,
         "mpstat": cases.mpstat_cases, "netstat": cases.netstat_cases}

def golden_dir(fixture: str) -> str:
    return os.path.join(fixture, "golden")


def load_index(fixture: str) -> dict:
    path = os.path.join(golden_dir(fixture), "index.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def jobs(fixture_paths, tools):
    for fixture in fixture_paths:
        for tool in tools:
            for argv in TOOLS[tool](fixture):
                yield fixture, tool, argv


def run_all(fixture_paths, tools, workers=16):
    todo = list(jobs(fixture_paths, tools))
    with ThreadPoolExecutor(workers) as pool:
        results = pool.map(lambda j: (j, oracle.run(j[0], j[2])), todo)
        return list(results)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="compare the real tools' output with the stored goldens")
    ap.add_argument("--tool", action="append", choices=sorted(TOOLS))
    ap.add_argument("fixtures", nargs="*", help="fixture directories (default: all)")
    args = ap.parse_args(argv)
    tools = args.tool or sorted(TOOLS)
    fixture_paths = [os.path.abspath(f) for f in args.fixtures] or cases.fixtures()
    for tool in tools:
        if not oracle.available(tool):
            print(f"cannot run the real {tool} here (needs root, unshare and {tool})",
                  file=sys.stderr)
            return 2
    failures = 0
    # regenerating some tools keeps the other tools' entries
    indexes = {f: {k: v for k, v in load_index(f).items()
                   if args.check or k.split("/")[0] not in tools}
               for f in fixture_paths}
    for (fixture, tool, argv), (rc, out, err) in run_all(fixture_paths, tools):
        name = f"{tool}/{cases.slug(argv)}"
        if args.check:
            entry = indexes[fixture].get(name)
            path = os.path.join(golden_dir(fixture), name)
            if entry is None or not os.path.exists(path):
                print(f"MISSING {fixture}: {name}")
                failures += 1
                continue
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                stored = f.read()
            if stored != out or entry["rc"] != rc:
                # once more, alone: a run that failed because the machine was
                # overloaded (the namespace, faketime) is not a changed golden
                rc2, out2, err2 = oracle.run(fixture, argv)
                if stored == out2 and entry["rc"] == rc2:
                    print(f"FLAKY {os.path.basename(fixture)}: {' '.join(argv)}: first run "
                          f"rc {rc}, {len(out)} bytes, stderr {err.strip()[:200]!r}",
                          file=sys.stderr)
                    continue
                print(f"DIFFERS {os.path.basename(fixture)}: {' '.join(argv)}: rc {rc2} "
                      f"(golden {entry['rc']}), stderr {err2.strip()[:200]!r}")
                failures += 1
            continue
        if err.strip():
            print(f"{os.path.basename(fixture)}: {' '.join(argv)}: rc {rc}: {err.strip()}",
                  file=sys.stderr)
        path = os.path.join(golden_dir(fixture), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(out)
        indexes[fixture][name] = {"argv": argv, "rc": rc}
    if not args.check:
        for fixture, index in indexes.items():
            with open(os.path.join(golden_dir(fixture), "index.json"), "w") as f:
                json.dump(dict(sorted(index.items())), f, indent=1)
                f.write("\n")
    print(f"{'checked' if args.check else 'wrote'} goldens for {len(fixture_paths)} fixtures; "
          f"{failures} problems", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
