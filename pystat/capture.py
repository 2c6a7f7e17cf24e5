"""What ``pystat snapshot`` captures: every file a pystat command reads, and
what the real tools get from syscalls instead of files.

A capture mirrors ``/`` under its directory:

* ``proc/...``: the /proc files of vmstat, iostat, mpstat and netstat,
  ``proc/net`` as a real directory, ``proc/PID/fd/N`` socket links and
  ``proc/PID/{cmdline,comm}`` of processes holding sockets (netstat -p);
* ``proc/sys/kernel/{hostname,osrelease,ostype,arch}``: uname;
* ``sys/block/DEV/[PART/]{stat,dev,...}`` as plain directories (whole disks
  are the entries of sys/block), ``sys/dev/block/MAJ:MIN/{stat,dev}``;
* ``sys/devices/system/cpu``: cpuN directories with their node (a ``nodeN``
  directory holding the node's ``cpulist``, mpstat's NUMA placement) and
  topology;
* ``sys/class/net/IF/...``: interface attributes;
* ``etc/{passwd,group,services,protocols,hosts,networks}``;
* ``dev/mapper/NAME`` links (iostat -N);
* ``pystat-snapshot.json``: capture time, CLK_TCK, page size, uname, and
  under ``"netif"`` what netstat -i gets by ioctl (the SIOCGIFCONF names and,
  per interface of /proc/net/dev or SIOCGIFCONF, flags, hardware address,
  MTU, map, queue length, IPv4 address/netmask/broadcast/destination: see
  :mod:`pystat.netif`).
"""

from __future__ import annotations

import json
import os
import re
import time

from pystat import __version__
from pystat.reader import SNAPSHOT_META

PROC_FILES = (
    "stat", "meminfo", "vmstat", "cpuinfo", "diskstats", "slabinfo", "uptime", "loadavg",
    "interrupts", "softirqs", "partitions", "devices", "version", "swaps",
)
NET_FILES = (
    "tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix",
    "snmp", "snmp6", "netstat", "route", "ipv6_route", "dev", "if_inet6",
    "sockstat", "sockstat6", "packet", "igmp", "igmp6", "dev_mcast", "arp", "rt_cache",
)
KERNEL_FILES = ("hostname", "osrelease", "ostype", "arch", "domainname", "version")
ETC_FILES = ("passwd", "group", "services", "protocols", "hosts", "networks")
BLOCK_FILES = ("stat", "dev", "size", "partition", "start", "ro", "removable")
NET_ATTRS = (
    "address", "addr_len", "broadcast", "carrier", "dev_id", "dormant", "flags", "ifalias",
    "ifindex", "iflink", "mtu", "operstate", "tx_queue_len", "type", "link_mode",
)
CPU_TOPOLOGY = ("physical_package_id", "core_id", "die_id", "thread_siblings_list",
                "core_siblings_list")
_CPU_DIR = re.compile(r"cpu[0-9]+\Z")
_NODE_DIR = re.compile(r"node[0-9]+\Z")


class Capture:
    """Copies files from a source root (``/`` when live) into ``dest``."""

    def __init__(self, dest: str, src: str = "/"):
        self.dest = dest
        self.src = src.rstrip("/")
        self.missing: list[str] = []

    def _read(self, path: str) -> bytes | None:
        try:
            with open(self.src + path, "rb") as f:
                return f.read()
        except OSError:
            return None

    def _write(self, path: str, data: bytes) -> None:
        target = self.dest + path
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)

    def copy(self, path: str, required: bool = False) -> bool:
        data = self._read(path)
        if data is None:
            if required:
                self.missing.append(path)
            return False
        self._write(path, data)
        return True

    def mkdir(self, path: str) -> None:
        os.makedirs(self.dest + path, exist_ok=True)

    def link(self, path: str, target: str) -> None:
        full = self.dest + path
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.lexists(full):
            os.unlink(full)
        os.symlink(target, full)

    def listdir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self.src + path))
        except OSError:
            return []

    # -- the parts ----------------------------------------------------------
    def proc(self) -> None:
        for name in PROC_FILES:
            self.copy("/proc/" + name, required=name in ("stat", "meminfo", "vmstat", "uptime"))
        self.mkdir("/proc/net")
        for name in NET_FILES:
            self.copy("/proc/net/" + name)
        for name in KERNEL_FILES:
            self.copy("/proc/sys/kernel/" + name)
        if not os.path.exists(self.dest + "/proc/sys/kernel/arch"):
            # kernels before 5.x have no such file: record what uname says
            self._write("/proc/sys/kernel/arch", (os.uname().machine + "\n").encode())

    def processes(self) -> None:
        """Socket links and command lines of the processes that hold sockets."""
        for pid in self.listdir("/proc"):
            if not pid.isdigit():
                continue
            fds = self.listdir(f"/proc/{pid}/fd")
            sockets = []
            for fd in fds:
                try:
                    target = os.readlink(f"{self.src}/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:["):
                    sockets.append((fd, target))
            if not sockets:
                continue
            for fd, target in sockets:
                self.link(f"/proc/{pid}/fd/{fd}", target)
            self.copy(f"/proc/{pid}/cmdline")
            self.copy(f"/proc/{pid}/comm")

    def block(self) -> None:
        self.mkdir("/sys/block")
        for dev in self.listdir("/sys/block"):
            base = f"/sys/block/{dev}"
            self.mkdir(base)
            self._block_files(base)
            for part in self.listdir(base):
                if os.path.exists(f"{self.src}{base}/{part}/partition"):
                    self._block_files(f"{base}/{part}")
        for majmin in self.listdir("/sys/dev/block"):
            self.copy(f"/sys/dev/block/{majmin}/stat")
            self.copy(f"/sys/dev/block/{majmin}/dev")
        for name in self.listdir("/dev/mapper"):
            try:
                self.link(f"/dev/mapper/{name}", os.readlink(f"{self.src}/dev/mapper/{name}"))
            except OSError:
                continue

    def _block_files(self, base: str) -> None:
        for name in BLOCK_FILES:
            self.copy(f"{base}/{name}")

    def cpus(self) -> None:
        base = "/sys/devices/system/cpu"
        self.mkdir(base)
        for name in ("online", "possible", "present", "offline", "kernel_max"):
            self.copy(f"{base}/{name}")
        for cpu in self.listdir(base):
            if not _CPU_DIR.match(cpu):
                continue
            self.mkdir(f"{base}/{cpu}")
            self.copy(f"{base}/{cpu}/online")
            for entry in self.listdir(f"{base}/{cpu}"):
                if _NODE_DIR.match(entry):
                    # a link to node/nodeN: its cpulist keeps the directory in git
                    self.mkdir(f"{base}/{cpu}/{entry}")
                    self.copy(f"{base}/{cpu}/{entry}/cpulist")
            for name in CPU_TOPOLOGY:
                self.copy(f"{base}/{cpu}/topology/{name}")
        nodes = "/sys/devices/system/node"
        for name in ("online", "possible"):
            self.copy(f"{nodes}/{name}")
        for node in self.listdir(nodes):
            if _NODE_DIR.match(node):
                self.copy(f"{nodes}/{node}/cpulist")

    def net(self) -> None:
        base = "/sys/class/net"
        self.mkdir(base)
        for ifname in self.listdir(base):
            self.mkdir(f"{base}/{ifname}")
            for name in NET_ATTRS:
                self.copy(f"{base}/{ifname}/{name}")

    def etc(self) -> None:
        for name in ETC_FILES:
            self.copy("/etc/" + name)

    def all(self) -> None:
        self.proc()
        self.block()
        self.cpus()
        self.net()
        self.etc()
        self.processes()


def _netif(dest: str) -> dict:
    """netstat -i's ioctl answers, for the interfaces of the captured /proc/net/dev."""
    from pystat import netif
    from pystat.proc.netdev import parse_net_dev

    try:
        with open(os.path.join(dest, "proc", "net", "dev"), encoding="utf-8",
                  errors="surrogateescape") as f:
            names = [d.name for d in parse_net_dev(f.read())]
    except OSError:
        names = []
    return netif.capture(names)


def capture(dest: str, when: float | None = None) -> list[str]:
    """Capture the live system into ``dest``; returns the required files it could not read."""
    os.makedirs(dest, exist_ok=True)
    cap = Capture(dest)
    when = time.time() if when is None else when
    cap.all()
    u = os.uname()
    meta = {
        "pystat": __version__,
        "time": when,
        "hz": os.sysconf("SC_CLK_TCK"),
        "pagesize": os.sysconf("SC_PAGE_SIZE"),
        "uname": {"sysname": u.sysname, "nodename": u.nodename, "release": u.release,
                  "machine": u.machine},
        "timezone": time.strftime("%Z", time.localtime(when)),
    }
    meta["netif"] = _netif(dest)
    if cap.missing:
        meta["missing"] = cap.missing
    with open(os.path.join(dest, SNAPSHOT_META), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    return cap.missing
