"""The one way pystat reads the system: a root that mirrors ``/``.

Every file a command reads goes through a :class:`Root`, so that

* ``pystat --root DIR`` reads a capture instead of the live machine, and
* ``pystat sources`` can say which files a mode read (``Root.opened``).

A :class:`SourceError` from a Root carries the ``errno`` of the failure
(tools such as netstat tell a missing file from an unreadable one).

A :class:`Host` is what a command observes over time: the live machine, one
snapshot, or a series of snapshots (numbered sub-roots ``000000/``,
``000001/``, ...) that interval commands replay without sleeping.  The host
also answers what the real tools get from syscalls rather than files: uname,
the clock, ``CLK_TCK`` and the page size.
"""

from __future__ import annotations

import os
import time

from pystat.errors import ParseError, SeriesExhausted, SourceError

#: Written by ``pystat snapshot`` at the top of every captured root.
SNAPSHOT_META = "pystat-snapshot.json"


class Root:
    """A directory that mirrors ``/``; paths are given as absolute (``/proc/stat``)."""

    __slots__ = ("path", "_prefix", "opened")

    def __init__(self, path: str = "/", opened: dict | None = None):
        self.path = os.path.abspath(path)
        self._prefix = "" if self.path == "/" else self.path
        #: insertion-ordered set of every path read, listed or resolved
        self.opened: dict[str, None] = {} if opened is None else opened

    def real(self, path: str) -> str:
        """The path on the local filesystem for ``path`` under this root."""
        return self._prefix + path

    def read(self, path: str) -> str:
        """The whole text of ``path``; a missing or unreadable file is a SourceError."""
        self.opened[path] = None
        try:
            with open(self._prefix + path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise _error(f"cannot read {path}", e) from None
        return data.decode("utf-8", "surrogateescape")

    def open(self, path: str):
        """``path`` opened for reading in binary, for files too large to read
        whole (a socket table of 100k lines): the caller reads it in blocks."""
        self.opened[path] = None
        try:
            return open(self._prefix + path, "rb")
        except OSError as e:
            raise _error(f"cannot read {path}", e) from None

    #: what an error about a file says after its path (where it came from)
    origin = ""

    def parse(self, path: str, parser):
        """Read ``path`` and return ``parser(text)``, naming the file in any error."""
        text = self.read(path)
        try:
            return parser(text)
        except ParseError as e:
            raise SourceError(f"{path}{self.origin}: {e}") from None

    def listdir(self, path: str) -> list[str]:
        """Entry names of a directory, in the order the filesystem gives them."""
        self.opened[path + "/"] = None
        try:
            return os.listdir(self._prefix + path)
        except OSError as e:
            raise _error(f"cannot list {path}", e) from None

    def readlinks(self, path: str) -> list[tuple[str, str | None]]:
        """(name, link target or None) of every entry of a directory, in
        directory order: ``/proc/PID/fd`` at once.  Recorded as the listing
        of ``path`` (its entries are not listed one by one)."""
        self.opened[path + "/"] = None
        try:
            dfd = os.open(self._prefix + path, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as e:
            raise _error(f"cannot list {path}", e) from None
        try:
            names = os.listdir(dfd)
            out = []
            readlink = os.readlink
            for name in names:
                try:
                    out.append((name, readlink(name, dir_fd=dfd)))
                except OSError:
                    out.append((name, None))
            return out
        except OSError as e:
            raise _error(f"cannot list {path}", e) from None
        finally:
            os.close(dfd)

    def exists(self, path: str) -> bool:
        self.opened[path] = None
        return os.path.lexists(self._prefix + path)

    def stat(self, path: str):
        """``os.stat()`` of ``path`` (symlinks followed), or None if it cannot be.

        What a tool learns from ``stat()`` or ``access()`` (is it there, a
        directory, which device numbers): nothing is opened, so nothing is
        recorded in ``opened`` (``pystat sources`` and strace agree on that).
        """
        try:
            return os.stat(self._prefix + path)
        except (OSError, ValueError):
            return None

    def readlink(self, path: str) -> str:
        self.opened[path] = None
        try:
            return os.readlink(self._prefix + path)
        except OSError as e:
            raise _error(f"cannot resolve {path}", e) from None


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def _error(what: str, e: OSError) -> SourceError:
    err = SourceError(f"{what}: {_reason(e)}")
    err.errno = e.errno
    return err


class Host:
    """The machine a command observes, and its clock.

    ``Host.root`` is the root to read *now*; ``wait(seconds)`` moves to the
    moment of the next sample (sleeping on a live host, stepping to the next
    sub-root of a series).
    """

    live = True

    def __init__(self):
        self.opened: dict[str, None] = {}
        self.root = Root("/", self.opened)

    # -- time ------------------------------------------------------------
    def now(self) -> float:
        return time.time()

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)

    # -- what the tools get from syscalls ----------------------------------
    def uname(self) -> tuple[str, str, str, str]:
        """(sysname, nodename, release, machine)"""
        u = os.uname()
        return (u.sysname, u.nodename, u.release, u.machine)

    @property
    def hz(self) -> int:
        return os.sysconf("SC_CLK_TCK")

    @property
    def pagesize(self) -> int:
        return os.sysconf("SC_PAGE_SIZE")

    # -- network interfaces: what netstat -i asks by ioctl (pystat.netif) -----
    def ifconf(self) -> list[str]:
        """SIOCGIFCONF: the names of interfaces with an IPv4 address (labels too)."""
        from pystat.netif import ifconf

        try:
            return ifconf()
        except OSError:
            return []

    def ifinfo(self, name: str) -> dict:
        """The ioctl answers for one interface (see pystat.netif)."""
        from pystat.netif import fetch

        return fetch(name)


class SnapshotHost(Host):
    """A captured root (``pystat snapshot``): files, uname and clock come from it."""

    live = False

    def __init__(self, path: str):
        self.opened = {}
        self.path = path
        self._enter(path)

    def _enter(self, path: str) -> None:
        self.root = Root(path, self.opened)
        # What stands in for syscalls is read through a root of its own, so
        # that it does not count among the files a command read.
        self._sys = Root(path)
        self.meta = _read_meta(path)
        self._clock = self.meta.get("time")
        if self._clock is None:
            self._clock = self._clock_from_proc()

    def _clock_from_proc(self) -> float:
        # No capture time recorded: boot time plus the whole seconds of uptime.
        btime = None
        try:
            for line in self._sys.read("/proc/stat").splitlines():
                if line.startswith("btime "):
                    btime = int(line.split()[1])
                    break
            uptime = int(float(self._sys.read("/proc/uptime").split()[0]))
        except (SourceError, ValueError, IndexError):
            return 0.0
        return float((btime or 0) + uptime)

    def now(self) -> float:
        return self._clock

    def wait(self, seconds: float) -> None:
        # A single snapshot does not change: the clock moves, the files stay.
        self._clock += seconds

    def uname(self) -> tuple[str, str, str, str]:
        def kernel(name: str, default: str) -> str:
            try:
                return self._sys.read("/proc/sys/kernel/" + name).strip() or default
            except SourceError:
                return default

        return (
            kernel("ostype", "Linux"),
            kernel("hostname", "(none)"),
            kernel("osrelease", "unknown"),
            kernel("arch", "unknown"),
        )

    @property
    def hz(self) -> int:
        return int(self.meta.get("hz", 100))

    @property
    def pagesize(self) -> int:
        return int(self.meta.get("pagesize", 4096))

    def ifconf(self) -> list[str]:
        netif = self.meta.get("netif")
        return list(netif.get("ifconf", [])) if isinstance(netif, dict) else []

    def ifinfo(self, name: str) -> dict:
        """The capture's record (pystat-snapshot.json "netif"); for a capture
        without one, what /sys/class/net/NAME says."""
        netif = self.meta.get("netif")
        if isinstance(netif, dict):
            rec = netif.get("interfaces", {}).get(name)
            if isinstance(rec, dict):
                return rec
            import errno

            return {"error": errno.ENODEV}
        from pystat.netif import from_sys

        return from_sys(self.root, name)


class SeriesHost(SnapshotHost):
    """Numbered sub-roots replayed in order: each sample is the next one."""

    def __init__(self, path: str, samples: list[str]):
        self.opened = {}
        self.path = path
        self.samples = samples
        self.index = 0
        self._enter(os.path.join(path, samples[0]))

    def wait(self, seconds: float) -> None:
        if self.index + 1 >= len(self.samples):
            raise SeriesExhausted(
                f"snapshot series {self.path} has only {len(self.samples)} samples"
            )
        self.index += 1
        self._enter(os.path.join(self.path, self.samples[self.index]))


def series_samples(path: str) -> list[str]:
    """The numbered sub-roots of ``path`` in order, or [] if it is not a series."""
    try:
        names = os.listdir(path)
    except OSError:
        return []
    return sorted(n for n in names if len(n) == 6 and n.isdigit()
                  and os.path.isdir(os.path.join(path, n)))


def open_host(root: str | None) -> Host:
    """The host for ``--root`` (None or ``/`` means the live machine)."""
    if root is None or os.path.abspath(root) == "/":
        return Host()
    if not os.path.isdir(root):
        raise SourceError(f"--root {root}: no such directory")
    samples = series_samples(root)
    if samples:
        return SeriesHost(root, samples)
    return SnapshotHost(root)


def _read_meta(path: str) -> dict:
    meta_path = os.path.join(path, SNAPSHOT_META)
    if not os.path.exists(meta_path):
        return {}
    import json  # only snapshots need it

    try:
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        raise SourceError(f"{meta_path}: not a pystat snapshot description ({e})") from None
    if not isinstance(meta, dict):
        raise SourceError(f"{meta_path}: not a pystat snapshot description")
    return meta
