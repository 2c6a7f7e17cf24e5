"""Write a synthetic root with a huge TCP socket table, deterministically.

    python benchmarks/make_big_sockets.py DIR [--v4 100000] [--v6 20000] [--pids 4]

DIR gets ``proc/net/tcp`` and ``proc/net/tcp6`` in the kernel's own line
formats (``net/ipv4/tcp_ipv4.c``, ``net/ipv6/tcp_ipv6.c``: fixed-width hex
fields, IPv4 lines padded to 149 characters, TIME_WAIT lines shorter),
sockets of a busy server (see :func:`tcp_lines`) in every common state
(LISTEN, ESTABLISHED with and without queued data or a keepalive timer,
SYN_SENT, FIN_WAIT1/2, TIME_WAIT, CLOSE_WAIT, LAST_ACK, CLOSING), some
v4-mapped IPv6 peers; the other /proc/net socket
files empty; ``proc/PID/fd/N -> socket:[INODE]`` links and a command line
for ``--pids`` processes holding the sockets (netstat -p); ``etc/`` files
copied from the ``sockets`` fixture and a ``pystat-snapshot.json`` with a
fixed capture time.  The same arguments always give the same bytes.

Nothing it writes is committed: tests and benchmarks call :func:`make` into a
temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SOCKETS = os.path.join(os.path.dirname(HERE), "fixtures", "proc_snapshots", "sockets")

V4_HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
             "retrnsmt   uid  timeout inode").ljust(149) + "\n"
V6_HEADER = ("  sl  local_address                         remote_address                        "
             "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
UDP_V4_HEADER = ("   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                 "retrnsmt   uid  timeout inode ref pointer drops").ljust(127) + "\n"
UDP_V6_HEADER = ("  sl  local_address                         remote_address                  "
                 "      st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
                 "pointer drops\n")
UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"

# state code -> weight
STATES = [(0x01, 60), (0x0A, 2), (0x06, 15), (0x05, 5), (0x08, 5), (0x02, 3), (0x04, 3),
          (0x09, 3), (0x0B, 2), (0x03, 2)]
TIME_WAIT = 0x06


def _v4(n: int) -> str:
    """10.x.y.z as the kernel prints it (host-order hex of the address)."""
    a, b, c, d = 10, (n >> 16) & 255, (n >> 8) & 255, n & 255
    return "%02X%02X%02X%02X" % (d, c, b, a)


def _v6_words(words) -> str:
    """words: the address as four 32-bit big-endian ints; the kernel prints each
    as %08X of the host-order (x86: little-endian) value."""
    return "".join("%08X" % int.from_bytes(w.to_bytes(4, "big"), "little") for w in words)


V4_LOCAL = ["0100007F", _v4(1), _v4(2), _v4(3)]          # 127.0.0.1, 10.0.0.1-3
V6_LOCAL = [_v6_words([0, 0, 0, 1]),                      # ::1
            _v6_words([0x20010DB8, 0, 0, 1]),             # 2001:db8::1
            _v6_words([0x20010DB8, 0xABCD, 0x1234, 0x5678])]


def tcp_lines(rng: random.Random, count: int, v6: bool, inode0: int):
    """A busy server's table: a few local addresses (listeners on service
    ports, accepted connections on them, outgoing connections from ephemeral
    ports), peers drawn from a pool of count/4 addresses (so most peers hold
    several connections), random ephemeral ports, every common state."""
    states = [s for s, w in STATES for _ in range(w)]
    if v6:
        pool = [_v6_words([0x20010DB8, rng.getrandbits(32), rng.getrandbits(32),
                           rng.getrandbits(32)]) for _ in range(max(1, count // 4))]
        # some peers are v4-mapped (::ffff:10.x.y.z)
        for k in range(0, len(pool), 50):
            pool[k] = _v6_words([0, 0, 0xFFFF, (10 << 24) | rng.getrandbits(24)])
        local_pool = V6_LOCAL
        any_addr = "0" * 32
    else:
        pool = [_v4(rng.getrandbits(24)) for _ in range(max(1, count // 4))]
        local_pool = V4_LOCAL
        any_addr = "00000000"
    services = (22, 80, 443, 5432, 6379, 8080)
    for i in range(count):
        st = 0x0A if i < 8 else rng.choice(states)
        if st == 0x0A:
            local = any_addr if i % 2 else rng.choice(local_pool)
            lport = services[i % len(services)] if i < 8 else 2000 + i % 60000
            remote, rport = any_addr, 0
        else:
            local = rng.choice(local_pool)
            remote = rng.choice(pool)
            if i % 3:       # accepted: our service port, their ephemeral port
                lport, rport = rng.choice(services), rng.randrange(32768, 61000)
            else:           # outgoing: our ephemeral port, their service port
                lport, rport = rng.randrange(32768, 61000), rng.choice(services)
        if st == TIME_WAIT:
            fmt = ("%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d "
                   "%016x")
            line = fmt % (i, local, lport, remote, rport, st, 0, 0, 3, rng.randrange(6000),
                          0, 0, 0, 0, 3, rng.getrandbits(64))
        else:
            txq = rng.randrange(1, 100000) if i % 13 == 0 else 0
            rxq = rng.randrange(1, 100000) if i % 17 == 0 else 0
            timer = 2 if i % 7 == 0 else (1 if i % 29 == 0 else 0)
            when = rng.randrange(1, 720000) if timer else 0
            fmt = ("%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5u %8d %d %d "
                   "%016x %u %u %u %u %d")
            line = fmt % (i, local, lport, remote, rport, st, txq, rxq, timer, when,
                          i % 5 == 0 and rng.randrange(4) or 0, (0, 0, 1000, 33)[i % 4],
                          0, inode0 + i, 1 if st != 0x0A else 2, rng.getrandbits(64), 20, 4,
                          0, 10, 10 if st == 0x0A else -1)
        if not v6:
            line = line.ljust(149)
        yield line + "\n"


def make(dest: str, v4: int = 100000, v6: int = 20000, pids: int = 4, seed: int = 4) -> str:
    """Write the synthetic root into ``dest`` (created); returns ``dest``."""
    rng = random.Random(seed)
    net = os.path.join(dest, "proc", "net")
    os.makedirs(net, exist_ok=True)
    with open(os.path.join(net, "tcp"), "w") as f:
        f.write(V4_HEADER)
        f.writelines(tcp_lines(rng, v4, False, 100000))
    with open(os.path.join(net, "tcp6"), "w") as f:
        f.write(V6_HEADER)
        f.writelines(tcp_lines(rng, v6, True, 100000 + v4))
    for name, head in (("udp", UDP_V4_HEADER), ("udp6", UDP_V6_HEADER),
                       ("udplite", UDP_V4_HEADER), ("udplite6", UDP_V6_HEADER),
                       ("raw", UDP_V4_HEADER), ("raw6", UDP_V6_HEADER), ("unix", UNIX_HEADER)):
        with open(os.path.join(net, name), "w") as f:
            f.write(head)
    # processes: socket k belongs to process k % pids (TIME_WAIT sockets have inode 0
    # and belong to nobody, as in the kernel)
    for p in range(pids):
        pid = 1000 + p
        fd_dir = os.path.join(dest, "proc", str(pid), "fd")
        os.makedirs(fd_dir, exist_ok=True)
        with open(os.path.join(dest, "proc", str(pid), "cmdline"), "wb") as f:
            f.write(b"/usr/sbin/bigserver%d\0--workers\0%d\0" % (p, p))
        for fd, k in enumerate(range(p, v4 + v6, pids), 3):
            os.symlink("socket:[%d]" % (100000 + k), os.path.join(fd_dir, str(fd)))
    etc = os.path.join(dest, "etc")
    os.makedirs(etc, exist_ok=True)
    for name in ("passwd", "group", "services", "protocols", "hosts", "networks"):
        src = os.path.join(SOCKETS, "etc", name)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(etc, name))
    with open(os.path.join(dest, "pystat-snapshot.json"), "w") as f:
        json.dump({"time": 1795733529.0, "hz": 100, "pagesize": 4096,
                   "synthetic": "benchmarks/make_big_sockets.py"}, f)
    return dest


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest")
    ap.add_argument("--v4", type=int, default=100000)
    ap.add_argument("--v6", type=int, default=20000)
    ap.add_argument("--pids", type=int, default=4)
    args = ap.parse_args(argv)
    make(args.dest, args.v4, args.v6, args.pids)


if __name__ == "__main__":
    main()
