"""pystat vmstat against the real vmstat's output on every fixture.

The goldens were made by procps-ng vmstat 4.0.2 running on each fixture in a
private mount namespace (tests/oracle/regen.py); pystat must print the same
bytes with --root FIXTURE (vmstat ran under faketime at the capture time, so
-t timestamps match too).
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
            if name.startswith("vmstat/"):
                yield pytest.param(fixture, name, entry,
                                   id=f"{os.path.basename(fixture)}:{' '.join(entry['argv'])}")


def test_every_fixture_has_vmstat_goldens():
    fixtures = cases.fixtures()
    assert len(fixtures) >= 4
    for fixture in fixtures:
        index = load_index(fixture)
        expected = {f"vmstat/{cases.slug(a)}" for a in cases.vmstat_cases(fixture)}
        assert expected <= set(index), f"{fixture}: run tests/oracle/regen.py"


@pytest.mark.parametrize("fixture,name,entry", list(golden_cases()))
def test_vmstat_matches_golden(fixture, name, entry):
    argv = entry["argv"]
    with open(os.path.join(fixture, "golden", name), encoding="utf-8",
              errors="surrogateescape") as f:
        golden = f.read()
    code, out, err = run(["--root", fixture, *argv])
    assert (code, err) == (entry["rc"], "")
    assert out == golden
