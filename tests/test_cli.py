"""The command line itself: help, version, and what start-up imports."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO, run, run_process


def test_help_lists_every_command():
    code, out, _ = run(["--help"])
    assert code == 0
    for name in ("vmstat", "snapshot", "sources", "--root"):
        assert name in out


def test_vmstat_help_lists_every_option():
    code, out, _ = run(["vmstat", "--help"])
    assert code == 0
    for flag in ("-a, --active", "-f, --forks", "-m, --slabs", "-n, --one-header",
                 "-s, --stats", "-d, --disk", "-D, --disk-sum", "-p, --partition",
                 "-S, --unit", "-w, --wide", "-t, --timestamp", "-y, --no-first", "--format",
                 "DELAY [COUNT]"):
        assert flag in out, flag


def test_version():
    code, out, _ = run(["--version"])
    assert code == 0 and out.startswith("pystat ")
    code, out, _ = run(["vmstat", "-V"])
    assert code == 0 and out.startswith("pystat vmstat ") and "procps-ng vmstat 4.0.2" in out


def test_text_path_imports_nothing_heavy():
    """`pystat vmstat` (text) must not pay for json, csv, tabulate, psutil or sqlite."""
    code = ("import sys\nfrom pystat.cli import main\n"
            "try:\n    main(['vmstat'])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(' '.join(sorted(sys.modules)))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=REPO, env={"PYTHONPATH": REPO, "PATH": "/usr/bin:/bin"})
    modules = set(p.stderr.split())
    assert "pystat.commands.vmstat" in modules
    heavy = {"json", "csv", "tabulate", "psutil", "sqlite3", "hypothesis",
             "concurrent.futures", "pystat.render", "pystat.capture"}
    assert not heavy & modules


def test_console_entry_point_runs():
    p = run_process(["vmstat", "-f"])
    assert p.returncode == 0 and p.stdout.strip().endswith("forks")
