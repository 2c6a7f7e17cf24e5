"""Run a real tool (vmstat, iostat, ...) on a fixture instead of the live system.

The fixture's ``proc/`` is bind-mounted over /proc in a private mount
namespace (``unshare -m``), together with the /sys directories the tools
list (``sys/block``, ``sys/devices/system/cpu``, ``sys/class/net``) where the
fixture has them.  /proc is mounted last: mount(8) itself reads the real
/proc/self/mountinfo.

A series fixture (numbered sub-roots) is replayed the way the real tool
would have seen it live: sample 000000 is copied to a scratch root that is
bind-mounted, and at t = k + 0.5 s every file is rewritten *in place* (same
inode; vmstat keeps its files open and re-reads them) with sample k's
contents, between the tool's samples at t = k and t = k + 1.

The tool runs under faketime, its clock starting at the fixture's capture
time (whole seconds, the clock pystat uses under --root), so that dates and
timestamps in its output are those pystat prints for the same fixture.

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

import os
import shutil
import subprocess
import tempfile
import time

OVERLAYS = ("sys/block", "sys/devices/system/cpu", "sys/class/net")
ETC_FILES = ("passwd", "group", "services", "protocols", "hosts", "networks")
NSSWITCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nsswitch.conf")
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TZ": "UTC", "LC_ALL": "C",
       "S_COLORS": "never"}

_SCRIPT = """
r=$0
for p in %s; do
  if [ -d "$r/$p" ]; then mount --bind "$r/$p" "/$p" || exit 90; fi
done
for f in %s; do
  if [ -f "$r/etc/$f" ] && [ -f "/etc/$f" ]; then mount --bind "$r/etc/$f" "/etc/$f" || exit 92; fi
done
mount --bind "%s" /etc/nsswitch.conf || exit 93
mount --bind "$r/proc" /proc || exit 91
exec "$@"
""" % (" ".join(OVERLAYS), " ".join(ETC_FILES), NSSWITCH)


def available(tool: str) -> bool:
    """Whether the real ``tool`` can run on a fixture here (root, unshare, faketime, the tool)."""
    return (os.geteuid() == 0 and shutil.which("unshare") is not None
            and shutil.which("faketime") is not None
            and shutil.which(tool) is not None and _unshare_works())


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


def _rewrite_in_place(scratch: str, sample: str) -> None:
    for rel in _files(sample):
        dest = os.path.join(scratch, rel)
        if not os.path.exists(dest):
            continue
        with open(os.path.join(sample, rel), "rb") as f:
            data = f.read()
        fd = os.open(dest, os.O_WRONLY | os.O_TRUNC)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def run(fixture: str, argv: list[str], timeout: float = 120) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``argv`` run on ``fixture``."""
    samples = series_samples(fixture)
    if not samples:
        return _run_on(fixture, argv, timeout)
    for _attempt in range(3):
        rc, out, err = _run_series(fixture, samples, argv, timeout)
        if not _faketime_failed(rc, err.encode("utf-8", "surrogateescape")):
            break
    return rc, out, err


def _run_series(fixture, samples, argv, timeout) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory(prefix="pystat-oracle-") as scratch:
        root = os.path.join(scratch, "root")
        shutil.copytree(os.path.join(fixture, samples[0]), root, symlinks=True)
        cmd = ["unshare", "-m", "sh", "-c", _SCRIPT, root] + _faketime(fixture) + argv
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        for k, sample in enumerate(samples[1:], 1):
            pause = t0 + k - 0.5 - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            if proc.poll() is not None:
                break
            _rewrite_in_place(root, os.path.join(fixture, sample))
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out.decode("utf-8", "surrogateescape"), err.decode(
            "utf-8", "surrogateescape")


def _run_on(root: str, argv: list[str], timeout: float) -> tuple[int, str, str]:
    cmd = ["unshare", "-m", "sh", "-c", _SCRIPT, os.path.abspath(root)] + _faketime(root) + argv
    for _attempt in range(3):
        p = subprocess.run(cmd, capture_output=True, env=ENV, timeout=timeout)
        if not _faketime_failed(p.returncode, p.stderr):
            break
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), p.stderr.decode(
        "utf-8", "surrogateescape")


def _faketime_failed(rc: int, stderr: bytes) -> bool:
    """faketime could not start the tool: its semaphore is named after its PID,
    and one left behind by a killed faketime (/dev/shm/sem.faketime_sem_PID) makes
    the next faketime with that PID fail.  Such a run is made again."""
    return rc != 0 and stderr.startswith(b"faketime:")
