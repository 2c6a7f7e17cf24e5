"""``pystat netstat``: net-tools 2.10 netstat (as Debian 12 ships it), byte for byte.

The command line is parsed the way netstat's ``getopt_long`` loop parses it
(clustered flags, ``-A inet,inet6``, long options and their unique prefixes,
options taking effect in order), then one mode runs:

* sockets (default): :mod:`.sockets` (``-t -u -w -x -l -a -n -e -p -o -W -c``,
  ``-4 -6 -A``), and ``-g`` group memberships;
* ``-s``: :mod:`.statistics` (/proc/net/snmp, netstat, snmp6);
* ``-r``: :mod:`.routes` (/proc/net/route, ipv6_route);
* ``-i``: :mod:`.interfaces` (/proc/net/dev, if_inet6 and what netstat asks
  the kernel by ioctl: from the live kernel, or from the capture under
  ``--root``).

Each mode module has ``text(host, o, out) -> exit status`` (the tool's
layout), and ``reports(host, o)`` / ``fields(o)`` for ``--format``.
Only the mode's module is imported.
"""

from __future__ import annotations

import sys

import click

from pystat.commands import FORMAT_OPTION
from pystat.errors import PystatError

NAME = "netstat"

OPTSTRING = "A:CFMacdeghilnNoprsStuUvVWw2fx64?Z"

# (name, takes an argument, value returned): netstat's longopts, in its order
LONGOPTS = [
    ("ax25", False, 1), ("x25", False, 1), ("ip", False, 1), ("ipx", False, 1),
    ("appletalk", False, 1), ("netrom", False, 1), ("inet", False, 1), ("inet6", False, 1),
    ("ddp", False, 1), ("rose", False, 1), ("unix", False, 1), ("bluetooth", False, 1),
    ("tcpip", False, 1),
    ("version", False, "V"), ("interfaces", False, "i"), ("help", False, "h"),
    ("route", False, "r"), ("masquerade", False, "M"), ("protocol", True, "A"),
    ("tcp", False, "t"), ("sctp", False, "S"), ("udp", False, "u"), ("udplite", False, "U"),
    ("raw", False, "w"), ("unix", False, "x"), ("l2cap", False, "2"), ("rfcomm", False, "f"),
    ("listening", False, "l"), ("all", False, "a"), ("timers", False, "o"),
    ("continuous", False, "c"), ("extend", False, "e"), ("programs", False, "p"),
    ("verbose", False, "v"), ("statistics", False, "s"), ("wide", False, "W"),
    ("numeric", False, "n"), ("numeric-hosts", False, "!"), ("numeric-ports", False, "@"),
    ("numeric-users", False, "#"), ("symbolic", False, "N"), ("cache", False, "C"),
    ("fib", False, "F"), ("groups", False, "g"), ("context", False, "Z"),
]
AFTRANS_CNT = 12

# alias -> (name, flag attribute), lib/af.c's aftrans table
AFTRANS = [
    ("ax25", "ax25", "ax25"), ("ip", "inet", "inet"), ("ip6", "inet6", "inet6"),
    ("ipx", "ipx", "ipx"), ("rose", "rose", "rose"), ("appletalk", "ddp", "ddp"),
    ("netrom", "netrom", "netrom"), ("inet", "inet", "inet"), ("inet6", "inet6", "inet6"),
    ("ddp", "ddp", "ddp"), ("unix", "unix", "unx"), ("tcpip", "inet", "inet"),
    ("econet", "ec", "econet"), ("x25", "x25", "x25"), ("ash", "ash", "ash"),
    ("bluetooth", "bluetooth", "bluetooth"),
]

FLAG_NUM_HOST = 4
FLAG_NUM_PORT = 8
FLAG_NUM_USER = 16
FLAG_NUM = FLAG_NUM_HOST | FLAG_NUM_PORT | FLAG_NUM_USER
FLAG_SYM = 32
FLAG_CACHE = 64
FLAG_FIB = 128
FLAG_VERBOSE = 256

E_OPTERR = 3

RELEASE = "net-tools 2.10"
SIGNATURE = ("Fred Baumgarten, Alan Cox, Bernd Eckenfels, Phil Blundell, Tuan Hoang, "
             "Brian Micek and others")
FEATURES = ("+NEW_ADDRT +RTF_IRTT +RTF_REJECT +FW_MASQUERADE +I18N +SELINUX\n"
            "AF: (inet) +UNIX +INET +INET6 +IPX +AX25 +NETROM +X25 +ATALK +ECONET +ROSE "
            "-BLUETOOTH\n"
            "HW:  +ETHER +ARC +SLIP +PPP +TUNNEL -TR +AX25 +NETROM +X25 +FR +ROSE +ASH +SIT "
            "+FDDI +HIPPI +HDLC/LAPB +EUI64 ")


class Usage(PystatError):
    """A command line netstat rejects (it prints its usage and exits 3)."""

    exit_code = E_OPTERR


class Exit(Exception):
    """netstat stops during option parsing (-V, -Z, an unknown family)."""

    def __init__(self, code: int, stdout: str = "", message: str | None = None):
        super().__init__(message or "")
        self.code = code
        self.stdout = stdout
        self.message = message


class Opts:
    """netstat's global flags after option parsing (its names, its counts)."""

    def __init__(self):
        for name in ("int", "rou", "mas", "sta", "all", "lst", "cnt", "deb", "not_", "cf", "opt",
                     "raw", "tcp", "sctp", "udp", "udplite", "igmp", "wide", "prg", "arg",
                     "noprot", "ver", "l2cap", "rfcomm", "selinux",
                     # lib/af.c
                     "unx", "ipx", "ax25", "ddp", "netrom", "inet", "inet6", "econet", "rose",
                     "x25", "ash", "bluetooth"):
            setattr(self, name, 0)
        self.exp = 1              # flag_exp starts at 1: one -e gives User/Inode
        self.afname = ""
        self.warnings: list[str] = []   # what netstat says on stderr while parsing
        self.fmt = "text"

    # -- numeric flags --------------------------------------------------------
    @property
    def num_host(self) -> bool:
        return bool(self.not_ & FLAG_NUM_HOST)

    @property
    def num_port(self) -> bool:
        return bool(self.not_ & FLAG_NUM_PORT)

    @property
    def num_user(self) -> bool:
        return bool(self.not_ & FLAG_NUM_USER)

    def aftrans(self, arg: str) -> bool:
        """lib/af.c aftrans_opt(): True if a family is unknown (netstat exits 1)."""
        for alias in arg.split(","):
            for a, name, flag in AFTRANS:
                if a == alias:
                    if len(name) + len(self.afname) + 1 >= 256:
                        self.warnings.append("Too much address family arguments.")
                        return False
                    setattr(self, flag, getattr(self, flag) + 1)
                    self.afname = self.afname + "," + name if self.afname else name
                    break
            else:
                raise Exit(1, message=f"Unknown address family `{alias}'.")
        return False


def getopt_long(args: list[str]):
    """(option, argument) pairs in order, as glibc getopt_long returns them for
    netstat's optstring and longopts; non-options are skipped (netstat ignores
    them).  A getopt error raises Usage with glibc's message."""
    out = []
    i = 0
    n = len(args)
    while i < n:
        arg = args[i]
        i += 1
        if arg == "--":
            break
        if arg.startswith("--"):
            body = arg[2:]
            name, eq, value = body.partition("=")
            exact = [o for o in LONGOPTS if o[0] == name]
            cands = exact or [o for o in LONGOPTS if o[0].startswith(name)]
            # duplicates of the same option ("unix" twice) are not ambiguous
            if len({(c[1], c[2]) for c in cands}) > 1 and not exact:
                poss = " ".join(f"'--{c[0]}'" for c in cands)
                raise Usage(f"option '{arg.split('=')[0]}' is ambiguous; possibilities: {poss}")
            if not cands:
                raise Usage(f"unrecognized option '{arg}'")
            lname, has_arg, val = cands[0]
            index = LONGOPTS.index(cands[0])
            if has_arg:
                if not eq:
                    if i >= n:
                        raise Usage(f"option '--{lname}' requires an argument")
                    value = args[i]
                    i += 1
                out.append((val, value, index))
            else:
                if eq:
                    raise Usage(f"option '--{lname}' doesn't allow an argument")
                out.append((val, None, index))
            continue
        if arg.startswith("-") and len(arg) > 1:
            j = 1
            while j < len(arg):
                c = arg[j]
                j += 1
                k = OPTSTRING.find(c)
                if c == ":" or k < 0:
                    raise Usage(f"invalid option -- '{c}'")
                if k + 1 < len(OPTSTRING) and OPTSTRING[k + 1] == ":":
                    if j < len(arg):
                        value = arg[j:]
                    elif i < n:
                        value = args[i]
                        i += 1
                    else:
                        raise Usage(f"option requires an argument -- '{c}'")
                    out.append((c, value, None))
                    break
                out.append((c, None, None))
            continue
        # a non-option: getopt permutes it to the end; netstat never looks at it
    return out


def parse(args: list[str]) -> Opts:
    """netstat's main(): the option loop and the flag fix-ups after it."""
    o = Opts()
    for opt, value, index in getopt_long(args):
        if opt == 1:
            if index < 0 or index >= AFTRANS_CNT:
                o.warnings.append("netstat.c: Internal Error `longopts 1 range'.")
                continue
            o.aftrans(LONGOPTS[index][0])
        elif opt == "A":
            o.aftrans(value)
        elif opt == "6":
            o.aftrans("inet6")
        elif opt == "4":
            o.aftrans("inet")
        elif opt == "x":
            o.aftrans("unix")
        elif opt == "V":
            raise Exit(0, stdout=f"{RELEASE}\n{SIGNATURE}\n{FEATURES}\n")
        elif opt == "Z":
            raise Exit(1, message="SELinux is not enabled on this machine.")
        elif opt == "?":
            raise Usage("invalid option -- '?'")
        elif opt == "h":
            raise Exit(0, stdout=usage_text())
        else:
            attr = {"M": "mas", "a": "all", "l": "lst", "c": "cnt", "d": "deb", "g": "igmp",
                    "e": "exp", "p": "prg", "i": "int", "W": "wide", "o": "opt", "v": "ver",
                    "r": "rou", "t": "tcp", "S": "sctp", "u": "udp", "U": "udplite",
                    "w": "raw", "2": "l2cap", "f": "rfcomm", "s": "sta"}.get(opt)
            if attr is not None:
                setattr(o, attr, getattr(o, attr) + 1)
            elif opt == "n":
                o.not_ |= FLAG_NUM
            elif opt == "!":
                o.not_ |= FLAG_NUM_HOST
            elif opt == "@":
                o.not_ |= FLAG_NUM_PORT
            elif opt == "#":
                o.not_ |= FLAG_NUM_USER
            elif opt == "N":
                o.not_ |= FLAG_SYM
            elif opt == "C":
                o.cf |= FLAG_CACHE
            elif opt == "F":
                o.cf |= FLAG_FIB
            if opt == "v":
                o.ver = FLAG_VERBOSE
    if o.int + o.rou + o.mas + o.sta > 1:
        raise Usage("only one of -i, -r, -M and -s at a time")
    if (o.inet or o.inet6 or o.sta) and not (o.tcp or o.sctp or o.udp or o.udplite or o.raw):
        o.noprot = o.tcp = o.sctp = o.udp = o.udplite = o.raw = 1
    if (o.tcp or o.sctp or o.udp or o.udplite or o.raw or o.igmp) and not (o.inet or o.inet6):
        o.inet = o.inet6 = 1
    if o.bluetooth and not (o.l2cap or o.rfcomm):
        o.l2cap = o.rfcomm = 1
    o.arg = (o.tcp + o.sctp + o.udplite + o.udp + o.raw + o.unx + o.ipx + o.ax25 + o.netrom
             + o.igmp + o.x25 + o.rose + o.l2cap + o.rfcomm)
    return o


def usage_text() -> str:
    return (
        "usage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}\n"
        "       netstat [-vWnNcaeol] [<Socket> ...]\n"
        "       netstat { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }\n\n"
        "        -r, --route              display routing table\n"
        "        -i, --interfaces         display interface table\n"
        "        -g, --groups             display multicast group memberships\n"
        "        -s, --statistics         display networking statistics (like SNMP)\n"
        "        -M, --masquerade         display masqueraded connections\n\n"
        "        -v, --verbose            be verbose\n"
        "        -W, --wide               don't truncate IP addresses\n"
        "        -n, --numeric            don't resolve names\n"
        "        --numeric-hosts          don't resolve host names\n"
        "        --numeric-ports          don't resolve port names\n"
        "        --numeric-users          don't resolve user names\n"
        "        -N, --symbolic           resolve hardware names\n"
        "        -e, --extend             display other/more information\n"
        "        -p, --programs           display PID/Program name for sockets\n"
        "        -o, --timers             display timers\n"
        "        -c, --continuous         continuous listing\n\n"
        "        -l, --listening          display listening server sockets\n"
        "        -a, --all                display all sockets (default: connected)\n"
        "        -F, --fib                display Forwarding Information Base (default)\n"
        "        -C, --cache              display routing cache instead of FIB\n"
        "        -Z, --context            display SELinux security context for sockets\n"
        "\n  <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-S|--sctp} {-w|--raw}\n"
        "           {-x|--unix} --ax25 --ipx --netrom\n"
        "  <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet\n"
        "  List of possible address families (which support routing):\n")


class Warn:
    """Lines netstat writes on stderr while it goes on: pystat prints each as
    one ``pystat: netstat: ...`` line, once."""

    def __init__(self, err=None):
        self.err = err
        self.seen: set[str] = set()

    def __call__(self, message: str) -> None:
        if message in self.seen:
            return
        self.seen.add(message)
        err = self.err or sys.stderr
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        err.write(f"pystat: netstat: {message}\n")
        err.flush()


def run(host, o: Opts, fmt: str, out) -> int:
    """Run the mode the flags select; returns netstat's exit status."""
    warn = Warn()
    for w in o.warnings:
        warn(w)
    o.fmt = fmt
    if o.selinux:
        raise PystatError("netstat: SELinux is not enabled on this machine.")
    if o.mas:
        return _masquerade(host, warn)
    if o.sta:
        from pystat.commands.netstat import statistics as mod
    elif o.rou:
        from pystat.commands.netstat import routes as mod
    elif o.int:
        from pystat.commands.netstat import interfaces as mod
    else:
        from pystat.commands.netstat import sockets as mod
    if fmt == "text":
        return mod.text(host, o, out, warn)
    from pystat.render import render

    code = [0]
    render(fmt, mod.fields(o), mod.reports(host, o, warn, code), out)
    return code[0]


def _masquerade(host, warn) -> int:
    from pystat.errors import SourceError

    try:
        host.root.read("/proc/net/ip_masquerade")
    except SourceError:
        warn("no support for `ip_masquerade' on this system.")
        return 1
    raise PystatError("netstat: -M: /proc/net/ip_masquerade (Linux 2.2 masquerading) "
                      "is not supported")


HELP = """Network connections, routing tables, interface and protocol statistics,
like net-tools netstat 2.10 (Debian 12), byte for byte.

\b
Sockets (default: connected TCP, UDP, UDP-Lite, raw and UNIX sockets):
  -t, --tcp   -u, --udp   -U, --udplite   -w, --raw   -x, --unix
  -4, -6, -A FAMILY[,FAMILY] (inet, inet6, unix), --inet, --inet6
  -l, --listening   listening sockets only     -a, --all   all sockets
  -n, --numeric     no host, port or user names (--numeric-hosts,
                    --numeric-ports, --numeric-users for one of them)
  -e, --extend      User and Inode columns     -o, --timers   timers
  -p, --programs    PID/Program name (from /proc/PID/fd, as netstat)
  -W, --wide        do not truncate addresses  -c, --continuous   every second
  -g, --groups      multicast group memberships
\b
Other modes:
  -s, --statistics  protocol statistics (-t, -u, -w: only those; -6: IPv6)
  -r, --route       routing table (-n numeric, -e/-ee more columns, -6 IPv6)
  -i, --interfaces  interface table (-e: ifconfig-style details, -a: all)
\b
Names come from the root's /etc/services, /etc/protocols, /etc/passwd,
/etc/hosts and /etc/networks under --root; on the live machine users and
hosts are looked up through the C library. Flags may be clustered
(-antp), as with netstat.
"""


@click.command(help=HELP, context_settings={"help_option_names": ["-h", "--help"],
                                            "ignore_unknown_options": True})
@FORMAT_OPTION
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[NETSTAT FLAGS]...")
@click.pass_obj
def command(obj, fmt, args):
    try:
        o = parse(list(args))
    except Exit as e:
        if e.stdout:
            sys.stdout.write(e.stdout)
            sys.stdout.flush()
        if e.message:
            raise PystatError(f"netstat: {e.message}", exit_code=e.code) from None
        raise SystemExit(e.code) from None
    except Usage as e:
        raise PystatError(f"netstat: {e}", exit_code=E_OPTERR) from None
    host = obj.host()
    code = run(host, o, fmt, sys.stdout)
    sys.stdout.flush()
    if code:
        raise SystemExit(code & 0xFF)
