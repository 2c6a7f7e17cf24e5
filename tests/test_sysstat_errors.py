"""iostat and mpstat on bad input: what sysstat does, and never a traceback.

sysstat reads /proc with sscanf, so most damage is not an error for it (a
garbled counter reads as what scanf makes of it, a missing optional file as
zeros); it fails only without /proc/uptime or /proc/stat (exit 2, after the
banner) and on a bad command line (usage, exit 1).  pystat does the same:
where sysstat fails, one line on stderr and sysstat's exit code; where it
does not, the same output.  Where the real tool can run on a fixture (root,
unshare, faketime, a C compiler), each damaged fixture is also given to it
and the outputs must be equal.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.helpers import copy_fixture, run, run_process
from tests.oracle import oracle
from tests.oracle.cases import FIXTURES

IDLE = os.path.join(FIXTURES, "idle")
BUSY = os.path.join(FIXTURES, "busy")


@pytest.fixture
def root(tmp_path):
    return copy_fixture("idle", tmp_path / "root")


def check(root, argv, rc=None, needles=(), compare=True):
    """pystat on ``root``: no traceback, at most one stderr line naming ``needles``,
    exit code ``rc`` if given; and the real tool's stdout and exit code if it can run
    (and ``compare``)."""
    code, out, err = run(["--root", str(root), *argv])
    assert "Traceback" not in err
    assert err.count("\n") <= 1, err
    if rc is not None:
        assert code == rc, err
    if code:
        assert err.startswith("pystat: "), err
    for n in needles:
        assert n in err, err
    if compare and oracle.available(argv[0]):
        real_rc, real_out, _ = oracle.run(str(root), argv)
        assert (code, out) == (real_rc, real_out)
    return code, out, err


def edit(root, rel, func):
    path = root / rel
    path.write_text(func(path.read_text()))


# -- files that are missing ------------------------------------------------

@pytest.mark.parametrize("argv", [["iostat"], ["iostat", "-d"], ["mpstat"], ["mpstat", "-A"]])
def test_without_uptime(root, argv):
    (root / "proc/uptime").unlink()
    code, out, _ = check(root, argv, 2, ["Cannot read /proc/uptime"])
    assert out.startswith("Linux ")  # the banner came first, as in sysstat


@pytest.mark.parametrize("argv", [["iostat"], ["mpstat", "-P", "ALL"]])
def test_without_stat(root, argv):
    (root / "proc/stat").unlink()
    check(root, argv, 2, ["Cannot open /proc/stat", "No such file"])


@pytest.mark.parametrize("argv", [["mpstat", "-I", "CPU"], ["mpstat", "-I", "SCPU"],
                                  ["mpstat", "-A"], ["mpstat", "-I", "SUM", "-P", "ALL"]])
@pytest.mark.parametrize("rel", ["proc/interrupts", "proc/softirqs"])
def test_without_interrupt_files(root, argv, rel):
    (root / rel).unlink()
    check(root, argv, 0)


def test_without_cpu_directories(root):
    """No /sys/devices/system/cpu: the CPU count comes from /proc/stat."""
    shutil.rmtree(root / "sys/devices/system/cpu")
    (root / "sys/devices/system/cpu").mkdir()
    for argv in (["mpstat", "-P", "ALL"], ["iostat", "-c"], ["mpstat", "-A"]):
        check(root, argv, 0)


@pytest.mark.parametrize("name,argv,rc", [
    ("cpu4294967297", ["mpstat", "-P", "ALL"], 0),
    ("cpu4294967297", ["mpstat", "-A"], 0),
    ("cpu99999999999", ["mpstat"], 4),
    ("cpu2147483647", ["mpstat", "-P", "ALL"], 4),
    ("cpu99999999999", ["iostat", "-c"], 0),
])
def test_cpu_directory_with_a_huge_number(root, name, argv, rc):
    """sysstat reads the N of a cpuN directory with sscanf("%d"): 4294967297
    is CPU 1; an N that stays huge makes mpstat's tables too big to allocate
    (exit 4, before the banner) where pystat had a MemoryError."""
    (root / "sys/devices/system/cpu" / name).mkdir()
    check(root, argv, rc)


def test_without_sys_block(root):
    shutil.rmtree(root / "sys/block")
    (root / "sys/block").mkdir()
    code, out, _ = check(root, ["iostat", "-d"], 0)
    assert out.splitlines()[2].startswith("Device")


def test_device_mapper_names_without_dev_mapper(tmp_path):
    """-N with a device-mapper device and no /dev/mapper: sysstat exits 4."""
    dest = tmp_path / "root"
    shutil.copytree(os.path.join(FIXTURES, "synthetic", "000000"), dest, symlinks=True)
    shutil.rmtree(dest / "dev/mapper")
    check(dest, ["iostat", "-d", "-N"], 4, ["Cannot open /dev/mapper"])


# -- files that are damaged: sysstat reads what scanf makes of them --------

@pytest.mark.parametrize("argv,rel,func", [
    (["iostat"], "proc/uptime", lambda t: "garbage\n"),
    (["iostat"], "proc/uptime", lambda t: ""),
    (["mpstat"], "proc/uptime", lambda t: t.replace(".", " ", 1)),
])
def test_garbled_uptime(root, argv, rel, func):
    edit(root, rel, func)
    check(root, argv, 2, ["Cannot read /proc/uptime"])


@pytest.mark.parametrize("argv,rel,func", [
    (["iostat"], "proc/stat", lambda t: t.replace("cpu ", "cpx ", 1)),
    (["iostat", "-c"], "proc/stat", lambda t: "\n".join(t.splitlines()[:1])),
    (["iostat", "-c"], "proc/stat", lambda t: t[:12]),
    (["mpstat", "-P", "ALL"], "proc/stat", lambda t: t.replace("cpu1 ", "cpu1 x ", 1)),
    (["mpstat", "-P", "ALL"], "proc/stat", lambda t: t.replace("cpu1 ", "cpu7 ", 1)),
    (["mpstat", "-P", "ALL"], "proc/stat", lambda t: t.replace("cpu0 ", "cpu0 -5 ", 1)),
    (["mpstat", "-I", "CPU"], "proc/interrupts", lambda t: t.replace("CPU", "cpu")),
    (["mpstat", "-I", "CPU"], "proc/interrupts", lambda t: t[: len(t) // 2]),
    (["mpstat", "-I", "SCPU"], "proc/softirqs", lambda t: t.replace("0", "x", 7)),
    (["mpstat", "-I", "ALL"], "proc/interrupts", lambda t: t + "EXTRA_LONG_IRQ_NAME: 1 2\n"),
    (["iostat", "-d"], "sys/block/vda/stat", lambda t: "1 2 3\n"),
    (["iostat", "-d", "vda"], "sys/block/vda/stat", lambda t: "x\n"),
    (["iostat", "-x", "vda"], "sys/block/vda/stat", lambda t: " ".join(t.split()[:11]) + "\n"),
    (["iostat", "-d", "vda"], "sys/block/vda/stat", lambda t: " ".join(t.split()[:4]) + "\n"),
    (["iostat", "-p", "ALL"], "proc/diskstats", lambda t: t[: len(t) // 2]),
    (["iostat", "-p", "ALL"], "proc/diskstats", lambda t: t + "8 1 sdz1 1 2 3 4\n"),
    (["iostat", "-x", "-p", "ALL"], "proc/diskstats", lambda t: t + "8 1 sdz1 1 2 3 4\n"),
    (["iostat", "-p", "ALL"], "proc/diskstats", lambda t: t + "8 2 sdz2 1 2 3 4 5 6\n"),
    (["iostat", "-p", "ALL"], "proc/diskstats",
     lambda t: t.replace(" vda ", " vda -1 ", 1)),
    (["iostat", "-d", "-p", "ALL"], "proc/diskstats",
     lambda t: "\n".join(" ".join(x.split()[:14]) for x in t.splitlines()) + "\n"),
])
def test_damaged_file(root, argv, rel, func):
    edit(root, rel, func)
    check(root, argv, 0)


@pytest.mark.parametrize("argv", [["mpstat", "-P", "ALL"], ["mpstat", "-A"],
                                  ["mpstat", "-I", "CPU"]])
@pytest.mark.parametrize("func", [
    lambda t: t.replace("cpu1 ", "cpux 1 2\ncpu1 ", 1),
    lambda t: t.replace("intr ", "cpu\nintr ", 1),
    lambda t: t.replace("cpu0 ", "cpux\ncpu0 ", 1),
    lambda t: t.replace("cpu1 ", "cpucpu1 ", 1),   # not CPU 1 (the bulk reading took it so)
])
def test_cpu_line_without_a_number(root, argv, func):
    """A "cpu" line whose number sscanf cannot read: sysstat's proc_nr keeps the
    number of the CPU line before it, whose times it zeroes (that CPU looks
    offline); before any CPU line it changes nothing."""
    edit(root, "proc/stat", func)
    check(root, argv, 0)


def _counters(n):
    return " ".join(str(7 * i + 3) for i in range(1, n + 1))


@pytest.mark.parametrize("n", [12, 13, 14, 16])
def test_block_stat_between_counter_layouts(root, n):
    """12 to 14 counters in a /sys/block stat file are 11 (no discards), 16 are
    15 (no flushes): sysstat takes discards only from 15, flushes from 17."""
    edit(root, "sys/block/vda/stat", lambda t: _counters(n) + "\n")
    check(root, ["iostat", "-x", "vda"], 0)


@pytest.mark.parametrize("n", [12, 13, 14, 16])
def test_diskstats_between_counter_layouts(root, n):
    """The same for a /proc/diskstats line (iostat -p ALL reads it)."""
    edit(root, "proc/diskstats", lambda t: "\n".join(
        "253 0 vda " + _counters(n) if " vda " in line else line for line in t.split("\n")))
    check(root, ["iostat", "-x", "-p", "ALL"], 0)


@pytest.mark.parametrize("argv,rel,old,new", [
    (["mpstat", "-I", "CPU"], "proc/interrupts", "HYP:", "HYP\0:"),
    (["mpstat", "-I", "ALL", "-P", "ALL"], "proc/interrupts", "LOC:", "L\0OC:"),
    (["mpstat", "-I", "SCPU"], "proc/softirqs", "TIMER:", "TI\0MER:"),
    (["iostat", "-d", "-p", "ALL"], "proc/diskstats", " vda ", " v\0da "),
])
def test_nul_byte_ends_the_line(root, argv, rel, old, new):
    """A NUL byte ends a line for sysstat (fgets reads past it, strchr and
    sscanf stop at it): an interrupt line with a NUL before its ':' is not an
    interrupt, a diskstats line with a NUL in its name has 3 fields."""
    edit(root, rel, lambda t: t.replace(old, new, 1))
    check(root, argv, 0)


@pytest.mark.parametrize("n,compare", [("-2", True), ("-3", True), ("-100", False),
                                       ("-2147483648", False)])
def test_cpu_line_with_a_negative_number(root, n, compare):
    """A "cpuN" line with N below -1: sysstat stores it before its array
    (undefined: no visible effect for -2 or -3, a crash further away); pystat
    ignores it, without a traceback."""
    edit(root, "proc/stat", lambda t: t.replace("intr ", "cpu%s 5 5 5 5 5 5 5 5 5 5\nintr " % n, 1))
    for argv in (["mpstat", "-P", "ALL"], ["mpstat", "-A"]):
        check(root, argv, 0, compare=compare)


@pytest.mark.parametrize("argv", [["iostat", "-d"], ["iostat", "-x"], ["iostat", "-h"]])
def test_non_ascii_device_name_is_padded_in_bytes(root, argv):
    """printf("%-13s") pads a device name to 13 bytes, not characters."""
    (root / "sys/block/sd\u00e9").mkdir()
    (root / "sys/block/sd\u00e9/stat").write_text("5 0 10 0 5 0 10 0 0 10 10 0 0 0 0 1 1\n")
    check(root, argv, 0)


@pytest.mark.parametrize("argv", [["mpstat", "-I", "CPU"], ["mpstat", "-I", "CPU", "-o", "JSON"]])
@pytest.mark.parametrize("name", ["\u00dcOC", "\u00e9" * 8, "ab" + "\u00e9" * 7])
def test_non_ascii_interrupt_name_counts_bytes(root, argv, name):
    """An interrupt name is cut to 15 bytes (a UTF-8 character may be split)
    and its column is as wide as its bytes, as in sysstat."""
    path = root / "proc/interrupts"
    path.write_bytes(path.read_bytes().replace(b"LOC:", name.encode() + b":", 1))
    check(root, argv, 0)


def test_garbled_interrupt_total(root):
    """An "intr" total sscanf cannot read: sysstat then prints whatever its
    memory held (it differs from run to run); pystat takes it as 0."""
    edit(root, "proc/stat", lambda t: t.replace("intr ", "intr x", 1))
    code, out, _ = check(root, ["mpstat", "-I", "SUM"], 0, compare=False)
    assert out.splitlines()[-1].split()[-1] == "0.00"


def test_unreadable_block_stat(root):
    (root / "sys/block/vda/stat").unlink()
    (root / "sys/block/vda/stat").mkdir()
    check(root, ["iostat", "-d", "ALL"], 0)


# -- counters that go backwards, devices that come and go ------------------

def test_counters_going_backwards_are_not_negative(tmp_path):
    """A device whose counters went down is compared with zero, as in sysstat:
    no negative or absurd rate (the busy series, its second sample reset)."""
    series = tmp_path / "series"
    shutil.copytree(BUSY, series, ignore=shutil.ignore_patterns("golden"))
    stat = series / "000001/sys/block/vda/stat"
    stat.write_text(" ".join(str(int(x) // 100) for x in stat.read_text().split()) + "\n")
    code, out, err = run(["--root", str(series), "iostat", "-d", "-x", "vda", "1", "3"])
    assert (code, err) == (0, "")
    for line in out.splitlines():
        if line.startswith("vda"):
            assert all(float(x) >= 0 and float(x) < 1e7 for x in line.split()[1:]), line


def _busy_series(tmp_path, samples):
    """The first ``samples`` samples of the busy series, copied."""
    series = tmp_path / "series"
    for k in range(samples):
        shutil.copytree(os.path.join(BUSY, "%06d" % k), series / ("%06d" % k), symlinks=True)
    return series


def _edit_count(name, column, change):
    """The count of interrupt ``name`` in CPU column ``column`` (0: the first)
    set to ``change(count)``."""
    def func(text):
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line.strip().startswith(name + ":"):
                words = line.split()
                words[1 + column] = change(words[1 + column])
                lines[i] = "      " + " ".join(words)
        return "\n".join(lines)
    return func


def _set_first_count(name, value):
    return _edit_count(name, 0, lambda _: value)


@pytest.mark.parametrize("argv,rel,name", [
    (["mpstat", "-I", "SUM", "-P", "ALL"], "proc/interrupts", "LOC"),
    (["mpstat", "-A"], "proc/softirqs", "TIMER"),
    (["mpstat", "-I", "SUM", "-P", "ALL", "-o", "JSON"], "proc/interrupts", "LOC"),
])
def test_per_cpu_interrupt_total_past_32_bits(root, argv, rel, name):
    """A CPU's interrupt total is a 64-bit sum of 32-bit counts: it does not
    wrap at 2**32 (sysstat's st_irq is unsigned long long)."""
    edit(root, rel, _set_first_count(name, "4294967295"))
    check(root, argv, 0)


@pytest.mark.parametrize("rel,func,irqs", [
    ("proc/stat", lambda t: re.sub(r"^intr \d+", "intr 5", t, flags=re.M), ["SUM"]),
    ("proc/interrupts", _set_first_count("LOC", "5"), ["SUM"]),
    ("proc/softirqs", _set_first_count("TIMER", "5"), ["SUM,SCPU"]),
])
def test_interrupt_totals_going_backwards_wrap_at_64_bits(tmp_path, rel, func, irqs):
    """The "intr" total of /proc/stat is read as 32 bits, but it and the per-CPU
    totals are compared as 64-bit counters: one that went down gives a rate
    near 2**64 per interval, as in sysstat."""
    series = _busy_series(tmp_path, 2)
    edit(series / "000001", rel, func)
    check(series, ["mpstat", "-I", *irqs, "-P", "ALL", "1", "1"], 0)


def _without_cpu1_line(text):
    return re.sub(r"^cpu1 .*\n", "", text, flags=re.M)


def _without_cpu1_column(text):
    """/proc/interrupts or /proc/softirqs without CPU1 (header and counts)."""
    lines = text.split("\n")
    out = [lines[0].replace("CPU1", "    ")]
    for line in lines[1:]:
        if ":" in line:
            name, rest = line.split(":", 1)
            words = rest.split()
            if len(words) >= 2:
                del words[1]
            line = name + ": " + " ".join(words)
        out.append(line)
    return "\n".join(out)


def _add_to_cpu1(name, n):
    return _edit_count(name, 1, lambda count: str(int(count) + n))


def test_offline_cpu_counts_per_interrupt_come_from_the_files(tmp_path):
    """A CPU with no /proc/stat line (offline) that the softirqs and interrupts
    headers still name: its counts per interrupt are the files' (the Average
    shows them), not carried on from the previous sample."""
    series = _busy_series(tmp_path, 2)
    edit(series / "000001", "proc/stat", _without_cpu1_line)
    edit(series / "000001", "proc/softirqs", _add_to_cpu1("TIMER", 1000))
    edit(series / "000001", "proc/interrupts", _add_to_cpu1("LOC", 1000))
    check(series, ["mpstat", "-I", "ALL", "-P", "ALL", "1", "1"], 0)


def test_offline_cpu_interrupt_total_is_not_carried_on(tmp_path):
    """A CPU with no /proc/stat line in the middle sample, that /proc/interrupts
    still names: its per-CPU total there is the file's, so that its intr/s when
    it is back is against that sample, not against the one before."""
    series = _busy_series(tmp_path, 3)
    edit(series / "000001", "proc/stat", _without_cpu1_line)
    check(series, ["mpstat", "-I", "SUM", "-P", "ALL", "1", "2"], 0)


@pytest.mark.parametrize("samples,missing,offline", [(2, 1, False), (2, 1, True),
                                                     (3, 1, True), (4, 2, False)])
def test_cpu_missing_from_interrupts_header_keeps_previous_counts(tmp_path, samples,
                                                                    missing, offline):
    """A CPU that /proc/interrupts does not name in a sample (online or not)
    keeps its counts of the previous sample: a zero rate, then the rate
    against that sample when it is back."""
    series = _busy_series(tmp_path, samples)
    edit(series / ("%06d" % missing), "proc/interrupts", _without_cpu1_column)
    if offline:
        edit(series / ("%06d" % missing), "proc/stat", _without_cpu1_line)
    check(series, ["mpstat", "-I", "CPU", "-P", "ALL", "1", str(samples - 1)], 0)


@pytest.mark.parametrize("func", [lambda t: "", lambda t: "\n", _without_cpu1_column])
def test_cpu_missing_from_interrupts_header_keeps_previous_total(tmp_path, func):
    """The per-CPU total (-I SUM -P ALL) of a CPU the interrupts header does not
    name (an empty file names none) is that of the previous sample: a zero
    rate, not a counter gone back to zero."""
    series = _busy_series(tmp_path, 2)
    edit(series / "000001", "proc/interrupts", func)
    check(series, ["mpstat", "-I", "SUM", "-P", "ALL", "1", "1"], 0)


@pytest.mark.parametrize("argv", [["iostat", "vda", "1", "2"],
                                  ["iostat", "-d", "vda", "loop0", "1", "2"],
                                  ["iostat", "-d", "-p", "vda", "1", "2"]])
def test_named_device_missing_at_start_up_is_never_shown(tmp_path, argv):
    """A device named on the command line that is not in /sys/block at start-up
    is taken for a partition, whose numbers sysstat gets from stat(/dev/NAME)
    once, then: that fails (0:0), and it is not shown when it appears later."""
    series = _busy_series(tmp_path, 2)
    shutil.rmtree(series / "000000/sys/block/vda")
    check(series, argv, 0)


# -- the command line ------------------------------------------------------

@pytest.mark.parametrize("argv,needles,code", [
    (["iostat", "-k", "-m"], ["-k and -m"], 1),
    (["iostat", "-q"], ["invalid option -- 'q'"], 1),
    (["iostat", "1", "0"], ["count"], 1),
    (["iostat", "0", "2"], ["count"], 1),
    (["iostat", "1", "2", "3"], ["unexpected argument '3'"], 1),
    (["iostat", "-o", "XML"], ["-o takes JSON"], 1),
    (["iostat", "--dec=5"], ["decimal places"], 1),
    (["iostat", "-g", "grp"], ["not supported"], 1),
    (["iostat", "-j", "UUID"], ["persistent"], 1),
    (["iostat", "--format", "xml"], ["--format"], 2),
    (["mpstat", "-P", "99"], ["CPU list '99'"], 1),
    (["mpstat", "-P", "ON"], ["CPU list 'ON'"], 1),
    (["mpstat", "-P", "1-0"], ["CPU list"], 1),
    (["mpstat", "-P"], ["-P needs"], 1),
    (["mpstat", "-I", "foo"], ["SUM, CPU, SCPU or ALL"], 1),
    (["mpstat", "-q"], ["invalid option -- 'q'"], 1),
    (["mpstat", "x"], ["interval"], 1),
    (["mpstat", "1", "x"], ["count"], 1),
    (["mpstat", "--dec=9"], ["decimal places"], 1),
    (["mpstat", "--format", "xml"], ["--format"], 2),
])
def test_bad_command_line(argv, needles, code):
    got, out, err = run(["--root", IDLE, *argv])
    assert (got, out) == (code, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    for n in needles:
        assert n in err, err


def test_unknown_device_is_silently_absent():
    """As in sysstat: a device that does not exist is not an error, just not shown."""
    code, out, err = run(["--root", IDLE, "iostat", "-d", "nosuch", "vda"])
    assert (code, err) == (0, "")
    rows = [line.split()[0] for line in out.splitlines()[3:] if line]
    assert rows == ["vda"]


def test_series_shorter_than_count():
    code, out, err = run(["--root", BUSY, "iostat", "-d", "1", "9"])
    assert code == 1 and "has only 5 samples" in err and err.count("\n") == 1
    assert out.count("Device") == 5


@pytest.mark.parametrize("tool", ["iostat", "mpstat"])
def test_series_without_count_ends_cleanly(tool):
    code, out, err = run(["--root", BUSY, tool, "1"])
    assert (code, err) == (0, "")
    if tool == "mpstat":
        assert out.splitlines()[-1].startswith("Average:")


def test_no_traceback_from_the_console_entry_point(root):
    (root / "proc/uptime").write_text("")
    p = run_process(["--root", str(root), "mpstat"])
    assert p.returncode == 2
    assert p.stderr == "pystat: mpstat: Cannot read /proc/uptime\n"
