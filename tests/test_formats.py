"""--format json|csv|table: the same model as the text layout, documented fields."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from tests import gen_formats
from tests.helpers import run
from tests.oracle.cases import FIXTURES

BUSY = os.path.join(FIXTURES, "busy")
IDLE = os.path.join(FIXTURES, "idle")


def test_docs_formats_is_up_to_date():
    with open(gen_formats.DOC) as f:
        assert f.read() == gen_formats.render(), "run: python -m tests.gen_formats"


def _text_rows(argv):
    code, out, err = run(["--root", BUSY, "vmstat", *argv])
    assert code == 0, err
    return [line.split() for line in out.splitlines()[2:]]


def test_json_rows_equal_the_text_layout():
    code, out, err = run(["--root", BUSY, "vmstat", "-w", "1", "5", "--format", "json"])
    assert code == 0, err
    rows = json.loads(out)
    text = _text_rows(["-w", "1", "5"])
    assert len(rows) == len(text) == 5
    names = ["r", "b", "swpd", "free", "buff", "cache", "si", "so", "bi", "bo", "in", "cs",
             "us", "sy", "id", "wa", "st", "gu"]
    for row, line in zip(rows, text):
        assert [str(row[n]) for n in names] == line
    # one sample per second of the series, stamped with its capture time
    assert rows[0]["timestamp"].startswith("2026-11-26T")
    assert len({r["timestamp"] for r in rows}) == 5


def test_json_streams_one_row_per_line():
    code, out, _ = run(["--root", BUSY, "vmstat", "1", "3", "--format", "json"])
    lines = out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert all(json.loads(line.rstrip(",")) for line in lines[1:-1])


def test_csv_has_header_and_rows():
    code, out, err = run(["--root", BUSY, "vmstat", "-d", "1", "2", "--format", "csv"])
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    _, text, _ = run(["--root", BUSY, "vmstat", "-d", "1", "2"])
    disks = [line.split() for line in text.splitlines() if not line.startswith(("disk-", " "))]
    assert len(rows) == len(disks)
    for row, line in zip(rows, disks):
        assert [row["disk"], row["reads"], row["writes"], row["sec"]] == \
               [line[0], line[1], line[5], line[10]]


def test_table_has_every_row():
    code, out, err = run(["--root", IDLE, "vmstat", "-s", "--format", "table"])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["timestamp", "total_memory", "used_memory"]
    assert len(lines) == 3  # header, rule, one row


@pytest.mark.parametrize("argv", [[], ["-a"], ["-s"], ["-f"], ["-d"], ["-D"], ["-p", "vda"],
                                  ["-m"], ["-S", "M", "1", "2"]])
@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_every_mode_renders(fmt, argv):
    code, out, err = run(["--root", IDLE, "vmstat", *argv, "--format", fmt])
    assert (code, err) == (0, "")
    assert out.strip()
    if fmt == "json":
        assert json.loads(out)


SYNTHETIC = os.path.join(FIXTURES, "synthetic")


@pytest.mark.parametrize("argv", [
    ["iostat"], ["iostat", "-c"], ["iostat", "-d", "-m"], ["iostat", "-x"], ["iostat", "-x", "-s"],
    ["iostat", "-p", "ALL", "1", "2"], ["iostat", "-h"], ["mpstat"], ["mpstat", "-A"],
    ["mpstat", "-T", "-P", "ALL"], ["mpstat", "-I", "SCPU"], ["mpstat", "-P", "ALL", "1", "2"],
])
@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_every_sysstat_mode_renders(fmt, argv):
    code, out, err = run(["--root", IDLE, *argv, "--format", fmt])
    assert (code, err) == (0, "")
    assert out.strip()
    if fmt == "json":
        rows = json.loads(out)
        assert rows and all(r["section"] for r in rows)


def _sysstat_json(argv):
    code, out, err = run(["--root", SYNTHETIC, *argv, "-o", "JSON"])
    assert code == 0, err
    return json.loads(out)["sysstat"]["hosts"][0]["statistics"]


def test_iostat_rows_are_sysstat_json_values():
    """--format json carries the numbers of sysstat's own -o JSON, per sample."""
    argv = ["iostat", "-x", "1", "3"]
    stats = _sysstat_json(argv)
    code, out, err = run(["--root", SYNTHETIC, *argv, "--format", "json"])
    rows = json.loads(out)
    cpu = [r for r in rows if r["section"] == "cpu"]
    devices = [r for r in rows if r["section"] == "device"]
    assert [s["avg-cpu"]["idle"] for s in stats] == [r["idle"] for r in cpu]
    expected = [(d["disk_device"], d["r/s"], d["wkB/s"], d["util"])
                for s in stats for d in s["disk"]]
    assert expected == [(r["device"], r["r/s"], r["wkB/s"], r["util"]) for r in devices]
    assert len({r["timestamp"] for r in rows}) == 3


def test_mpstat_rows_are_sysstat_json_values():
    argv = ["mpstat", "-A", "1", "2"]
    stats = _sysstat_json(argv)
    code, out, err = run(["--root", SYNTHETIC, *argv, "--format", "json"])
    rows = json.loads(out)
    loads = [(c["cpu"], c["usr"], c["idle"]) for s in stats for c in s["cpu-load"]]
    assert loads == [(r["cpu"], r["usr"], r["idle"]) for r in rows if r["section"] == "cpu"]
    sums = [(c["cpu"], c["intr"]) for s in stats for c in s["sum-interrupts"]]
    assert sums == [(r["cpu"], r["intr"]) for r in rows if r["section"] == "sum"]
    soft = [(c["cpu"], i["name"], i["value"]) for s in stats for c in s["soft-interrupts"]
            for i in c["intr"]]
    assert soft == [(r["cpu"], r["interrupt"], r["intr"]) for r in rows
                    if r["section"] == "softirq"]


def test_sysstat_json_parses():
    for argv in (["iostat", "-x", "-t", "1", "3"], ["iostat", "-y", "-d", "1", "2"],
                 ["mpstat", "-A", "-T", "1", "2"], ["mpstat", "-I", "ALL"]):
        code, out, err = run(["--root", SYNTHETIC, *argv, "-o", "JSON"])
        assert code == 0, err
        doc = json.loads(out)
        assert doc["sysstat"]["hosts"][0]["nodename"] == "bigbox"
