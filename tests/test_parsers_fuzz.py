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
from pystat.proc.diskstats import parse_block_stat, parse_diskstats
from pystat.proc.meminfo import parse_meminfo
from pystat.proc.netdev import parse_if_inet6, parse_net_dev
from pystat.proc.netsock import parse_inet_sockets, parse_unix_sockets
from pystat.proc.snmp import parse_snmp, parse_snmp6
from pystat.proc.slabinfo import parse_slabinfo
from pystat.proc.stat import parse_stat
from pystat.proc.vmstat import parse_vmstat
from tests.oracle.cases import FIXTURES

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
