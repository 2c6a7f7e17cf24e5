"""netstat --format json|csv|table: the rows the text layout shows, documented fields."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from tests.helpers import run
from tests.oracle.cases import FIXTURES

SOCKETS = os.path.join(FIXTURES, "sockets")
BUSY = os.path.join(FIXTURES, "busy")


def _text(argv, root=SOCKETS):
    code, out, err = run(["--root", root, "netstat", *argv])
    assert (code, err) == (0, "")
    return out


def _json(argv, root=SOCKETS):
    code, out, err = run(["--root", root, "netstat", *argv, "--format", "json"])
    assert (code, err) == (0, "")
    return json.loads(out)


@pytest.mark.parametrize("argv", [["-ant"], ["-anu"], ["-anw"], ["-tulnp"], ["-antpeo"], ["-a"]])
def test_socket_rows_are_the_text_rows(argv):
    text = [line.split() for line in _text(argv).splitlines()
            if line.startswith(("tcp", "udp", "raw", "unix"))]
    rows = _json(argv)
    assert len(rows) == len(text)
    for row, line in zip(rows, text):
        assert row["proto"] == line[0]
        if row["proto"] != "unix":
            assert [str(row["recv_q"]), str(row["send_q"])] == line[1:3]
            if not any(len(x) > 23 for x in (row["local"], row["foreign"])):
                assert [row["local"], row["foreign"]] == line[3:5]
            if "p" in argv[0]:
                prog = "-" if row["pid"] is None else f"{row['pid']}/{row['program']}"
                assert prog in line
        else:
            assert row["inode"] == int(line[-2] if row["path"] else line[-1]) or row["inode"]


def test_numeric_and_named_fields():
    rows = _json(["-t"])
    assert all(r["local_address"].count(".") == 3 or ":" in r["local_address"] for r in rows)
    assert any(r["local"].startswith("localhost:") for r in rows)
    assert all(isinstance(r["local_port"], int) for r in rows)


def test_statistics_rows():
    rows = _json(["-s"])
    text = _text(["-s"])
    assert rows and all(r["text"] in text for r in rows)
    assert {"Ip", "Tcp", "Udp", "TcpExt"} <= {r["section"] for r in rows}
    tcp = {r["counter"]: r["value"] for r in rows if r["section"] == "Tcp"}
    assert f"{tcp['ActiveOpens']} active connection openings" in text


def test_route_rows():
    rows = _json(["-rn"])
    lines = _text(["-rn"]).splitlines()[2:]
    assert [r["destination"] for r in rows] == [line.split()[0] for line in lines]
    assert rows[0]["destination_address"] == "0.0.0.0" and rows[0]["prefix_length"] == 0
    rows6 = _json(["-rn6"])
    assert rows6 and all(r["next_hop"] is not None for r in rows6)


def test_interface_rows(tmp_path):
    from pystat.capture import capture

    capture(str(tmp_path / "snap"))
    root = str(tmp_path / "snap")
    rows = _json(["-ia"], root)
    lines = _text(["-ia"], root).splitlines()[2:]
    assert [r["iface"] for r in rows] == [line.split()[0] for line in lines]
    assert any(r["hw_type"] == "loop" for r in rows)


def test_continuous_listing_streams_one_listing_per_sample():
    code, out, err = run(["--root", BUSY, "netstat", "-c", "-ant", "--format", "json"])
    assert (code, err) == (0, "")
    rows = json.loads(out)
    stamps = sorted({r["timestamp"] for r in rows})
    assert len(stamps) == 5


@pytest.mark.parametrize("argv", [["-an"], ["-g"], ["-s"], ["-s6"], ["-r"], ["-rn6"], ["-anp"]])
@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_every_mode_renders(fmt, argv):
    code, out, err = run(["--root", SOCKETS, "netstat", *argv, "--format", fmt])
    assert (code, err) == (0, "")
    assert out.strip()
    if fmt == "json":
        assert json.loads(out)
    if fmt == "csv":
        assert list(csv.DictReader(io.StringIO(out)))


def test_errors_in_structured_formats_are_messages():
    code, out, err = run(["--root", SOCKETS, "netstat", "-s", "-A", "inet,inet6",
                          "--format", "json"])
    assert code == 1 and json.loads(out) == []
    assert err == "pystat: netstat: No statistics support for specified address family: " \
                  "inet,inet6\n"
