"""On a terminal vmstat repeats its header every (rows - 3) lines (21 when the
rows are unknown); pystat must do the same. Both run in a pseudo-terminal of a
given size, the real vmstat on the fixture in the oracle's namespace."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios

import pytest

from tests.helpers import REPO
from tests.oracle import oracle
from tests.oracle.cases import FIXTURES

SYNTH = os.path.join(FIXTURES, "synthetic", "000000")
IDLE = os.path.join(FIXTURES, "idle")


def in_pty(cmd: list[str], rows: int, env=None) -> tuple[int, str, str]:
    """Runs ``cmd`` with a terminal of ``rows`` rows as stdin and stdout: its exit
    status, what it wrote there, and its stderr."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 200, 0, 0))
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=err, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO once the child has gone
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        rc = p.wait(timeout=60)
        err.seek(0)
        return rc, b"".join(chunks).decode().replace("\r\n", "\n"), err.read().decode()


def real(root: str, argv: list[str], rows: int) -> tuple[int, str, str]:
    with oracle.prepared(root, argv) as (cmd, env):
        return in_pty(cmd, rows, env=env)


def mine(root: str, argv: list[str], rows: int) -> tuple[int, str, str]:
    env = dict(os.environ, PYTHONPATH=REPO, TZ="UTC", LC_ALL="C")
    return in_pty([sys.executable, "-m", "pystat", "--root", root, *argv], rows, env=env)


@pytest.mark.parametrize("root,argv,rows", [
    (SYNTH, ["vmstat", "-d"], 8),      # header again inside one listing (every 5 entries)
    (SYNTH, ["vmstat", "-d"], 3),      # rows - 3 <= 0: every 22
    (SYNTH, ["vmstat", "-m"], 10),
    (SYNTH, ["vmstat", "-d", "-n"], 8),
    (IDLE, ["vmstat", "1", "5"], 5),   # header after every 2 lines
])
def test_header_period_follows_the_terminal(root, argv, rows):
    if not oracle.available("vmstat"):
        pytest.skip("needs the oracle (root, unshare, faketime, vmstat)")
    rc, expected, err = real(root, argv, rows)
    assert rc == 0 and expected.count("\n") > 3, (rc, expected, err)
    assert mine(root, argv, rows) == (0, expected, "")
