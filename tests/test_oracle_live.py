"""Against the real tools on the machine the tests run on (CI: root, tools installed).

* A fresh ``pystat snapshot`` of this machine: the real tool and pystat must
  print the same thing on it, for every single-snapshot case.
* The stored goldens must be what the real tools print on the fixtures today
  (so no golden was ever written by pystat or edited by hand).

Skipped where the real tool, root or unshare is missing.
"""

from __future__ import annotations


import pytest

from pystat.capture import capture
from tests.helpers import run
from tests.oracle import oracle, regen

TOOLS = sorted(regen.TOOLS)


def _need(tool):
    if not oracle.available(tool):
        pytest.skip(f"the real {tool} cannot run on a fixture here (root, unshare, faketime)")


@pytest.fixture(scope="module")
def live_snapshot(tmp_path_factory):
    dest = str(tmp_path_factory.mktemp("live") / "snap")
    missing = capture(dest)
    assert not missing, missing
    return dest


@pytest.mark.parametrize("tool", TOOLS)
def test_live_snapshot_matches_real_tool(tool, live_snapshot):
    _need(tool)
    argvs = regen.TOOLS[tool](live_snapshot)
    results = regen.run_all([live_snapshot], [tool])
    assert len(results) == len(argvs)
    bad = []
    for (_fixture, _tool, argv), (rc, out, err) in results:
        code, mine, my_err = run(["--root", live_snapshot, *argv])
        if (code, mine) != (rc, out):
            bad.append(f"{' '.join(argv)}: real rc {rc} {err.strip()!r}, pystat rc {code} "
                       f"{my_err.strip()!r}\n--- real\n{out}--- pystat\n{mine}")
    assert not bad, "\n".join(bad[:5])


def test_stored_goldens_are_the_real_tools_output():
    # all tools at once: the runs of a series mostly wait, so they share one pool
    for tool in TOOLS:
        _need(tool)
    assert regen.main(["--check"]) == 0
