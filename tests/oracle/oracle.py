"""Run a real tool (vmstat, iostat, ...) on a fixture instead of the live system.

The fixture's ``proc/`` is bind-mounted over /proc in a private mount
namespace (``unshare -m``), together with the /sys directories the tools
list (``sys/block``, ``sys/dev/block``, ``sys/devices/system/cpu``,
``sys/class/net``) where the fixture has them.  /proc is mounted last:
mount(8) itself reads the real /proc/self/mountinfo.

/dev is replaced too, by a scratch directory of device nodes made from the
fixture: a block node ``NAME`` (``!`` in a name stands for ``/``) for every
``sys/block/NAME/dev`` and ``sys/block/*/NAME/dev`` (its ``MAJ:MIN``), the
fixture's ``dev/mapper`` symlinks, and ``null``, ``zero``, ``urandom``, and a fresh tmpfs on ``/dev/shm`` (faketime
keeps a semaphore there).
sysstat stats ``/dev/NAME`` for a device's numbers (a partition named on the
iostat command line is read from ``/sys/dev/block/MAJ:MIN/stat``; ``-N``
matches ``/dev/mapper`` entries by number), and a capture holds no device
nodes: pystat, under ``--root``, takes the same numbers from the same
``sys/block`` files.  vmstat never looks at /dev, so its goldens are
unaffected.

A series fixture (numbered sub-roots) is replayed the way the real tool
would have seen it live: sample 000000 is copied to a scratch root that is
bind-mounted, and at t = k + 0.5 s every file is rewritten *in place* (same
inode; vmstat keeps its files open and re-reads them) with sample k's
contents, between the tool's samples at t = k and t = k + 1: as soon as the
tool, having read sample k - 1 (its reads are seen with inotify), blocks in
the system call it sleeps in between samples (/proc/PID/syscall), so that no
sample is ever read half old, half new, however loaded the machine.  Where
that cannot be seen, the rewrite comes half an interval after the tool's
first read of sample k - 1, once it has stopped reading for 0.2 s.  Files and
directories that sample k adds are created, those it drops are removed
(devices that appear or vanish), and the /dev nodes are remade from it.

The tool runs under faketime, its clock starting at the fixture's capture
time (whole seconds, the clock pystat uses under --root), so that dates and
timestamps in its output are those pystat prints for the same fixture.  Its
uname(2) is the fixture's too (sysstat prints it): ``uname_shim.c``, built
here with the C compiler on first use, is preloaded and answers the values
pystat reads from the fixture's ``proc/sys/kernel/{ostype,hostname,osrelease,
arch}``.

Name lookups (netstat without -n) are those of the capture: the fixture's
``etc/{passwd,group,services,protocols,hosts,networks}`` are bind-mounted
over /etc where the fixture has them, and ``tests/oracle/nsswitch.conf``
(every database from files only: no DNS, no systemd, no nscd) over
/etc/nsswitch.conf.  A tool that reads none of these (vmstat, iostat,
mpstat) is not affected.

A command line may start with ``timeout -s SIG SECONDS`` (netstat -c, which
never ends by itself): the wrapper runs under faketime too, and the golden is
what the tool printed until the signal.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import tempfile
import time

OVERLAYS = ("sys/block", "sys/dev/block", "sys/devices/system/cpu", "sys/class/net")
ETC_FILES = ("passwd", "group", "services", "protocols", "hosts", "networks")
NSSWITCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nsswitch.conf")
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TZ": "UTC", "LC_ALL": "C",
       "S_COLORS": "never"}

#: ``sh -c _SCRIPT ROOT CMD...``; /dev is replaced when PYSTAT_ORACLE_DEV names
#: the directory of nodes (the variable does not reach CMD)
_SCRIPT = """
r=$0
for p in %s; do
  if [ -d "$r/$p" ]; then mount --bind "$r/$p" "/$p" || exit 90; fi
done
if [ -n "$PYSTAT_ORACLE_DEV" ]; then
  mount --bind "$PYSTAT_ORACLE_DEV" /dev || exit 92
  mount -t tmpfs tmpfs /dev/shm || exit 93
fi
unset PYSTAT_ORACLE_DEV
for f in %s; do
  if [ -f "$r/etc/$f" ] && [ -f "/etc/$f" ]; then mount --bind "$r/etc/$f" "/etc/$f" || exit 94; fi
done
mount --bind "%s" /etc/nsswitch.conf || exit 95
mount --bind "$r/proc" /proc || exit 91
exec "$@"
""" % (" ".join(OVERLAYS), " ".join(ETC_FILES), NSSWITCH)

#: character devices every /dev has (major, minor)
CHAR_NODES = {"null": (1, 3), "zero": (1, 5), "urandom": (1, 9)}


def available(tool: str) -> bool:
    """Whether the real ``tool`` can run on a fixture here (root, unshare, faketime,
    a C compiler for the uname shim, the tool)."""
    return (os.geteuid() == 0 and shutil.which("unshare") is not None
            and shutil.which("faketime") is not None
            and shutil.which(tool) is not None and _unshare_works()
            and uname_shim() is not None)


SHIM_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "uname_shim.c")


def uname_shim() -> str | None:
    """The path of the built uname shim (built once per source version), or None."""
    import hashlib

    with open(SHIM_SOURCE, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    path = os.path.join(tempfile.gettempdir(), f"pystat-uname-shim-{digest}.so")
    if os.path.exists(path):
        return path
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        built = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", tmp, SHIM_SOURCE],
                               capture_output=True, timeout=60).returncode == 0
        if built:
            os.replace(tmp, path)
    except (OSError, subprocess.SubprocessError):
        built = False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path if built else None


def tool_env(root: str) -> dict[str, str]:
    """The environment of a tool run on ``root``: fixed locale and zone, no colours,
    the fixture's uname through the shim."""
    from pystat.reader import open_host

    sysname, nodename, release, machine = open_host(root).uname()
    env = dict(ENV, PYSTAT_UNAME_SYSNAME=sysname, PYSTAT_UNAME_NODENAME=nodename,
               PYSTAT_UNAME_RELEASE=release, PYSTAT_UNAME_MACHINE=machine)
    shim = uname_shim()
    if shim:
        env["LD_PRELOAD"] = shim
    return env


def start_time(root: str) -> int:
    """The clock pystat reads for ``root`` (whole seconds): see pystat.reader."""
    from pystat.reader import open_host

    return int(open_host(root).now())


def _faketime(root: str) -> list[str]:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start_time(root)))
    return ["faketime", "-f", "@" + stamp]


_UNSHARE_OK: bool | None = None


def _unshare_works() -> bool:
    global _UNSHARE_OK
    if _UNSHARE_OK is None:
        try:
            _UNSHARE_OK = subprocess.run(["unshare", "-m", "true"], capture_output=True,
                                         timeout=10).returncode == 0
        except (OSError, subprocess.SubprocessError):
            _UNSHARE_OK = False
    return _UNSHARE_OK


def series_samples(fixture: str) -> list[str]:
    return sorted(n for n in os.listdir(fixture)
                  if len(n) == 6 and n.isdigit() and os.path.isdir(os.path.join(fixture, n)))


def _files(root: str) -> list[str]:
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            full = os.path.join(dirpath, f)
            if not os.path.islink(full):
                out.append(os.path.relpath(full, root))
    return out


class _Reads:
    """Notice the tool reading the scratch root (inotify IN_ACCESS on its
    directories; our own rewrites only write).  ``wait()`` returns the
    wall-clock time of the next read, or None without inotify."""

    IN_ACCESS, IN_NONBLOCK, IN_CLOEXEC = 0x1, 0o4000, 0o2000000

    def __init__(self, root: str):
        self.fd = -1
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(self.IN_NONBLOCK | self.IN_CLOEXEC)
        except (OSError, AttributeError):
            return
        if fd < 0:
            return
        for dirpath, _dirs, _files in os.walk(root):
            if libc.inotify_add_watch(fd, os.fsencode(dirpath), self.IN_ACCESS) < 0:
                os.close(fd)
                return
        self.fd = fd

    def drain(self) -> None:
        if self.fd < 0:
            return
        try:
            while os.read(self.fd, 65536):
                pass
        except BlockingIOError:
            pass

    def wait(self, proc, limit: float = 10.0) -> float | None:
        if self.fd < 0:
            return None
        import select

        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                when = time.time()
                self.drain()
                return when
        return None

    def settle(self, quiet: float, until: float) -> None:
        """Wait until the tool has read nothing for ``quiet`` seconds (its sample
        is complete), or until the wall-clock time ``until``."""
        if self.fd < 0:
            return
        import select

        while time.time() < until:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, min(quiet, until - time.time())))
            if not ready:
                return
            self.drain()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


# x86_64 system calls the tools sleep in between samples: pause (sysstat's
# alarm loop), nanosleep, clock_nanosleep (vmstat's and netstat -c's sleep),
# rt_sigsuspend.
_SLEEPS = {"34", "35", "230", "130"}


def _tool_pid(parent: int, name: str) -> int | None:
    """The process of the tool called ``name`` among the descendants of
    ``parent`` (faketime runs the tool as its child), or None."""
    children: dict[int, list[int]] = {}
    comms: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    head, _, rest = f.read().rpartition(")")
            except OSError:
                continue
            pid = int(entry)
            comms[pid] = head.partition("(")[2]
            children.setdefault(int(rest.split()[1]), []).append(pid)
    todo = [parent]
    while todo:
        pid = todo.pop()
        if pid != parent and comms.get(pid) == name[:15]:
            return pid
        todo.extend(children.get(pid, ()))
    return None


def _wait_asleep(parent: int, name: str, limit: float = 3.0) -> bool:
    """Wait (``limit`` seconds at most) for the tool to block in its sleep
    between samples, so that a rewrite can never be read half-way.  False when
    that cannot be seen (the tool has gone, or /proc/PID/syscall is missing)."""
    deadline = time.monotonic() + limit
    pid = None
    while time.monotonic() < deadline:
        if pid is None:
            pid = _tool_pid(parent, name)  # not started yet: look again
            if pid is None:
                time.sleep(0.02)
                continue
        try:
            with open(f"/proc/{pid}/syscall") as f:
                call = f.read().split(None, 1)
        except OSError:
            return False
        if call and call[0] in _SLEEPS:
            return True
        time.sleep(0.005)
    return False


class _Sample:
    """One sub-root of a series, in memory: regular files, directories, devices."""

    def __init__(self, root: str):
        self.files: dict[str, bytes] = {}
        for rel in _files(root):
            with open(os.path.join(root, rel), "rb") as f:
                self.files[rel] = f.read()
        self.dirs = set(_dirs(root))
        self.devices = block_devices(root)


def _dirs(root: str) -> list[str]:
    out = []
    for dirpath, dirs, _files in os.walk(root):
        for d in dirs:
            full = os.path.join(dirpath, d)
            if not os.path.islink(full):
                out.append(os.path.relpath(full, root))
    return out


def _rewrite_in_place(scratch: str, old: _Sample, new: _Sample) -> None:
    """Make the scratch root (holding ``old``) hold ``new``: changed files are
    rewritten in place (same inode), new ones created, dropped ones removed."""
    for rel in sorted(old.files.keys() - new.files.keys()):
        os.unlink(os.path.join(scratch, rel))
    for rel in sorted(old.dirs - new.dirs, reverse=True):
        shutil.rmtree(os.path.join(scratch, rel), ignore_errors=True)
    for rel in sorted(new.dirs - old.dirs):
        os.makedirs(os.path.join(scratch, rel), exist_ok=True)
    for rel, data in new.files.items():
        if old.files.get(rel) == data:
            continue
        fd = os.open(os.path.join(scratch, rel), os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def block_devices(root: str) -> dict[str, tuple[int, int]]:
    """Device name -> (major, minor), from ``sys/block/NAME[/PART]/dev`` of a root."""
    out: dict[str, tuple[int, int]] = {}
    base = os.path.join(root, "sys", "block")
    try:
        disks = os.listdir(base)
    except OSError:
        return out
    for disk in disks:
        dirs = [(disk, os.path.join(base, disk))]
        try:
            dirs += [(p, os.path.join(base, disk, p)) for p in os.listdir(dirs[0][1])]
        except OSError:
            pass
        for name, path in dirs:
            try:
                with open(os.path.join(path, "dev")) as f:
                    major, minor = f.read().strip().split(":")
                out[name] = (int(major), int(minor))
            except (OSError, ValueError):
                continue
    return out


def make_dev(root: str, devdir: str) -> None:
    """(Re)populate ``devdir`` with the device nodes of ``root`` (see the module doc)."""
    os.makedirs(os.path.join(devdir, "shm"), exist_ok=True)  # faketime's semaphores
    for entry in os.listdir(devdir):
        if entry == "shm":  # a mount point in the tool's namespace: leave it be
            continue
        path = os.path.join(devdir, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    for name, (major, minor) in CHAR_NODES.items():
        os.mknod(os.path.join(devdir, name), 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    for name, (major, minor) in block_devices(root).items():
        path = os.path.join(devdir, name.replace("!", "/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.mknod(path, 0o660 | stat.S_IFBLK, os.makedev(major, minor))
    mapper = os.path.join(root, "dev", "mapper")
    if os.path.isdir(mapper):
        os.makedirs(os.path.join(devdir, "mapper"), exist_ok=True)
        for name in os.listdir(mapper):
            src = os.path.join(mapper, name)
            if os.path.islink(src):
                os.symlink(os.readlink(src), os.path.join(devdir, "mapper", name))


def run(fixture: str, argv: list[str], timeout: float = 120,
        env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``argv`` run on ``fixture`` (``env``: variables
    to set, or to change from those of :func:`tool_env`)."""
    samples = series_samples(fixture)
    if not samples:
        return _run_on(fixture, argv, timeout, env)
    with tempfile.TemporaryDirectory(prefix="pystat-oracle-") as scratch:
        root = os.path.join(scratch, "root")
        shutil.copytree(os.path.join(fixture, samples[0]), root, symlinks=True)
        devdir = os.path.join(scratch, "dev")
        os.mkdir(devdir)
        make_dev(root, devdir)
        cmd = ["unshare", "-m", "sh", "-c", _SCRIPT, root] + _faketime(fixture) + argv
        # Everything a rewrite needs is read now: rewriting must be quick (runs
        # go in parallel threads) and must not read the scratch /proc.
        loaded = [_Sample(os.path.join(fixture, s)) for s in samples]
        reads = _Reads(root)
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=dict(tool_env(fixture), **(env or {}),
                                         PYSTAT_ORACLE_DEV=devdir))
        # Read its output as it comes: a tool blocked on a full pipe would miss
        # its schedule (and sysstat's alarm would interrupt the write).
        drains = [_Drain(proc.stdout), _Drain(proc.stderr)]
        try:
            for k in range(1, len(samples)):
                read_at = reads.wait(proc)
                if read_at is not None and _wait_asleep(proc.pid, os.path.basename(argv[0])):
                    pause = 0.0  # between two samples: sample k - 1 is read
                elif read_at is not None:  # half an interval after the tool's sample k - 1
                    reads.settle(0.2, read_at + 0.9)  # ... and never while it reads
                    pause = read_at + 0.5 - time.time()
                else:  # no inotify: half an interval after the nominal time
                    pause = t0 + k - 0.5 - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                if proc.poll() is not None:
                    break
                reads.drain()
                _rewrite_in_place(root, loaded[k - 1], loaded[k])
                if loaded[k].devices != loaded[k - 1].devices or (
                        loaded[k].dirs ^ loaded[k - 1].dirs):
                    make_dev(root, devdir)
                reads.drain()  # our own reads (listing removed directories, sys/block/*/dev)
        finally:
            reads.close()
        proc.wait(timeout=timeout)
        out, err = (d.result() for d in drains)
        return proc.returncode, out.decode("utf-8", "surrogateescape"), err.decode(
            "utf-8", "surrogateescape")


class _Drain:
    """Reads a pipe to its end in a thread."""

    def __init__(self, pipe):
        import threading

        self.pipe = pipe
        self.data = b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with self.pipe:
            self.data = self.pipe.read()

    def result(self) -> bytes:
        self.thread.join()
        return self.data


@contextlib.contextmanager
def prepared(root: str, argv: list[str], env: dict[str, str] | None = None):
    """The command line and environment that run ``argv`` on the single snapshot
    ``root`` in a private mount namespace, with the snapshot's /dev and a /dev/shm
    of its own (faketime names its semaphores by PID: a shared /dev/shm holding
    one left by a killed run makes faketime fail)."""
    with tempfile.TemporaryDirectory(prefix="pystat-oracle-dev-") as devdir:
        make_dev(root, devdir)
        cmd = ["unshare", "-m", "sh", "-c", _SCRIPT, os.path.abspath(root)] + _faketime(root) + argv
        yield cmd, dict(tool_env(root), **(env or {}), PYSTAT_ORACLE_DEV=devdir)


def _run_on(root: str, argv: list[str], timeout: float,
            env: dict[str, str] | None = None) -> tuple[int, str, str]:
    with prepared(root, argv, env) as (cmd, full_env):
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=full_env)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), p.stderr.decode(
        "utf-8", "surrogateescape")
