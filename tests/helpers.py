"""Running pystat in-process, as the console script would."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys

from pystat.cli import main

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "fixtures", "proc_snapshots")


def copy_fixture(name: str, dest) -> str:
    """A writable copy of fixture ``name`` (without its goldens) at ``dest``."""
    shutil.copytree(os.path.join(FIXTURES, name), dest, symlinks=True,
                    ignore=shutil.ignore_patterns("golden"))
    return dest


def run(argv: list[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``pystat ARGV``, run in this process."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def run_process(argv: list[str], **kw) -> subprocess.CompletedProcess:
    """``pystat ARGV`` in a new Python process (python -m pystat)."""
    env = dict(os.environ, PYTHONPATH=REPO)
    env.update(kw.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "pystat", *argv], capture_output=True,
                          text=True, env=env, **kw)
