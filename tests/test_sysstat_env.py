"""sysstat's environment: S_TIME_FORMAT=ISO (dates, -t timestamps, mpstat's
times) and POSIXLY_CORRECT (iostat's 512-byte blocks), against the real tools
(on single snapshots: the series are the goldens' business)."""

from __future__ import annotations

import os

import pytest

from tests.helpers import run
from tests.oracle import oracle
from tests.oracle.cases import FIXTURES

CASES = [
    ({"S_TIME_FORMAT": "ISO"}, ["iostat", "-t"]),
    ({"S_TIME_FORMAT": "ISO"}, ["iostat", "-t", "-o", "JSON", "-c", "1", "2"]),
    ({"S_TIME_FORMAT": "ISO"}, ["mpstat", "-P", "ALL", "1", "2"]),
    ({"S_TIME_FORMAT": "ISO"}, ["mpstat", "-o", "JSON"]),
    ({"POSIXLY_CORRECT": "1"}, ["iostat", "-d"]),
    ({"POSIXLY_CORRECT": "1"}, ["iostat", "-x", "-d"]),
    ({"POSIXLY_CORRECT": "1"}, ["iostat", "-d", "-s", "-o", "JSON"]),
    ({"POSIXLY_CORRECT": "1"}, ["iostat", "-x", "-s", "-o", "JSON"]),
    ({"POSIXLY_CORRECT": "1"}, ["iostat", "-d", "-k"]),
    ({"POSIXLY_CORRECT": "1"}, ["iostat", "-d", "-h"]),
]


@pytest.mark.parametrize("fixture", ["idle", "busy/000000"])
@pytest.mark.parametrize("env,argv", CASES, ids=lambda x: " ".join(x) if isinstance(x, list)
                         else ",".join(f"{k}={v}" for k, v in x.items()))
def test_environment(fixture, env, argv, monkeypatch):
    if not oracle.available(argv[0]):
        pytest.skip("needs the real tool on a fixture")
    path = os.path.join(FIXTURES, fixture)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    code, out, err = run(["--root", path, *argv])
    assert (code, out) == oracle.run(path, argv, env=env)[:2]
