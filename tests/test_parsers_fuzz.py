"""Every /proc parser, on any text: a record or its own ParseError, never a crash.

Inputs are arbitrary text and real fixture files mangled: truncated at any
point, with a slice replaced by arbitrary text, or with a number replaced.
"""

from __future__ import annotations

import glob
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pystat.errors import ParseError
from pystat.proc.diskstats import (parse_block_stat, parse_diskstats, scan_block_stat,
                                   scan_diskstats)
from pystat.proc.interrupts import parse_interrupts, parse_softirqs
from pystat.proc.meminfo import parse_meminfo
from pystat.proc.netdev import parse_if_inet6, parse_net_dev
from pystat.proc.netsock import parse_inet_sockets, parse_unix_sockets
from pystat.proc.snmp import parse_snmp, parse_snmp6
from pystat.proc.slabinfo import parse_slabinfo
from pystat.proc.stat import parse_stat, scan_stat
from pystat.proc.uptime import parse_uptime, parse_uptime_idle
from pystat.proc.vmstat import parse_vmstat
from tests.oracle.cases import FIXTURES

def interrupts_as_mpstat(text):
    """/proc/interrupts as mpstat reads it on a 2-CPU machine (fgets of 150 bytes)."""
    return parse_interrupts(text, 2, 128 + 11 * 2)


# parser -> the fixture files (relative to a root) it reads
PARSERS = {
    parse_stat: "proc/stat",
    parse_meminfo: "proc/meminfo",
    parse_vmstat: "proc/vmstat",
    parse_diskstats: "proc/diskstats",
    parse_block_stat: "sys/block/*/stat",
    parse_slabinfo: "proc/slabinfo",
    parse_inet_sockets: "proc/net/tcp*",
    parse_unix_sockets: "proc/net/unix",
    parse_snmp: "proc/net/snmp",
    parse_snmp6: "proc/net/snmp6",
    parse_net_dev: "proc/net/dev",
    parse_if_inet6: "proc/net/if_inet6",
    scan_diskstats: "proc/diskstats",
    scan_block_stat: "sys/block/*/stat",
    scan_stat: "proc/stat",
    parse_uptime: "proc/uptime",
    parse_uptime_idle: "proc/uptime",
    parse_interrupts: "proc/interrupts",
    parse_softirqs: "proc/softirqs",
    interrupts_as_mpstat: "proc/interrupts",
}


def samples(pattern: str) -> list[str]:
    paths = sorted(glob.glob(os.path.join(FIXTURES, "*", pattern))
                   + glob.glob(os.path.join(FIXTURES, "*", "000000", pattern)))
    texts = []
    for p in paths[:6]:
        with open(p, encoding="utf-8", errors="surrogateescape") as f:
            texts.append(f.read())
    assert texts, pattern
    return texts


@st.composite
def mangled(draw, texts):
    text = draw(st.sampled_from(texts))
    how = draw(st.sampled_from(["truncate", "splice", "number", "raw"]))
    if how == "raw":
        return draw(st.text())
    i = draw(st.integers(0, len(text)))
    if how == "truncate":
        return text[:i]
    j = draw(st.integers(i, min(len(text), i + 200)))
    if how == "splice":
        return text[:i] + draw(st.text(max_size=40)) + text[j:]
    repl = draw(st.sampled_from(["-1", "18446744073709551616", "1e5", "0x10", "", " ", "٣"]))
    return text[:i] + repl + text[j:]


@pytest.mark.parametrize("parser", list(PARSERS), ids=lambda p: p.__name__)
def test_parser_returns_record_or_parse_error(parser):
    texts = samples(PARSERS[parser])

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mangled(texts))
    def check(text):
        try:
            record = parser(text)
            if callable(getattr(record, "fields", None)):  # records that parse lazily
                record.fields()
        except ParseError:
            pass

    check()


@pytest.mark.parametrize("parser", list(PARSERS), ids=lambda p: p.__name__)
def test_parser_accepts_real_files(parser):
    for text in samples(PARSERS[parser]):
        parser(text)


# The sysstat parsers read the usual file in bulk and anything else line by
# line; both ways must give the same records, on any text.
from pystat.proc import diskstats as _diskstats  # noqa: E402
from pystat.proc import interrupts as _interrupts  # noqa: E402
from pystat.proc import stat as _stat  # noqa: E402
from pystat.recorder import sources as _sources  # noqa: E402

BULK = {
    "diskstats": (lambda t: _diskstats.scan_diskstats(t), _diskstats._scan_diskstats_slow,
                  "proc/diskstats"),
    "stat": (lambda t: _stat.scan_stat(t), _stat._scan_stat_slow, "proc/stat"),
    "interrupts": (lambda t: _interrupts.parse_interrupts(t, 64, 128 + 11 * 64),
                   lambda t: _interrupts._parse_slow(t, 64, 128 + 11 * 64), "proc/interrupts"),
    "interrupts-2cpu": (lambda t: _interrupts.parse_interrupts(t, 2, 150),
                        lambda t: _interrupts._parse_slow(t, 2, 150), "proc/interrupts"),
    "softirqs": (lambda t: _interrupts.parse_softirqs(t),
                 lambda t: _interrupts._parse_slow(t, None, None), "proc/softirqs"),
    # the recorder's readings of the usual network files (netstat's parsers otherwise)
    "net_dev": (lambda t: _sources.fast_net_dev(t), parse_net_dev, "proc/net/dev"),
    "snmp": (lambda t: _sources.fast_snmp(t), lambda t: _sources.parse_snmp(t), "proc/net/snmp"),
    "snmp6": (lambda t: _sources.fast_snmp6(t), lambda t: _sources.parse_snmp6(t),
              "proc/net/snmp6"),
}


@pytest.mark.parametrize("name", list(BULK))
def test_bulk_reading_equals_line_by_line(name):
    fast, slow, pattern = BULK[name]
    texts = samples(pattern)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mangled(texts))
    def check(text):
        assert fast(text) == slow(text)

    check()
    for text in texts:
        assert fast(text) == slow(text)


@pytest.mark.parametrize("text", ["Ip:\xa0 Forwarding DefaultTTL\nIp: 2 64\n",
                                  " Ip: Forwarding DefaultTTL\nIp: 2 64\n",
                                  "I:p: Forwarding DefaultTTL\nI:p: 2 64\n"])
def test_bulk_snmp_reading_of_odd_titles_and_spaces(text):
    """The title is all before the first colon; str.split() also splits at U+00A0."""
    assert _sources.fast_snmp(text) == _sources.parse_snmp(text)


@pytest.mark.parametrize("name,text", [
    ("snmp", "Ip: Forwarding DefaultTTL\nIp: 2\x1f 64\n"),
    ("snmp6", "Ip6InReceives\x1f 5\nIp6InHdrErrors 0\n"),
    ("net_dev", "Inter-|   Receive |  Transmit\n face |bytes packets compressed multicast|bytes\n"
                "    lo: 1 2 3 4\x1f 5 6 7 8 9 10 11 12 13 14 15 16\n"),
    ("net_dev", "Inter-|   Receive |  Transmit\n face |bytes packets compressed multicast|bytes\n"
                "    e : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"),
    ("net_dev", "Inter-|   Receive |  Transmit\n face |bytes packets compressed multicast|bytes\n"
                "    e\rth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"),
    ("snmp", "Ip:\r Forwarding DefaultTTL\nIp: 2 64\n"),
    ("stat", "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\ncpucpu1 1 2 3 4 5 6 7 8 9 10\n")])
def test_bulk_reading_of_cases_fuzzing_found(name, text):
    """str.split() splits at \\x1c-\\x1f, which C's isspace() does not take for white space
    (CI found it: \\x1f in /proc/net/dev shifted lo's transmit counters), and at \\r, which
    netstat's strtok does not take for one; an interface name ends at white space, so
    "e : 1 2" has no counters for netstat; "cpucpu1" is no CPU number for sscanf, but
    was CPU 1 for the bulk reading of /proc/stat."""
    fast, slow, _ = BULK[name]
    assert fast(text) == slow(text)
