"""pystat iostat and mpstat against the real tools' output on every fixture.

The goldens were made by sysstat 12.6.1 iostat and mpstat running on each fixture in a
private mount namespace (tests/oracle/regen.py), under faketime at the
capture time and with the fixture's uname, stdout a pipe and S_COLORS=never;
pystat must print the same bytes with --root FIXTURE and exit with the same
code.  Where the tool refuses its command line (usage, exit 1) pystat prints
nothing on stdout and says what is wrong in one line on stderr.
"""

from __future__ import annotations

import os

import pytest

from tests.helpers import run
from tests.oracle import cases
from tests.oracle.regen import load_index

TOOLS = {"iostat": cases.iostat_cases, "mpstat": cases.mpstat_cases}


def golden_cases():
    for fixture in cases.fixtures():
        for name, entry in sorted(load_index(fixture).items()):
            if name.split("/")[0] in TOOLS:
                yield pytest.param(fixture, name, entry,
                                   id=f"{os.path.basename(fixture)}:{' '.join(entry['argv'])}")


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_every_fixture_has_goldens(tool):
    fixtures = cases.fixtures()
    assert len(fixtures) >= 4
    for fixture in fixtures:
        index = load_index(fixture)
        expected = {f"{tool}/{cases.slug(a)}" for a in TOOLS[tool](fixture)}
        assert expected <= set(index), f"{fixture}: run python -m tests.oracle.regen --tool {tool}"


@pytest.mark.parametrize("fixture,name,entry", list(golden_cases()))
def test_matches_golden(fixture, name, entry, monkeypatch):
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
