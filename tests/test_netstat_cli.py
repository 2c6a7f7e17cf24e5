"""pystat netstat's command line: help, version, and what its text path imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import REPO, run


def test_help_describes_the_modes():
    code, out, _ = run(["netstat", "--help"])
    assert code == 0
    for text in ("-t, --tcp", "-p, --programs", "-s, --statistics", "-r, --route",
                 "-i, --interfaces", "--format", "-A FAMILY"):
        assert text in out, text


def test_version_is_net_tools():
    code, out, _ = run(["netstat", "-V"])
    assert code == 0 and out.startswith("net-tools 2.10\n")


def _modules(argv):
    code = ("import sys\nfrom pystat.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(' '.join(sorted(sys.modules)))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=REPO, env={"PYTHONPATH": REPO, "PATH": "/usr/bin:/bin"})
    return set(p.stderr.split())


HEAVY = {"json", "csv", "tabulate", "psutil", "sqlite3", "hypothesis", "concurrent.futures",
         "pystat.render", "pystat.capture"}


@pytest.mark.parametrize("argv,mode,others", [
    (["netstat", "-ant"], "sockets", ("statistics", "routes", "interfaces")),
    (["netstat", "-s"], "statistics", ("sockets", "routes", "interfaces")),
    (["netstat", "-rn"], "routes", ("statistics", "interfaces")),
])
def test_text_path_imports_only_its_mode(argv, mode, others):
    modules = _modules(argv)
    assert f"pystat.commands.netstat.{mode}" in modules
    assert not HEAVY & modules
    assert not {f"pystat.commands.netstat.{o}" for o in others} & modules
    if "-ant" in argv:
        assert "pystat.netdb" not in modules      # -n: no name databases at all
