"""sysstat's colours (S_COLORS, S_COLORS_SGR): pystat's escape sequences are
the real tools' byte for byte; none when stdout is not a terminal, unless
S_COLORS=always."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import REPO, run
from tests.oracle import oracle
from tests.oracle.cases import FIXTURES

IDLE = os.path.join(FIXTURES, "idle")
SYNTHETIC = os.path.join(FIXTURES, "synthetic", "000000")  # one sample: no replay timing

ARGVS = [["iostat"], ["iostat", "-x"], ["iostat", "-h"], ["iostat", "-x", "-s", "-h", "-p", "ALL"],
         ["iostat", "-c", "--dec=0"], ["iostat", "-d", "--human", "--dec=1"], ["mpstat", "-P", "ALL"],
         ["mpstat", "-A"], ["mpstat", "-T", "-P", "ALL", "--dec=1"], ["mpstat", "-I", "SUM", "1", "2"]]
SGR = ["", "H=31;1:I=33:M=35;1:N=36:Z=37", "I=4:bogus:Z=;1:X=9"]


@pytest.mark.parametrize("sgr", SGR, ids=["default", "custom", "malformed"])
@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
@pytest.mark.parametrize("fixture", [IDLE, SYNTHETIC], ids=["idle", "synthetic"])
def test_colours_are_sysstat_colours(fixture, argv, sgr, monkeypatch):
    if not oracle.available(argv[0]):
        pytest.skip("needs the real tool on a fixture")
    env = {"S_COLORS": "always", "S_COLORS_SGR": sgr}
    monkeypatch.setenv("S_COLORS", "always")
    monkeypatch.setenv("S_COLORS_SGR", sgr)
    code, out, err = run(["--root", fixture, *argv])
    real = oracle.run(fixture, argv, env=env)
    assert (code, out) == real[:2]
    assert "\x1b[" in out


def test_no_colours_in_a_pipe(monkeypatch):
    monkeypatch.delenv("S_COLORS", raising=False)
    code, out, err = run(["--root", IDLE, "iostat", "-x"])
    assert code == 0 and "\x1b" not in out


@pytest.mark.parametrize("setting,coloured", [(None, True), ("auto", True), ("never", False)])
def test_colours_on_a_terminal(setting, coloured):
    master, slave = os.openpty()
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop("S_COLORS", None)
    if setting:
        env["S_COLORS"] = setting
    try:
        p = subprocess.run([sys.executable, "-m", "pystat", "--root", IDLE, "mpstat"],
                           stdout=slave, stderr=subprocess.PIPE, env=env, timeout=60)
        os.close(slave)
        data = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(master)
    assert p.returncode == 0, p.stderr
    assert (b"\x1b[" in data) == coloured
