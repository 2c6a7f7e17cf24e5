"""Hold many loopback TCP connections open until killed (netstat -antp vs psutil).

    python benchmarks/hold_connections.py SOCKETS_V4 SOCKETS_V6

Opens connected pairs (a client and the accepted socket: two sockets, two
lines of /proc/net/tcp each pair) until SOCKETS_V4 IPv4 and SOCKETS_V6 IPv6
sockets exist, spread over enough listening ports that the ephemeral port
range suffices.  A process may hold only RLIMIT_NOFILE descriptors (and an
unprivileged or containerised root cannot raise the hard limit), so the
sockets are spread over child processes of at most that many each; children
die with this process (PR_SET_PDEATHSIG).  Prints "ready N PID..." when all
are open, then sleeps until killed.
"""

import os
import resource
import signal
import socket
import subprocess
import sys
import time

PER_LISTENER = 20000          # pairs per listening port (the ephemeral range is ~28k)


def hold(n4: int, n6: int) -> list:
    keep = []

    def pairs(family, addr, sockets):
        made = 0
        while sockets - made >= 2:
            lst = socket.socket(family, socket.SOCK_STREAM)
            lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            lst.bind((addr, 0))
            lst.listen(4096)
            keep.append(lst)
            port = lst.getsockname()[1]
            for _ in range(min(PER_LISTENER, (sockets - made) // 2)):
                c = socket.socket(family, socket.SOCK_STREAM)
                c.connect((addr, port))
                a, _ = lst.accept()
                keep.extend((c, a))
                made += 2

    pairs(socket.AF_INET, "127.0.0.1", n4)
    pairs(socket.AF_INET6, "::1", n6)
    return keep


def child(n4: int, n6: int) -> None:
    import ctypes

    ctypes.CDLL(None).prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    keep = hold(n4, n6)
    print("ready", len(keep), flush=True)
    while True:
        time.sleep(3600)


def main() -> None:
    n4 = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    n6 = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    per = max(1000, (min(hard, 1 << 20) - 200) // 1000 * 1000)   # sockets per child
    jobs = []
    for family_total, slot in ((n4, 0), (n6, 1)):
        left = family_total
        while left >= 2:
            take = min(per, left)
            jobs.append((take, 0) if slot == 0 else (0, take))
            left -= take
    children = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child",
                                  str(a), str(b)], stdout=subprocess.PIPE, text=True)
                for a, b in jobs]
    total = 0
    for c in children:
        line = c.stdout.readline().split()
        if not line or line[0] != "ready":
            print("failed", flush=True)
            sys.exit(1)
        total += int(line[1])
    print("ready", total, *[c.pid for c in children], flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
