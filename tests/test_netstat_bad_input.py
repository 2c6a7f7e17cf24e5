"""pystat netstat on broken input: what netstat does, or a clear message, never a traceback.

Each case damages a copy of the ``sockets`` fixture.  Where the real netstat
can run here (root, unshare, faketime), pystat's output and exit status must
be the real tool's on the same damaged files; everywhere, pystat's stderr is
``pystat: netstat: ...`` lines only.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers import copy_fixture, run
from tests.oracle import oracle
from tests.oracle.cases import FIXTURES

SOCKETS = os.path.join(FIXTURES, "sockets")
PID = "5281"      # the process holding the fixture's sockets


@pytest.fixture
def root(tmp_path):
    return copy_fixture("sockets", tmp_path / "root")


def _edit(path, fn):
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(fn(text))


def _pystat(root, *argv):
    code, out, err = run(["--root", str(root), "netstat", *argv])
    assert "Traceback" not in err
    for line in err.splitlines():
        assert line.startswith("pystat: netstat: "), err
    return code, out, err


def _same_as_real(root, *argv):
    """pystat's (rc, stdout) equal the real netstat's on ``root``, where it runs."""
    code, out, err = _pystat(root, *argv)
    if oracle.available("netstat"):
        rc, real, _ = oracle.run(str(root), ["netstat", *argv])
        assert (code, out) == (rc, real)
    return code, out, err


def _with_this_machines_interfaces(root):
    """The capture's record of what netstat -i asks by ioctl replaced by this
    machine's answers for the interfaces it has: the real netstat, run on the
    capture, asks this kernel."""
    import json

    from pystat import netif

    with open("/proc/net/dev") as f:
        names = [ln.split(":")[0].strip() for ln in f.read().splitlines()[2:]]
    meta = root / "pystat-snapshot.json"
    data = json.loads(meta.read_text())
    data["netif"] = netif.capture(names)
    meta.write_text(json.dumps(data))


def _lines(text):
    return text.splitlines(keepends=True)


def test_truncated_and_garbled_tcp_lines(root):
    def damage(text):
        lines = _lines(text)
        lines[3] = lines[3][:40] + "\n"                        # cut in the remote address
        lines[5] = "  17: this is not a socket\n"
        lines[7] = lines[7][:75] + "\n"                         # ends after "tr:when"
        lines[9] = lines[9].replace(":", ";", 2)
        lines.insert(11, "\n")
        return "".join(lines)
    _edit(root / "proc/net/tcp", damage)
    for argv in (["-ant"], ["-antp"], ["-ante"], ["-anto"], ["-a"]):
        code, out, err = _same_as_real(root, *argv)
        assert code == 0
        assert "warning, got bogus tcp line." in err
    assert out.count("\n") > 2500


def test_truncated_udp_raw_unix_lines(root):
    _edit(root / "proc/net/udp", lambda t: t[:len(t) // 2])        # ends mid-line
    _edit(root / "proc/net/raw", lambda t: t + "  99: 00000000:0001\n")
    _edit(root / "proc/net/unix", lambda t: t + "0000000000000000: 00000002 00000000\n"
                                               "garbage\n")
    for argv in (["-anu"], ["-anw"], ["-anx"], ["-anuwx"]):
        code, out, err = _same_as_real(root, *argv)
        assert code == 0
    assert "warning, got bogus unix line." in err


def test_empty_and_header_only_tables(root):
    for name in ("tcp", "tcp6", "udp", "unix"):
        with open(root / "proc/net" / name, "w"):
            pass
    _edit(root / "proc/net/raw", lambda t: _lines(t)[0])
    for argv in (["-ant"], ["-a"], ["-anx"], ["-anw"]):
        _same_as_real(root, *argv)


def test_missing_socket_table(root):
    os.unlink(root / "proc/net/tcp")
    code, out, err = _same_as_real(root, "-ant")
    assert code == 1 and "no support for `AF INET (tcp)' on this system." in err
    code, out, err = _same_as_real(root, "-an")        # no family asked: quietly skipped
    assert code == 0 and err == ""


def test_unknown_tcp_state_is_named_not_garbage(root):
    # netstat indexes its state table out of bounds here (garbage or a crash)
    _edit(root / "proc/net/tcp", lambda t: t.replace(" 01 00000000:", " 0C 00000000:", 1)
          .replace(" 01 00000000:", " FF 00000000:", 1))
    code, out, err = _pystat(root, "-ant")
    assert code == 0
    assert "UNKNOWN(12)\n" in out and "UNKNOWN(255)\n" in out
    assert "unknown TCP state 12" in err


def test_unreadable_proc_pid_fd_gives_dash(root, monkeypatch):
    # as root nothing is unreadable: the directory is made unlistable instead
    fd = root / "proc" / PID / "fd"
    shutil.rmtree(fd)
    fd.write_text("not a directory")
    code, out, err = _same_as_real(root, "-antp")
    assert code == 0
    assert " -                   \n" in out and f"{PID}/" not in out


def test_permission_denied_on_proc_pid_fd_warns_like_netstat(root, monkeypatch):
    import errno

    from pystat.errors import SourceError
    from pystat.reader import Root

    real = Root.readlinks

    def readlinks(self, path):
        if path == f"/proc/{PID}/fd":
            err = SourceError(f"cannot list {path}: Permission denied")
            err.errno = errno.EACCES
            raise err
        return real(self, path)

    monkeypatch.setattr(Root, "readlinks", readlinks)
    code, out, err = _pystat(root, "-antp")
    assert code == 0
    assert f"{PID}/" not in out
    assert "(No info could be read for \"-p\"" in err


def test_garbled_snmp(root):
    _edit(root / "proc/net/snmp", lambda t: t.replace("Tcp: ", "Tcp ", 1))
    code, out, err = _same_as_real(root, "-s")
    assert code == 0 and "Problem while parsing /proc/net/snmp" in err
    _edit(root / "proc/net/netstat", lambda t: t.replace(" 0 ", " x ", 3).replace(" 1", " -1", 2))
    _same_as_real(root, "-st")
    os.unlink(root / "proc/net/snmp")
    code, out, err = _same_as_real(root, "-s")
    assert code == 0 and out == "" and "cannot open /proc/net/snmp" in err


def test_garbled_routes(root):
    _edit(root / "proc/net/route", lambda t: t + "eth0\tZZ\n\n" + "eth1 0 0\n")
    _edit(root / "proc/net/ipv6_route", lambda t: t + "fe80 zz\n")
    for argv in (["-rn"], ["-r"], ["-rnee"]):
        _same_as_real(root, *argv)
    os.unlink(root / "proc/net/route")
    code, out, err = _same_as_real(root, "-rn")
    assert code == 1 and "INET (IPv4) not configured" in out


def test_garbled_net_dev_and_missing_interface(root):
    import json

    # the capture's ioctl record lacks an interface /proc/net/dev lists
    _edit(root / "proc/net/dev", lambda t: t + "  eth9: 1 2 3\n")
    meta = root / "pystat-snapshot.json"
    data = json.loads(meta.read_text())
    data["netif"] = {"ifconf": ["lo"], "interfaces": {
        "lo": {"flags": 73, "hwtype": 772, "hwaddr": "0" * 16, "mtu": 65536,
               "map": [0] * 6, "txqlen": 1000, "addr": "127.0.0.1", "dstaddr": "127.0.0.1",
               "broadaddr": "0.0.0.0", "netmask": "255.0.0.0"}}}
    meta.write_text(json.dumps(data))
    code, out, err = _pystat(root, "-ia")
    assert code == 1
    assert "eth0: error fetching interface information: Device not found" in err
    assert "missing interface information: No such device" in err


def test_bad_command_lines():
    for argv, rc, text in ((["-z"], 3, "invalid option -- 'z'"),
                           (["--num"], 3, "is ambiguous"),
                           (["-A", "foo"], 1, "Unknown address family `foo'."),
                           (["-A"], 3, "requires an argument"),
                           (["-is"], 3, "only one of"),
                           (["--tcp=1"], 3, "doesn't allow an argument")):
        code, out, err = run(["--root", SOCKETS, "netstat", *argv])
        assert code == rc, (argv, err)
        assert err.startswith("pystat: netstat: ") and text in err and err.count("\n") == 1


@pytest.mark.parametrize("field", [0, 1])     # uid, probes ("timeout")
def test_huge_decimal_uid_and_timeout_saturate_like_strtol(root, field):
    # netstat reads both with %d: strtol saturates at LONG_MAX, the int keeps
    # 32 bits (-1); the kernel-format fast path used to wrap the digits instead
    def damage(text):
        lines = _lines(text)
        f = lines[1].split(" ")
        nums = [i for i, t in enumerate(f) if t][7:9]       # uid, timeout
        f[nums[field]] = "99999999999999999999"
        lines[1] = " ".join(f)
        return "".join(lines)
    _edit(root / "proc/net/tcp", damage)
    for argv in (["-ante"], ["-anto"], ["-anteeo"], ["-antep"]):
        code, out, err = _same_as_real(root, *argv)
        assert code == 0 and "1661992959" not in out


def test_route_address_netstat_cannot_read_keeps_the_previous_lines(root):
    # INET_getsock() fails on anything but 8 hex digits and leaves the sockaddr
    # (a local of the loop) as the previous route line set it
    def damage(text):
        lines = _lines(text)
        gw = lines[2].split("\t")
        gw[1], gw[2] = "0002", "0"          # destination, gateway unreadable
        return "".join(lines[:2] + ["\t".join(gw)] + lines[2:])
    _edit(root / "proc/net/route", damage)
    code, out, err = _same_as_real(root, "-rn")
    assert code == 0 and out.count("192.0.2.1 ") == 2


def test_route_files_read_as_fgets_pieces(root):
    # fgets(buf, 1023): a longer line is parsed piece by piece (ipv6_route
    # prints every piece, however few fields it has, with what the previous
    # line left); the header goes through fgets(buf, 511); a NUL ends what
    # sscanf sees
    v4 = "eth1\t000300C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0"
    _edit(root / "proc/net/route", lambda t: "".join(
        [ln.rstrip("\n") + " " * 600 + v4 + "\n" if i == 0 else
         ln[:12] + "\0" + ln[12:] if i == 2 else
         ln.rstrip("\n") + " " * 2000 + v4.replace("eth1\t0003", "eth2\t0004") + "\n"
         if i == 1 else ln for i, ln in enumerate(_lines(t))]))
    _edit(root / "proc/net/ipv6_route", lambda t: "".join(
        [ln[:40] + "\0" + ln[40:] if i == 2 else
         ln.rstrip("\n") + " " * 3000 + "\n" if i == 1 else ln
         for i, ln in enumerate(_lines(t))]))
    code, out, err = _same_as_real(root, "-rn")
    assert "192.0.4.0" in out and "192.0.3.0" in out
    code, out, err = _same_as_real(root, "-rnA", "inet6")
    assert code == 0 and out.count("\n") > 10


def test_unix_lines_netstat_reads_differently_from_the_kernel_format(root):
    # a line without an inode shows the previous line's (an uninitialised
    # local); another blank before the path is skipped by %s; a 20-digit
    # inode saturates; a NUL ends the line; a line past 8191 bytes comes in
    # fgets pieces (the path cut, the rest a bogus line)
    def damage(text):
        lines = _lines(text)
        head, body = lines[0], [ln.rstrip("\n") for ln in lines[1:9]]
        body[1] = body[1][:body[1].rindex(" ")]                 # no inode, no path
        f = body[2].split()
        f[6] = "99999999999999999999"
        body[2] = " ".join(f)
        body[3] = body[3] + "\v/tmp/after-a-vtab"
        body[4] = body[4][:40] + "\0" + body[4][40:]
        body[5] = body[5] + " /" + "p" * 9000
        return head + "".join(ln + "\n" for ln in body)
    _edit(root / "proc/net/unix", damage)
    for argv in (["-anx"], ["-ax"], ["-anxp"], ["-lx"]):
        code, out, err = _same_as_real(root, *argv)
        assert code == 0
    assert "18446744073709551615" in _pystat(root, "-anx")[1]


def test_tcp6_line_with_addresses_of_other_widths(root):
    # netstat picks the family from the local address's length alone and
    # scans both addresses into one in6_addr: a short remote address keeps
    # the local one's last words, a 32-digit one after an IPv4 local address
    # is read with %X
    def damage(text):
        lines = _lines(text)
        f = lines[5].split(" ")
        i = next(k for k, t in enumerate(f) if t.count(":") == 1 and len(t) == 37)
        f[i] = "7FFFFFFF" + f[i][32:]                    # local: 8 digits
        lines[5] = " ".join(f)
        f = lines[6].split(" ")
        j = [k for k, t in enumerate(f) if t.count(":") == 1 and len(t) == 37][1]
        f[j] = "100000000" + f[j][32:]                   # remote: 9 digits
        lines[6] = " ".join(f)
        return "".join(lines)
    _edit(root / "proc/net/tcp6", damage)
    for argv in (["-ant"], ["-ante"], ["-at"], ["-antp"]):
        code, out, err = _same_as_real(root, *argv)
        assert code == 0


def test_snmp_lines_end_at_a_nul(root):
    # statistics.c reads each line with getline and then works on C strings:
    # a name line or a value line ends at a NUL (the values after it read 0)
    def damage(text):
        lines = _lines(text)
        lines[0] = lines[0][:300] + "\0" + lines[0][300:]        # TcpExt names
        lines[3] = lines[3][:40] + "\0" + lines[3][40:]          # IpExt values
        return "".join(lines)
    _edit(root / "proc/net/netstat", damage)
    _edit(root / "proc/net/snmp", lambda t: t.replace("Udp: ", "Udp: \0", 1))
    for argv in (["-s"], ["-st"], ["-su"]):
        code, out, err = _same_as_real(root, *argv)
        assert code == 0


def test_net_dev_read_as_fgets_pieces(root):
    # if_readlist_proc() reads /proc/net/dev with fgets(buf, 512): the rest of
    # a longer line is an interface line of its own, and a NUL ends a line.
    # Both tools get their interface data from this machine's kernel here (the
    # real one by ioctl, pystat from a record of the same ioctls).
    def damage(text):
        lines = _lines(text)
        lo = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("lo:"))
        eth = next((ln for ln in lines if ln.lstrip().startswith("eth0:")), None)
        pad = lines[lo].rstrip("\n")
        lines[lo] = pad + " " * (511 - len(pad)) + (eth or lines[lo])   # two lines in one
        lines.append(lines[lo][:30] + "\0" + lines[lo][30:])               # lo again, cut
        return "".join(lines)
    _edit(root / "proc/net/dev", damage)
    _with_this_machines_interfaces(root)
    for argv in (["-i"], ["-ia"]):
        _same_as_real(root, *argv)


@pytest.mark.parametrize("block", [None, 1])     # 1: every line a chunk of its own
def test_short_ipv6_local_address_keeps_the_previous_lines_words(root, monkeypatch, block):
    # "%08X%08X%08X%08X" reads 2 words of "4294967296": the other two are what
    # netstat's in6_addr kept from the line before (its remote address), also
    # when that line went through the fast path
    from pystat.commands.netstat import sockets

    if block:
        monkeypatch.setattr(sockets, "BLOCK", block)

    def damage(text):
        lines = _lines(text)
        for n in (6, 40):
            f = lines[n].split(" ")
            i = next(k for k, t in enumerate(f) if t.count(":") == 1 and len(t) == 37)
            f[i] = "4294967296" + f[i][32:]
            lines[n] = " ".join(f)
        return "".join(lines)
    _edit(root / "proc/net/tcp6", damage)
    for argv in (["-ant"], ["-ante"], ["-at"], ["-lnt"], ["-nt"]):
        code, out, err = _same_as_real(root, *argv)
        assert code == 0


@pytest.mark.parametrize("damage", [
    lambda t: t.replace(" 40 00 ", " 40 4294967296 ", 1),      # a field out of step
    lambda t: "0x10 04 40 00 82     eth0\n" + t.split("\n", 1)[1],
    lambda t: t.replace("\n", " ", 1),                          # two lines in one
    lambda t: t.replace(" 01 80 10 80 ", " 01  10 80 ", 1),      # a field missing
], ids=["out-of-step", "bad-first-line", "joined", "missing-field"])
def test_if_inet6_read_as_one_fscanf_stream(root, damage):
    # ife_print_long() reads /proc/net/if_inet6 with fscanf calls, each one
    # starting where the last stopped: after a malformed line the rest of the
    # file is read out of step, with what the previous call left in the
    # fields it does not convert (the scope with its compat bit taken off by
    # the last print).  Interface data: this machine's kernel for
    # both tools, as in test_net_dev_read_as_fgets_pieces.
    _edit(root / "proc/net/if_inet6", damage)
    _with_this_machines_interfaces(root)
    _same_as_real(root, "-ie")


def test_route_fields_with_non_ascii_bytes(root):
    # sscanf's %4s / %15s widths and printf's %-6.6s count bytes: a
    # two-byte character takes two of them
    _edit(root / "proc/net/route", lambda t: t.replace("eth0\t000200C0", "ethé\t000200C0")
          .replace("eth0\t00000000", "éééé\t00000000"))
    _edit(root / "proc/net/ipv6_route", lambda t: t.replace(
        "00000000000000000000000000000001 80", "0000000000000000000000000000é001 80", 1)
        .replace("    eth0\n", "  éth0é\n", 1))
    for argv in (["-rn"], ["-rnee"], ["-rnA", "inet6"]):
        code, out, err = _same_as_real(root, *argv)
        assert code == 0


def test_long_service_names_cut_to_63_bytes(root):
    """get_sname() returns the name from a 64-byte buffer: -W shows 63 bytes of it."""
    with open(root / "etc" / "services", "a") as f:
        f.write("a" * 100 + " 2222/tcp\n" + "é" * 40 + " 8443/tcp\n")
    code, out, _ = _same_as_real(root, "-atW")
    assert "0.0.0.0:" + "a" * 63 + " " in out


@pytest.mark.parametrize("argv", [("-atW6",), ("-rA", "inet6")])
def test_ipv6_names_of_128_bytes_or_more_show_the_number(root, argv):
    """getnameinfo() gives the number when the name does not fit netstat's 128 bytes."""
    (root / "etc" / "hosts").write_text("::1 " + "h" * 128 + "\nfe80::fc:ff:fe00:1 " + "é" * 64 + "\n")
    code, out, _ = _same_as_real(root, *argv)
    assert "h" * 100 not in out and "::1" in out


def test_ipv6_route_destination_cut_to_127_bytes(root):
    """rprint_fib6() prints "name/len" into 128 bytes: a 127-byte name loses "/128"."""
    (root / "etc" / "hosts").write_text("::1 " + "h" * 127 + "\n")
    code, out, _ = _same_as_real(root, "-rA", "inet6")
    assert "h" * 127 + " " in out
