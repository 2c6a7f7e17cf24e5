"""netstat -i/-ie on interfaces this machine does not have, in a private network namespace.

``unshare -n`` gives a network of our own, where the test makes interfaces of
several kinds and states: a veth pair (one end in a bridge), alias labels
(``v0:1``, ``v0:12``), promiscuous and all-multicast flags, a jumbo MTU, a
small transmit queue, a point-to-point tun device without a reader (up, not
running, no hardware address), interfaces that are down, IPv6 addresses of
global, link, site and host scope.  Inside it, ``pystat snapshot`` captures the
namespace, the real netstat runs on the capture (its ioctls answered by the
same namespace's kernel) and pystat runs on the capture offline: both must
print the same bytes.  Skipped without root, unshare, ip or the real netstat.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.helpers import REPO
from tests.oracle import oracle

SETUP = """
set -e
ip link set lo up
ip -6 addr add fd00::1/8 dev lo nodad
ip link add v0 type veth peer name v1
ip link set v0 mtu 9000
ip addr add 10.20.30.1/24 broadcast 10.20.30.255 dev v0
ip addr add 10.20.30.7/24 dev v0 label v0:1
ip addr add 10.20.31.1/32 dev v0 label v0:12
ip -6 addr add 2001:db8::5/64 dev v0 nodad
ip -6 addr add fec0::5/64 dev v0 nodad
ip link set v0 up
ip link set v0 promisc on
ip link set v0 allmulticast on
ip link set v1 txqueuelen 77
ip link add br0 type bridge
ip link set v1 master br0
ip link set br0 up
ip tuntap add tun0 mode tun
ip addr add 10.8.0.1 peer 10.8.0.2/32 dev tun0
ip link set tun0 up
ip link add v2 type veth peer name v3
exec "$@"
"""

CASES = [["-i"], ["-ia"], ["-ie"], ["-iea"], ["-ian"], ["-iaW"], ["-iee"]]

CHECK = """
import json, subprocess, sys
sys.path.insert(0, sys.argv[1])
from pystat.capture import capture
from tests.oracle import oracle
dest = sys.argv[2]
capture(dest)
results = []
for argv in json.loads(sys.argv[3]):
    rc, real, err = oracle.run(dest, ["netstat", *argv])
    p = subprocess.run([sys.executable, "-m", "pystat", "--root", dest, "netstat", *argv],
                       capture_output=True, text=True, env={"PYTHONPATH": sys.argv[1],
                       "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"})
    results.append({"argv": argv, "rc": rc, "real": real, "mine_rc": p.returncode,
                    "mine": p.stdout, "mine_err": p.stderr})
print(json.dumps(results))
"""


def test_interfaces_in_a_private_network(tmp_path):
    if not (oracle.available("netstat") and shutil.which("ip")):
        pytest.skip("needs root, unshare, faketime, ip and the real netstat")
    probe = subprocess.run(["unshare", "-n", "ip", "link", "add", "v9", "type", "veth",
                            "peer", "name", "v8"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot make veth interfaces in a network namespace here")
    dest = str(tmp_path / "snap")
    p = subprocess.run(["unshare", "-n", "sh", "-c", SETUP, "setup", sys.executable, "-c",
                        CHECK, REPO, dest, json.dumps(CASES)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    results = json.loads(p.stdout)
    assert len(results) == len(CASES)
    for r in results:
        assert (r["mine_rc"], r["mine"]) == (r["rc"], r["real"]), (r["argv"], r["mine_err"])
    shown = {line.split(": flags")[0] for line in results[3]["real"].splitlines()
             if line and not line.startswith((" ", "Kernel"))}
    assert {"lo", "v0", "v0:1", "v0:12", "v1", "br0", "tun0", "v2", "v3"} <= shown
    with open(os.path.join(dest, "pystat-snapshot.json")) as f:
        assert "v0:12" in json.load(f)["netif"]["ifconf"]
