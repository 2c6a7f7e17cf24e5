"""pystat iostat against the real iostat's output on every fixture.

The goldens were made by sysstat 12.6.1 iostat running on each fixture in a
private mount namespace (tests/oracle/regen.py), under faketime at the
capture time and with the fixture's uname, stdout a pipe and S_COLORS=never;
pystat must print the same bytes with --root FIXTURE and exit with the same
code.  Where iostat refuses its command line (usage, exit 1) pystat prints
nothing on stdout and says what is wrong in one line on stderr.
"""

from __future__ import annotations

import os

import pytest

from tests.helpers import run
from tests.oracle import cases
from tests.oracle.regen import load_index

TOOL = "iostat"


def golden_cases():
    for fixture in cases.fixtures():
        for name, entry in sorted(load_index(fixture).items()):
            if name.startswith(TOOL + "/"):
                yield pytest.param(fixture, name, entry,
                                   id=f"{os.path.basename(fixture)}:{' '.join(entry['argv'])}")


def test_every_fixture_has_iostat_goldens():
    fixtures = cases.fixtures()
    assert len(fixtures) >= 4
    for fixture in fixtures:
        index = load_index(fixture)
        expected = {f"{TOOL}/{cases.slug(a)}" for a in cases.iostat_cases(fixture)}
        assert expected <= set(index), f"{fixture}: run python -m tests.oracle.regen --tool {TOOL}"


@pytest.mark.parametrize("fixture,name,entry", list(golden_cases()))
def test_iostat_matches_golden(fixture, name, entry, monkeypatch):
    monkeypatch.setenv("S_COLORS", "never")
    argv = entry["argv"]
    with open(os.path.join(fixture, "golden", name), encoding="utf-8",
              errors="surrogateescape") as f:
        golden = f.read()
    code, out, err = run(["--root", fixture, *argv])
    assert out == golden
    assert code == entry["rc"]
    if code == 0:
        assert err == ""
    else:
        assert err.count("\n") == 1 and "Traceback" not in err, err
