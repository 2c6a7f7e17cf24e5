"""pystat netstat against the real netstat's output on every fixture.

The goldens were made by net-tools 2.10 netstat running on each fixture in a
private mount namespace with the fixture's /etc files and a files-only
nsswitch.conf (tests/oracle/regen.py); pystat must print the same bytes and
exit with the same status with --root FIXTURE.  What netstat writes on stderr
pystat writes as ``pystat: netstat: ...`` lines (not compared), and where
netstat printed nothing there pystat prints nothing either.

``netstat -c`` runs were stopped by ``timeout`` after the last sample of a
series; pystat stops by itself at the end of the series (status 0).
"""

from __future__ import annotations

import os

import pytest

from tests.helpers import run
from tests.oracle import cases
from tests.oracle.regen import load_index


def golden_cases():
    for fixture in cases.fixtures():
        for name, entry in sorted(load_index(fixture).items()):
            if name.startswith("netstat/"):
                yield pytest.param(fixture, name, entry,
                                   id=f"{os.path.basename(fixture)}:{' '.join(entry['argv'])}")


def test_every_fixture_has_netstat_goldens():
    fixtures = cases.fixtures()
    assert len(fixtures) >= 4
    for fixture in fixtures:
        index = load_index(fixture)
        expected = {f"netstat/{cases.slug(a)}" for a in cases.netstat_cases(fixture)}
        assert expected <= set(index), f"{fixture}: run tests/oracle/regen.py --tool netstat"
        # what netstat gets by ioctl is the live kernel's: never a stored golden
        live_only = {f"netstat/{cases.slug(['netstat'] + a)}" for a in cases.NETSTAT_INTERFACES}
        assert not live_only & set(index), fixture


def pystat_argv(argv: list[str]) -> tuple[list[str], int | None]:
    """The pystat command line for a golden's, and the status pystat must give
    (None: the golden's)."""
    if argv[0] == "timeout":
        return argv[4:], 0
    return argv, None


@pytest.mark.parametrize("fixture,name,entry", list(golden_cases()))
def test_netstat_matches_golden(fixture, name, entry):
    argv, rc = pystat_argv(entry["argv"])
    with open(os.path.join(fixture, "golden", name), encoding="utf-8",
              errors="surrogateescape") as f:
        golden = f.read()
    code, out, err = run(["--root", fixture, *argv])
    assert out == golden
    assert code == (entry["rc"] if rc is None else rc), err
    for line in err.splitlines():
        assert line.startswith("pystat: netstat: "), err
