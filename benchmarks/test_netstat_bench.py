"""pystat netstat on huge socket tables (pytest-benchmark).

    python -m pytest benchmarks/test_netstat_bench.py --benchmark-enable

* a synthetic root with 100,000 IPv4 and 20,000 IPv6 TCP sockets, made at
  run time by benchmarks/make_big_sockets.py (deterministic, not committed):
  the socket-table parser alone, pystat's listing in-process, and
  ``pystat netstat -ant`` end to end against the real netstat on the same
  files (whole processes; the real one in a private mount namespace);
* the live machine holding the same number of loopback connections
  (benchmarks/hold_connections.py): ``pystat netstat -antp`` against
  ``psutil.net_connections('tcp')``, both as whole processes and in-process;
* peak memory of ``pystat netstat -ant`` on 120k and 360k sockets.

Without --benchmark-enable (the normal test run) every benchmark runs once
on tables a tenth of the size, as a test; nothing is asserted about time.
Results: benchmarks/README.md.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from make_big_sockets import make  # noqa: E402

PYSTAT = [sys.executable, "-m", "pystat"]
ENV = dict(os.environ, PYTHONPATH=REPO, LC_ALL="C")


def _full(config) -> bool:
    """Benchmarking for real (--benchmark-enable), not the once-through test run."""
    return bool(config.getoption("benchmark_enable")) or not config.getoption(
        "benchmark_disable")


@pytest.fixture(scope="module")
def sizes(request):
    return (100000, 20000) if _full(request.config) else (10000, 2000)


@pytest.fixture(scope="module")
def big(tmp_path_factory, sizes):
    dest = str(tmp_path_factory.mktemp("netstat-big") / "root")
    make(dest, v4=sizes[0], v6=sizes[1], pids=0)
    return dest


def _real_netstat_available() -> bool:
    from tests.oracle import oracle

    return oracle.available("netstat")


def _real_netstat(root: str, *argv: str) -> list[str]:
    return ["unshare", "-m", "sh", "-c", 'mount --bind "$0/proc" /proc && exec netstat "$@"',
            root, *argv]


def _run(cmd, env=None):
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert p.returncode == 0, p.stderr
    return p


# --------------------------------------------------------------------------------
# the synthetic table

def test_parse_socket_table(benchmark, big):
    """The parser alone: every line of /proc/net/tcp decoded into records."""
    from pystat.proc.netsock import parse_inet_sockets

    with open(os.path.join(big, "proc/net/tcp")) as f:
        text = f.read()
    rows = benchmark.pedantic(parse_inet_sockets, (text,), rounds=3, iterations=1)
    assert len(rows) == text.count("\n") - 1


def test_listing_in_process(benchmark, big):
    """The -ant listing without start-up or output: chunks, fast path, caches."""
    from pystat.commands.netstat import parse, sockets
    from pystat.reader import open_host

    class Null:
        n = 0

        def write(self, s):
            Null.n += len(s)

    def listing():
        host = open_host(big)
        return sockets.text(host, parse(["-ant"]), Null(), lambda m: None)

    assert benchmark.pedantic(listing, rounds=5, iterations=1) == 0


def test_pystat_netstat_ant_end_to_end(benchmark, big):
    benchmark.pedantic(_run, (PYSTAT + ["--root", big, "netstat", "-ant"], ENV), rounds=7,
                       iterations=1)


def test_real_netstat_ant_end_to_end(benchmark, big):
    if not _real_netstat_available():
        pytest.skip("the real netstat cannot run on a fixture here")
    benchmark.pedantic(_run, (_real_netstat(big, "-ant"),), rounds=7, iterations=1)


def test_same_output_as_real_netstat(big):
    if not _real_netstat_available():
        pytest.skip("the real netstat cannot run on a fixture here")
    real = subprocess.run(_real_netstat(big, "-ant"), capture_output=True).stdout
    mine = subprocess.run(PYSTAT + ["--root", big, "netstat", "-ant"], capture_output=True,
                          env=ENV).stdout
    assert mine == real


def _maxrss_of(cmd) -> int:
    """Peak RSS (KiB) of a command run under /usr/bin/time."""
    time_ = shutil.which("time") or "/usr/bin/time"
    if not os.path.exists(time_):
        pytest.skip("needs /usr/bin/time")
    p = subprocess.run([time_, "-f", "%M", *cmd], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=ENV, text=True)
    return int(p.stderr.strip().splitlines()[-1])


def test_memory_stays_bounded(tmp_path, big, sizes, request):
    """Peak memory on 3x the table: the output streams, only bounded caches grow."""
    triple = str(tmp_path / "triple")
    make(triple, v4=3 * sizes[0], v6=3 * sizes[1], pids=0)
    one = _maxrss_of(PYSTAT + ["--root", big, "netstat", "-ant"])
    three = _maxrss_of(PYSTAT + ["--root", triple, "netstat", "-ant"])
    print(f"\npeak RSS: {one} KiB for {sum(sizes)} sockets, {three} KiB for {3 * sum(sizes)}")
    if _full(request.config):
        assert three < 1.3 * one


# --------------------------------------------------------------------------------
# the live machine holding that many connections

@pytest.fixture(scope="module")
def holding(sizes):
    if os.geteuid() != 0:
        pytest.skip("needs root (RLIMIT_NOFILE for 120k sockets)")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "hold_connections.py"),
                             str(sizes[0]), str(sizes[1])], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        if not line or line[0] != "ready":
            pytest.skip("could not open the connections")
        yield [int(pid) for pid in line[2:]]     # the children holding the sockets
    finally:
        proc.kill()          # only the helper this fixture started
        proc.wait()


def test_pystat_netstat_antp_live(benchmark, holding):
    benchmark.pedantic(_run, (PYSTAT + ["netstat", "-antp"], ENV), rounds=5, iterations=1)


def test_psutil_net_connections_live(benchmark, holding):
    code = "import psutil; psutil.net_connections('tcp')"
    benchmark.pedantic(_run, ([sys.executable, "-c", code], ENV), rounds=5, iterations=1)


def test_pystat_antp_in_process_live(benchmark, holding):
    from pystat.commands.netstat import parse, sockets
    from pystat.reader import open_host

    def listing():
        out = io.StringIO()
        sockets.text(open_host(None), parse(["-antp"]), out, lambda m: None)
        return out.getvalue()

    text = benchmark.pedantic(listing, rounds=3, iterations=1)
    assert f" {holding[0]}/python" in text


def test_psutil_in_process_live(benchmark, holding):
    import psutil

    conns = benchmark.pedantic(psutil.net_connections, ("tcp",), rounds=3, iterations=1)
    assert any(c.pid in holding for c in conns)


def test_resource_limits_are_restored():
    # the helper raised its own limit, not ours
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] > 0
