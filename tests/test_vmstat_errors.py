"""Bad input: one line on stderr naming the problem, a non-zero exit, no traceback."""

from __future__ import annotations

import os

import pytest

from tests.helpers import copy_fixture, run, run_process
from tests.oracle import oracle
from tests.oracle.cases import FIXTURES

IDLE = os.path.join(FIXTURES, "idle")
BUSY = os.path.join(FIXTURES, "busy")


@pytest.fixture
def root(tmp_path):
    return copy_fixture("idle", tmp_path / "root")


def one_line_error(code, out, err, *needles):
    assert code != 0
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def mangle(root, rel, func):
    path = root / rel
    path.write_text(func(path.read_text()))


@pytest.mark.parametrize("argv,rel,edit,needles", [
    ([], "proc/meminfo", None, ["/proc/meminfo", "No such file"]),
    ([], "proc/stat", None, ["/proc/stat", "No such file"]),
    ([], "proc/vmstat", None, ["/proc/vmstat"]),
    (["-d"], "proc/diskstats", None, ["/proc/diskstats"]),
    (["-m"], "proc/slabinfo", None, ["/proc/slabinfo"]),
    ([], "proc/meminfo", lambda t: t[: len(t) // 3], ["/proc/meminfo", "truncated"]),
    ([], "proc/stat", lambda t: t.split("\nintr")[0] + "\n", ["/proc/stat", "intr"]),
    ([], "proc/stat", lambda t: t.replace("cpu ", "cpu x", 1), ["/proc/stat", "line 1"]),
    ([], "proc/stat", lambda t: "garbage\n" + t, ["/proc/stat", "cpu"]),
    ([], "proc/vmstat", lambda t: t.replace("pgpgin ", "pgpgin x"), ["/proc/vmstat", "pgpgin"]),
    ([], "proc/meminfo", lambda t: t.replace("MemFree:", "MemFree: lots"),
     ["/proc/meminfo", "line 2"]),
    (["-d"], "proc/diskstats", lambda t: t.replace(" vda ", " vda x", 1),
     ["/proc/diskstats", "vda"]),
    (["-d"], "proc/diskstats", lambda t: t[:-5], ["/proc/diskstats", "truncated"]),
    ([], "proc/vmstat", lambda t: t[:-1], ["/proc/vmstat", "truncated"]),
    (["-d"], "proc/diskstats", lambda t: t + "  8 0 sdz 1 2 3\n", ["/proc/diskstats", "sdz"]),
    (["-D"], "proc/diskstats", lambda t: t + "  8 1 sdz1 1 2 3 4\n", ["old 4-counter"]),
    (["-m"], "proc/slabinfo", lambda t: "slabinfo - version: 1.1\n" + t, ["/proc/slabinfo"]),
    (["-m"], "proc/slabinfo", lambda t: t + "kmalloc-x 1 2 3\n", ["/proc/slabinfo", "layout"]),
    ([], "proc/stat", lambda t: "", ["/proc/stat"]),
])
def test_bad_file(root, argv, rel, edit, needles):
    if edit is None:
        (root / rel).unlink()
    else:
        mangle(root, rel, edit)
    one_line_error(*run(["--root", str(root), "vmstat", *argv]), *needles)


def test_unreadable_file(root):
    (root / "proc/meminfo").unlink()
    (root / "proc/meminfo").mkdir()  # root reads any file; a directory is unreadable to anyone
    one_line_error(*run(["--root", str(root), "vmstat"]), "/proc/meminfo", "Is a directory")


def test_slabinfo_needs_root(root, monkeypatch):
    """/proc/slabinfo is mode 0400: a user who is not root gets EACCES."""
    import builtins

    real_open = builtins.open

    def denying_open(path, *a, **kw):
        if str(path).endswith("/proc/slabinfo"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **kw)

    monkeypatch.setattr(builtins, "open", denying_open)
    one_line_error(*run(["--root", str(root), "vmstat", "-m"]), "/proc/slabinfo", "run as root")


@pytest.mark.parametrize("argv,needles,code", [
    (["-x"], ["No such option", "-x"], 2),
    (["--bogus"], ["No such option", "--bogus"], 2),
    (["abc"], ["failed to parse argument: 'abc'"], 1),
    (["1x"], ["failed to parse argument: '1x'"], 1),
    (["1", "two"], ["failed to parse argument: 'two'"], 1),
    (["0"], ["delay must be positive integer"], 1),
    (["-5"], ["No such option"], 2),
    (["99999999999"], ["too large delay value"], 1),
    (["1", "2", "3"], ["unexpected argument '3'"], 1),
    (["-S", "x"], ["-S requires k, K, m or M"], 1),
    (["-S"], ["requires an argument"], 2),
    (["-d", "-s"], ["cannot be combined"], 1),
    (["-m", "-D"], ["cannot be combined"], 1),
    (["-p", "nosuch"], ["Disk/Partition nosuch not found"], 1),
    (["-p", "/dev/nosuch"], ["Disk/Partition nosuch not found"], 1),
    (["--format", "xml"], ["--format"], 2),
])
def test_bad_command_line(argv, needles, code):
    result = run(["--root", IDLE, "vmstat", *argv])
    one_line_error(*result, *needles)
    assert result[0] == code


def test_missing_root():
    one_line_error(*run(["--root", "/nonexistent/x", "vmstat"]), "--root /nonexistent/x")


def test_garbled_snapshot_description(root):
    (root / "pystat-snapshot.json").write_text("{not json")
    one_line_error(*run(["--root", str(root), "vmstat"]), "pystat-snapshot.json")


def test_series_shorter_than_count():
    code, out, err = run(["--root", BUSY, "vmstat", "1", "9"])
    one_line_error(code, out, err, "has only 5 samples")
    assert len(out.splitlines()) == 2 + 5  # what the series holds was printed


def test_series_without_count_ends_cleanly():
    code, out, err = run(["--root", BUSY, "vmstat", "1"])
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 2 + 5


def test_no_traceback_from_the_console_entry_point(root):
    (root / "proc/stat").write_text("cpu 1 2\n")
    p = run_process(["--root", str(root), "vmstat"])
    assert p.returncode == 1
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert p.stderr.startswith("pystat: /proc/stat:")


# -- damaged or unusual files, against the real vmstat -----------------------
# Found by differential fuzzing. Where vmstat prints normal output, pystat
# prints the same; where vmstat fails, pystat fails with one line.

needs_oracle = pytest.mark.skipif(not oracle.available("vmstat"),
                                  reason="needs the oracle (root, unshare, faketime, vmstat)")


U64 = 2**64 - 1


def first_line_field(index, value):
    """The aggregate cpu line of /proc/stat with column ``index`` set to ``value``."""
    def edit(t):
        lines = t.split("\n")
        words = lines[0].split()
        words[1 + index] = str(value)
        lines[0] = " ".join(words)
        return "\n".join(lines)
    return edit


PAD_MEMINFO = "".join("Extra%d:  %d kB\n" % (i, i) for i in range(1000))  # 8+ KiB
PAD_VMSTAT = "".join("extra%d %d\n" % (i, i) for i in range(1000))


def vda_counters(count):
    """vda's diskstats line cut to ``count`` counters."""
    def edit(t):
        out = []
        for line in t.splitlines():
            w = line.split()
            if w[2] == "vda":
                line = " ".join(w[:3 + count])
            out.append(line + "\n")
        return "".join(out)
    return edit


def replace(old, new):
    def edit(t):
        assert old in t
        return t.replace(old, new, 1)
    return edit


@needs_oracle
@pytest.mark.parametrize("argv,rel,edit", [
    # tick counters near 2**64: vmstat's long long sums wrap, -s prints them with %lld
    (["-w"], "proc/stat", first_line_field(0, U64)),
    (["-w"], "proc/stat", first_line_field(3, 2**63)),
    (["-w"], "proc/stat", first_line_field(8, 2**63 - 1)),
    (["-w"], "proc/stat", first_line_field(2, 2**62)),
    (["-s"], "proc/stat", first_line_field(5, 2**63)),
    (["-s"], "proc/stat", first_line_field(0, U64)),
    # numbers past 2**64 - 1 saturate (strtoul, %llu)
    (["-s"], "proc/stat", first_line_field(0, 10**25)),
    ([], "proc/stat", replace("ctxt 229632", "ctxt %d" % 10**25)),
    (["-s"], "proc/stat", replace("ctxt 229632", "ctxt %d" % 2**64)),
    ([], "proc/vmstat", replace("pgpgin 803805", "pgpgin %d" % 10**25)),
    (["-s"], "proc/vmstat", replace("pgpgin 803805", "pgpgin %d" % 2**64)),
    (["-s"], "proc/meminfo", replace("MemFree:        24320684", "MemFree: %d" % 10**25)),
    (["-D"], "proc/diskstats", replace("vda 30425", "vda %d" % 2**64)),
    (["-d"], "proc/diskstats", replace("vda 30425", "vda %d" % 10**25)),
    (["-m"], "proc/slabinfo", replace("      0      0    312",
                                      "      %d %d 4294967297" % (10**25, 2**64))),
    # unitConvert: an unsigned long argument (pages * 4 wraps), float32 rounded
    # once, a result past 2**64 is 0
    (["-S", "b"], "proc/meminfo", replace("MemFree:        24320684",
                                          "MemFree: %d" % (2**54 + 2**31))),
    (["-S", "k"], "proc/meminfo", replace("MemFree:        24320684", "MemFree: %d" % U64)),
    (["-S", "k"], "proc/meminfo", replace("MemFree:        24320684",
                                          "MemFree: %d" % (2**60 + 2**36 + 1))),
    (["-S", "k"], "proc/vmstat", replace("pswpin 0", "pswpin %d" % (2**62 + 1))),
    # used memory is a signed long: past 2**63 it is MemTotal - MemFree
    (["-s"], "proc/meminfo", lambda t: t.replace("MemTotal:       24684096", "MemTotal: %d" % (
        2**63 + 100)).replace("MemFree:        24320684", "MemFree: %d" % (2**63 + 90)).replace(
        "MemAvailable:   24368480", "MemAvailable: 50")),
    # a diskstats line with a count of counters no kernel prints: vmstat reads 11
    (["-d"], "proc/diskstats", vda_counters(12)),
    (["-d"], "proc/diskstats", vda_counters(14)),
    (["-D"], "proc/diskstats", vda_counters(16)),
    # a line twice: /proc/stat's first (strstr), /proc/vmstat's last
    (["-s"], "proc/stat", replace("ctxt 229632\n", "ctxt 229632\nctxt 5\n")),
    (["-s"], "proc/vmstat", lambda t: t + "pgpgin 5\n"),
    # libproc2 reads the first 8191 bytes of meminfo and vmstat: a line past
    # them counts as 0 (an unknown MemAvailable is MemFree), or is not there
    (["-s"], "proc/meminfo", lambda t: t.replace("MemAvailable:", "Avail:") + PAD_MEMINFO
     + "MemAvailable: 5 kB\n"),
    (["-s"], "proc/vmstat", lambda t: t + PAD_VMSTAT + "pgpgin 5\n"),
    # what vmstat does not read may say anything: a meminfo line it does not
    # show, words after a meminfo number, diskstats counters after the 11th
    ([], "proc/meminfo", replace("CommitLimit:    12342048 kB", "CommitLimit: lots 1 2")),
    (["-s"], "proc/meminfo", replace("MemFree:        24320684 kB", "MemFree: 24320684 kB 0")),
    (["-d"], "proc/diskstats", replace("94232 226 92 3", "x 226 92 3")),
    (["-s"], "proc/vmstat", replace("pgpgin 803805", "pgpgin 803805 7")),
    # a line with no ':' (meminfo) or no space (vmstat) hides the next line
    # from vmstat: harmless when that line is not shown, or there is none
    ([], "proc/meminfo", replace("\nCommitLimit", "\nfoo\n\nCommitLimit")),
    (["-s"], "proc/meminfo", lambda t: t + "foo\n"),
    ([], "proc/vmstat", replace("\npgfault", "\nfoo\t1\npgfault")),
    (["-s"], "proc/vmstat", lambda t: t + "\n"),
    # sscanf("cpu %llu ...") takes any white space after "cpu"
    (["-aw"], "proc/stat", replace("cpu  ", "cpu\t\t")),
])
def test_like_the_real_tool(root, argv, rel, edit):
    mangle(root, rel, edit)
    rc, expected, err = oracle.run(str(root), ["vmstat", *argv])
    assert rc == 0, err  # vmstat prints normal output...
    assert run(["--root", str(root), "vmstat", *argv])[:2] == (rc, expected)  # ... pystat too


@needs_oracle
@pytest.mark.parametrize("argv,rel,edit,needles", [
    # libproc2's sscanf finds nothing on an empty line: "Unable to create ... structure"
    (["-d"], "proc/diskstats", replace("\n", "\n\n"), ["/proc/diskstats", "line 2", "empty"]),
    (["-D"], "proc/diskstats", replace("\n", "\n \n"), ["/proc/diskstats", "line 2", "empty"]),
    (["-m"], "proc/slabinfo", replace("\n", "\n\n"), ["/proc/slabinfo", "line 2", "empty"]),
    # names longer than libproc2's %34s
    (["-d"], "proc/diskstats", replace("zram0", "z" * 35), ["/proc/diskstats", "line 10"]),
])
def test_fails_like_the_real_tool(root, argv, rel, edit, needles):
    mangle(root, rel, edit)
    rc, _, err = oracle.run(str(root), ["vmstat", *argv])
    assert rc != 0 and "Unable to create" in err
    one_line_error(*run(["--root", str(root), "vmstat", *argv]), *needles)


@pytest.mark.parametrize("argv,rel,edit,needles", [
    # vmstat loses the next line's value (a name is read up to the next ':' or
    # space, from the start of a line) and prints it as 0: refused
    (["-s"], "proc/meminfo", replace("\nCached", "\n\nCached"),
     ["/proc/meminfo", "line 6", "Cached"]),
    ([], "proc/meminfo", replace("\nBuffers", "\nfoo\nBuffers"),
     ["/proc/meminfo", "line 5", "Buffers"]),
    ([], "proc/meminfo", replace("\nBuffers", "\n \tBuffers"), ["/proc/meminfo", "line 4"]),
    (["-s"], "proc/vmstat", replace("\npgpgout", "\n\npgpgout"),
     ["/proc/vmstat", "line 75", "pgpgout"]),
    ([], "proc/vmstat", replace("\npgpgin", "\nfoo\npgpgin"), ["/proc/vmstat", "line 74", "pgpgin"]),
    ([], "proc/vmstat", replace("\npgpgin", "\nfoo\t1\n\npgpgin"),
     ["/proc/vmstat", "line 75", "pgpgin"]),
    # past the 8191 bytes libproc2 reads, SwapTotal is 0 for vmstat
    (["-s"], "proc/meminfo", replace("SwapTotal:", PAD_MEMINFO + "SwapTotal:"),
     ["/proc/meminfo", "SwapTotal", "8191"]),
    # vmstat reads -1 as 2**64 - 1 (strtoul)
    ([], "proc/meminfo", replace("SwapFree:              0", "SwapFree: -1"),
     ["/proc/meminfo", "SwapFree", "'-1'"]),
])
def test_values_vmstat_would_lose_are_refused(root, argv, rel, edit, needles):
    mangle(root, rel, edit)
    one_line_error(*run(["--root", str(root), "vmstat", *argv]), *needles)
