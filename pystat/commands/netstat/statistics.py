"""netstat -s: protocol statistics, as net-tools 2.10's statistics.c prints them.

Each section of /proc/net/snmp and /proc/net/netstat (then, if present,
/proc/net/sctp/snmp) is matched against netstat's tables; ``-s -6`` reads
/proc/net/snmp6 and then only the Tcp section of /proc/net/snmp.  The
quirks are netstat's:

* a known section prints its title only if its protocol is selected
  (-t: Tcp, TcpExt; -u: Udp; -w: Ip, Icmp; none of them: all); a section
  netstat does not know (IcmpMsg, UdpLite, IpExt, MPTcpExt, ...) always
  prints its title, and its counters as ``Name: value`` when not 0;
* counters are looked up by C ``bsearch`` in tables that are not quite
  sorted, so a few known names are missed and print as ``Name: value``
  (``Forwarding: 2``); :func:`bsearch` is glibc's algorithm;
* the indentation of an unknown counter is that of the line before it (8
  after an ICMP histogram).
"""

from __future__ import annotations

from pystat.errors import SourceError
from pystat.proc.snmp import parse_name_values, parse_snmp, parse_snmp6

# states (statistics.c enum State) and their indentation and titles
NUMBER, OPT_NUMBER, I_FORWARD, I_INP_ICMP, I_OUTP_ICMP, I_RTO_ALG = range(6)
I_STATIC = 1 << 16
I_TITLE = 1 << 17
INDENT = {NUMBER: 4, OPT_NUMBER: 4, I_FORWARD: 4, I_INP_ICMP: 8, I_OUTP_ICMP: 8, I_RTO_ALG: 0}
STATE_TITLE = {I_INP_ICMP: "ICMP input histogram:", I_OUTP_ICMP: "ICMP output histogram:"}

N, O = NUMBER, OPT_NUMBER
IN_H, OUT_H = I_INP_ICMP | I_TITLE, I_OUTP_ICMP | I_TITLE

IP = [
    ("DefaultTTL", "Default TTL is %llu", NUMBER | I_STATIC),
    ("Forwarding", "Forwarding is %s", I_FORWARD | I_STATIC),
    ("ForwDatagrams", "%llu forwarded", N),
    ("FragCreates", "%llu fragments created", O),
    ("FragFails", "%llu outgoing packets failed fragmentation", O),
    ("FragOKs", "%llu outgoing packets fragmented ok", O),
    ("InAddrErrors", "%llu with invalid addresses", O),
    ("InDelivers", "%llu incoming packets delivered", N),
    ("InDiscards", "%llu incoming packets discarded", N),
    ("InHdrErrors", "%llu with invalid headers", O),
    ("InReceives", "%llu total packets received", N),
    ("InUnknownProtos", "%llu with unknown protocol", O),
    ("OutDiscards", "%llu outgoing packets dropped", O),
    ("OutNoRoutes", "%llu dropped because of missing route", O),
    ("OutRequests", "%llu requests sent out", N),
    ("ReasmFails", "%llu packet reassemblies failed", O),
    ("ReasmOKs", "%llu packets reassembled ok", O),
    ("ReasmReqds", "%llu reassemblies required", O),
    ("ReasmTimeout", "%llu fragments dropped after timeout", O),
]

IP6 = [
    ("Ip6FragCreates", "%llu fragments created", O),
    ("Ip6FragFails", "%llu outgoing packets failed fragmentation", O),
    ("Ip6FragOKs", "%llu outgoing packets fragmented ok", O),
    ("Ip6InAddrErrors", "%llu with invalid addresses", O),
    ("Ip6InDelivers", "%llu incoming packets delivered", N),
    ("Ip6InDiscards", "%llu incoming packets discarded", N),
    ("Ip6InHdrErrors", "%llu with invalid headers", O),
    ("Ip6InMcastPkts", "%llu incoming multicast packets", O),
    ("Ip6InNoRoutes", "%llu incoming packets with no route", O),
    ("Ip6InReceives", "%llu total packets received", N),
    ("Ip6InTooBigErrors", "%llu with packets too big", O),
    ("Ip6InTruncatedPkts", "%llu with truncated packets", O),
    ("Ip6InUnknownProtos", "%llu with unknown protocol", O),
    ("Ip6OutDiscards", "%llu outgoing packets dropped", O),
    ("Ip6OutForwDatagrams", "%llu forwarded", N),
    ("Ip6OutMcastPkts", "%llu outgoing multicast packets", O),
    ("Ip6OutNoRoutes", "%llu dropped because of missing route", O),
    ("Ip6OutRequests", "%llu requests sent out", N),
    ("Ip6ReasmFails", "%llu packet reassemblies failed", O),
    ("Ip6ReasmOKs", "%llu packets reassembled ok", O),
    ("Ip6ReasmReqds", "%llu reassemblies required", O),
    ("Ip6ReasmTimeout", "%llu fragments dropped after timeout", O),
]

ICMP = [
    ("InAddrMaskReps", "address mask replies: %llu", IN_H),
    ("InAddrMasks", "address mask request: %llu", IN_H),
    ("InDestUnreachs", "destination unreachable: %llu", IN_H),
    ("InEchoReps", "echo replies: %llu", IN_H),
    ("InEchos", "echo requests: %llu", IN_H),
    ("InErrors", "%llu input ICMP message failed", N),
    ("InMsgs", "%llu ICMP messages received", N),
    ("InParmProbs", "wrong parameters: %llu", IN_H),
    ("InRedirects", "redirects: %llu", IN_H),
    ("InSrcQuenchs", "source quenches: %llu", IN_H),
    ("InTimeExcds", "timeout in transit: %llu", IN_H),
    ("InTimestampReps", "timestamp reply: %llu", IN_H),
    ("InTimestamps", "timestamp request: %llu", IN_H),
    ("OutAddrMaskReps", "address mask replies: %llu", OUT_H),
    ("OutAddrMasks", "address mask requests: %llu", OUT_H),
    ("OutDestUnreachs", "destination unreachable: %llu", OUT_H),
    ("OutEchoReps", "echo replies: %llu", OUT_H),
    ("OutEchos", "echo requests: %llu", OUT_H),
    ("OutErrors", "%llu ICMP messages failed", N),
    ("OutMsgs", "%llu ICMP messages sent", N),
    ("OutParmProbs", "wrong parameters: %llu", OUT_H),
    ("OutRedirects", "redirect: %llu", OUT_H),
    ("OutSrcQuenchs", "source quench: %llu", OUT_H),
    ("OutTimeExcds", "time exceeded: %llu", OUT_H),
    ("OutTimestampReps", "timestamp replies: %llu", OUT_H),
    ("OutTimestamps", "timestamp requests: %llu", OUT_H),
]

ICMP6 = [
    ("Icmp6InDestUnreachs", "destination unreachable: %llu", IN_H),
    ("Icmp6InEchoReplies", "echo replies: %llu", IN_H),
    ("Icmp6InEchos", "echo requests: %llu", IN_H),
    ("Icmp6InErrors", "%llu input ICMP message failed", N),
    ("Icmp6InGroupMembQueries", "group member queries: %llu", IN_H),
    ("Icmp6InGroupMembReductions", "group member reductions: %llu", IN_H),
    ("Icmp6InGroupMembResponses", "group member responses: %llu", IN_H),
    ("Icmp6InMsgs", "%llu ICMP messages received", N),
    ("Icmp6InNeighborAdvertisements", "neighbour advertisement: %llu", IN_H),
    ("Icmp6InNeighborSolicits", "neighbour solicits: %llu", IN_H),
    ("Icmp6InParmProblems", "parameter problem: %llu", IN_H),
    ("Icmp6InPktTooBigs", "packets too big: %llu", IN_H),
    ("Icmp6InRedirects", "redirects: %llu", IN_H),
    ("Icmp6InRouterAdvertisements", "router advertisement: %llu", IN_H),
    ("Icmp6InRouterSolicits", "router solicits: %llu", IN_H),
    ("Icmp6InTimeExcds", "received ICMPv6 time exceeded: %llu", IN_H),
    ("Icmp6OutDestUnreachs", "destination unreachable: %llu", OUT_H),
    ("Icmp6OutEchoReplies", "echo replies: %llu", OUT_H),
    ("Icmp6OutEchos", "echo requests: %llu", OUT_H),
    ("Icmp6OutGroupMembQueries", "group member queries: %llu", OUT_H),
    ("Icmp6OutGroupMembReductions", "group member reductions: %llu", OUT_H),
    ("Icmp6OutGroupMembResponses", "group member responses: %llu", OUT_H),
    ("Icmp6OutMsgs", "%llu ICMP messages sent", N),
    ("Icmp6OutNeighborAdvertisements", "neighbor advertisements: %llu", OUT_H),
    ("Icmp6OutNeighborSolicits", "neighbor solicits: %llu", OUT_H),
    ("Icmp6OutParmProblems", "parameter problem: %llu", OUT_H),
    ("Icmp6OutPktTooBigs", "packets too big: %llu", OUT_H),
    ("Icmp6OutRedirects", "redirects: %llu", OUT_H),
    # netstat's table has a trailing blank here: the name never matches
    ("Icmp6OutRouterAdvertisements ", "router advertisement: %llu", OUT_H),
    ("Icmp6OutRouterSolicits", "router solicits: %llu", OUT_H),
    ("Icmp6OutTimeExcds", "sent ICMPv6 time exceeded: %llu", OUT_H),
]

TCP = [
    ("ActiveOpens", "%llu active connection openings", N),
    ("AttemptFails", "%llu failed connection attempts", N),
    ("CurrEstab", "%llu connections established", N),
    ("EstabResets", "%llu connection resets received", N),
    ("InErrs", "%llu bad segments received", N),
    ("InSegs", "%llu segments received", N),
    ("MaxConn", "", N),
    ("OutRsts", "%llu resets sent", N),
    ("OutSegs", "%llu segments sent out", N),
    ("PassiveOpens", "%llu passive connection openings", N),
    ("RetransSegs", "%llu segments retransmitted", N),
    ("RtoAlgorithm", "RTO algorithm is %s", I_RTO_ALG | I_STATIC),
    ("RtoMax", "", N),
    ("RtoMin", "", N),
]

UDP = [
    ("InDatagrams", "%llu packets received", N),
    ("InErrors", "%llu packet receive errors", N),
    ("NoPorts", "%llu packets to unknown port received", N),
    ("OutDatagrams", "%llu packets sent", N),
    ("RcvbufErrors", "%llu receive buffer errors", N),
    ("SndbufErrors", "%llu send buffer errors", N),
]

UDP6 = [
    ("Udp6InDatagrams", "%llu packets received", N),
    ("Udp6InErrors", "%llu packet receive errors", N),
    ("Udp6NoPorts", "%llu packets to unknown port received", N),
    ("Udp6OutDatagrams", "%llu packets sent", N),
]

TCPEXT = [
    ("DelayedACKLocked", "%llu delayed acks further delayed because of locked socket", O),
    ("DelayedACKLost", "Quick ack mode was activated %llu times", O),
    ("DelayedACKs", "%llu delayed acks sent", O),
    ("EmbryonicRsts", "%llu resets received for embryonic SYN_RECV sockets", O),
    ("ListenDrops", "%llu SYNs to LISTEN sockets dropped", O),
    ("ListenOverflows", "%llu times the listen queue of a socket overflowed", O),
    ("LockDroppedIcmps", "%llu ICMP packets dropped because socket was locked", O),
    ("OfoPruned", "%llu packets dropped from out-of-order queue because of socket buffer "
                  "overrun", O),
    ("OutOfWindowIcmps", "%llu ICMP packets dropped because they were out-of-window", O),
    ("PAWSActive", "%llu active connections rejected because of time stamp", O),
    ("PAWSEstab", "%llu packets rejected in established connections because of timestamp",
     O),
    ("PAWSPassive", "%llu passive connections rejected because of time stamp", O),
    ("PruneCalled", "%llu packets pruned from receive queue because of socket buffer overrun",
     O),
    ("RcvPruned", "%llu packets pruned from receive queue", O),
    ("SockMallocOOM", "Ran %llu times out of system memory during packet sending", O),
    ("SyncookiesFailed", "%llu invalid SYN cookies received", O),
    ("SyncookiesRecv", "%llu SYN cookies received", O),
    ("SyncookiesSent", "%llu SYN cookies sent", O),
    ("TCPAbortFailed", "%llu times unable to send RST due to no memory", O),
    ("TCPAbortOnClose", "%llu connections reset due to early user close", O),
    ("TCPAbortOnData", "%llu connections reset due to unexpected data", O),
    ("TCPAbortOnLinger", "%llu connections aborted after user close in linger timeout", O),
    ("TCPAbortOnMemory", "%llu connections aborted due to memory pressure", O),
    ("TCPAbortOnSyn", "%llu connections reset due to unexpected SYN", O),
    ("TCPAbortOnTimeout", "%llu connections aborted due to timeout", O),
    ("TCPDirectCopyFromBacklog", "%llu bytes directly in process context from backlog", O),
    ("TCPDirectCopyFromPrequeue", "%llu bytes directly received in process context from "
                                  "prequeue", O),
    ("TCPDSACKOfoRecv", "%llu DSACKs for out of order packets received", O),
    ("TCPDSACKOfoSent", "%llu DSACKs sent for out of order packets", O),
    ("TCPDSACKOldSent", "%llu DSACKs sent for old packets", O),
    ("TCPDSACKRecv", "%llu DSACKs received", O),
    ("TCPDSackUndo", "%llu congestion window recovered without slow start using DSACK", O),
    ("TCPDSACKUndo", "%llu congestion windows recovered without slow start by DSACK", O),
    ("TCPFACKReorder", "Detected reordering %llu times using FACK", O),
    ("TCPFastRetrans", "%llu fast retransmits", O),
    ("TCPForwardRetrans", "%llu forward retransmits", O),
    ("TCPFullUndo", "%llu congestion windows fully recovered without slow start", O),
    ("TCPHPAcks", "%llu predicted acknowledgments", O),
    ("TCPHPHits", "%llu packet headers predicted", N),
    ("TCPHPHitsToUser", "%llu packet headers predicted and directly queued to user", O),
    ("TCPLossFailures", "%llu timeouts in loss state", O),
    ("TCPLoss", "%llu TCP data loss events", O),
    ("TCPLossUndo", "%llu congestion windows recovered without slow start after partial ack",
     O),
    ("TCPLostRetransmits", "%llu retransmits lost", O),
    ("TCPMemoryPressures", "TCP ran low on memory %llu times", O),
    ("TCPPartialUndo", "%llu congestion windows partially recovered using Hoe heuristic", O),
    ("TCPPrequeued", "%llu packets directly queued to recvmsg prequeue", O),
    ("TCPPrequeueDropped", "%llu packets dropped from prequeue", O),
    ("TCPPureAcks", "%llu acknowledgments not containing data payload received", O),
    ("TCPRcvCollapsed", "%llu packets collapsed in receive queue due to low socket buffer", O),
    ("TCPRenoFailures", "%llu timeouts after reno fast retransmit", O),
    ("TCPRenoRecoveryFailed", "%llu reno fast retransmits failed", O),
    ("TCPRenoRecoveryFail", "%llu classic Reno fast retransmits failed", O),
    ("TCPRenoRecovery", "%llu times recovered from packet loss due to fast retransmit", O),
    ("TCPRenoReorder", "Detected reordering %llu times using reno fast retransmit", O),
    ("TCPSackFailures", "%llu timeouts after SACK recovery", O),
    ("TCPSackRecoveryFail", "%llu SACK retransmits failed", O),
    ("TCPSackRecovery", "%llu times recovered from packet loss by selective acknowledgements",
     O),
    ("TCPSACKReneging", "%llu bad SACK blocks received", O),
    ("TCPSACKReorder", "Detected reordering %llu times using SACK", O),
    ("TCPSchedulerFailed", "%llu times receiver scheduled too late for direct processing", O),
    ("TCPSlowStartRetrans", "%llu retransmits in slow start", O),
    ("TCPTimeouts", "%llu other TCP timeouts", O),
    ("TCPTSReorder", "Detected reordering %llu times using time stamp", O),
    ("TWKilled", "%llu TCP sockets finished time wait in slow timer", O),
    ("TW", "%llu TCP sockets finished time wait in fast timer", O),
    ("TWRecycled", "%llu time wait sockets recycled by time stamp", O),
]

SCTP = [
    ("SctpAborteds", "%llu Number of Aborteds ", N),
    ("SctpActiveEstabs", "%llu Active Associations", N),
    ("SctpChecksumErrors", "%llu Number of Packets with invalid Checksum", N),
    ("SctpCurrEstab", "%llu Current Associations", N),
    ("SctpFragUsrMsgs", "%llu Number of messages fragmented", N),
    ("SctpInCtrlChunks", "%llu Number of control chunks received", N),
    ("SctpInOrderChunks", "%llu Number of ordered chunks received", N),
    ("SctpInSCTPPacks", "%llu Number of SCTP packets received", N),
    ("SctpInUnorderChunks", "%llu Number of Unordered chunks received", N),
    ("SctpOutCtrlChunks", "%llu Number of control chunks sent", N),
    ("SctpOutOfBlues", "%llu Number of Out of Blue packets", N),
    ("SctpOutOrderChunks", "%llu Number of ordered chunks sent", N),
    ("SctpOutSCTPPacks", "%llu Number of SCTP packets sent", N),
    ("SctpOutUnorderChunks", "%llu Number of Unordered chunks sent", N),
    ("SctpPassiveEstabs", "%llu Passive Associations", N),
    ("SctpReasmUsrMsgs", "%llu Number of messages reassembled ", N),
    ("SctpShutdowns", "%llu Number of Graceful Terminations", N),
]

# (title, table, protocol flag)
SNMP_TABS = [("Ip", IP, "raw"), ("Icmp", ICMP, "raw"), ("Tcp", TCP, "tcp"), ("Udp", UDP, "udp"),
             ("Sctp", SCTP, "sctp"), ("TcpExt", TCPEXT, "tcp")]
SNMP6_TABS = [("Ip6", IP6, "raw"), ("Icmp6", ICMP6, "raw"), ("Udp6", UDP6, "udp"),
              ("Tcp6", TCP, "tcp")]


def _key(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def bsearch(key: str, table: list):
    """glibc bsearch() with strcmp over ``table`` as it is (sorted or not)."""
    k = _key(key)
    lo, hi = 0, len(table)
    while lo < hi:
        idx = (lo + hi) // 2
        t = _key(table[idx][0])
        if k < t:
            hi = idx
        elif k > t:
            lo = idx + 1
        else:
            return table[idx]
    return None


class Printer:
    """statistics.c's printval()/newtable() state machine; lines go to ``emit``."""

    def __init__(self, flags: dict, emit):
        self.flags = flags            # "raw"/"tcp"/"udp"/"sctp" -> selected
        self.emit = emit              # emit(text line, section, counter name or None, value)
        self.state = NUMBER

    def newtable(self, tabs, title: str):
        for t, table, flag in tabs:
            if t == title:
                if self.flags[flag]:
                    self.emit(f"{title}:", title, None, None)
                self.state = NUMBER
                return table, self.flags[flag]
        self.emit(f"{title}:", title, None, None)
        return None, True

    def printval(self, table, section: str, name: str, val: int) -> None:
        ent = bsearch(name, table) if table is not None else None
        state = self.state
        if ent is None:
            if val:
                self.emit(" " * INDENT[state] + f"{name}: {val}", section, name, val)
            return
        _title, out, typ = ent
        if typ & I_STATIC:
            return            # print_static is never set
        if not out:
            return
        if typ & I_TITLE:
            typ &= ~I_TITLE
            if state != typ:
                self.emit(" " * INDENT[state] + STATE_TITLE[typ], section, None, None)
        text = ""
        if typ == OPT_NUMBER:
            if val:
                text = out.replace("%llu", str(val))
        elif typ == NUMBER:
            text = out.replace("%llu", str(val))
        elif typ == I_FORWARD:
            typ = NUMBER
            text = out.replace("%s", "enabled" if val == 2 else "disabled")
        elif typ in (I_INP_ICMP, I_OUTP_ICMP):
            if val > 0:
                text = out.replace("%llu", str(val))
        if text:
            self.emit(" " * INDENT[typ] + text, section, name, val)
        self.state = typ


def statistics(host, o, warn, emit) -> int:
    """netstat's -s branch of main(): lines through ``emit``; the exit status."""
    afname = o.afname or "inet"
    flags = {"raw": bool(o.raw), "tcp": bool(o.tcp), "udp": bool(o.udp), "sctp": bool(o.sctp)}
    root = host.root
    p = Printer(flags, emit)
    if afname == "inet":
        try:
            snmp = root.parse("/proc/net/snmp", parse_snmp)
        except SourceError as e:
            warn(f"cannot open /proc/net/snmp: {_reason(e)}")
            return 0
        _process(p, snmp, SNMP_TABS, None, "/proc/net/snmp", warn)
        try:
            netstat = root.parse("/proc/net/netstat", parse_snmp)
        except SourceError:
            netstat = None
        if netstat is not None:
            _process(p, netstat, SNMP_TABS, None, "/proc/net/netstat", warn)
        try:
            sctp = root.parse("/proc/net/sctp/snmp", parse_name_values)
        except SourceError:
            sctp = None
        if sctp is not None:
            table, on = p.newtable(SNMP_TABS, "Sctp")
            for name, value in sctp:
                if on:
                    p.printval(table, "Sctp", name, value)
        return 0
    if afname == "inet6":
        try:
            snmp6 = root.parse("/proc/net/snmp6", parse_snmp6)
        except SourceError as e:
            warn(f"cannot open /proc/net/snmp6: {_reason(e)}")
            return 0
        table = on = None
        current = None
        for name, value in snmp6:
            if current is None or current not in name:
                current = _cpytitle(name)
                table, on = p.newtable(SNMP6_TABS, current)
            if on:
                p.printval(table, current, name, value)
        try:
            snmp = root.parse("/proc/net/snmp", parse_snmp)
        except SourceError as e:
            warn(f"cannot open /proc/net/snmp: {_reason(e)}")
            return 0
        _process(p, snmp, SNMP_TABS, "Tcp", "/proc/net/snmp", warn)
        return 0
    emit(f"netstat: No statistics support for specified address family: {afname}", None,
         None, None)
    return 1


def _cpytitle(name: str) -> str:
    """statistics.c cpytitle(): the name up to and including its first '6'."""
    cut = name.find("6")
    return name if cut < 0 else name[:cut + 1]


def _process(p: Printer, snmp, tabs, prefix, path, warn) -> None:
    for section in snmp.sections:
        if prefix is not None and not section.title.startswith(prefix):
            continue
        table, on = p.newtable(tabs, section.title)
        if not on:
            continue
        for name, value in section.counters:
            p.printval(table, section.title, name, value)
    if snmp.format_error:
        warn(f"Problem while parsing {path}")


def _reason(e: SourceError) -> str:
    import os

    return os.strerror(e.errno) if getattr(e, "errno", None) else str(e)


# --------------------------------------------------------------------------------
# the mode

def text(host, o, out, warn) -> int:
    lines = []
    code = statistics(host, o, warn, lambda line, *_: lines.append(line + "\n"))
    out.write("".join(lines))
    return code


def reports(host, o, warn, code):
    now = host.now()
    rows = []

    def emit(line, section, name, value):
        if section is None:
            warn(line[len("netstat: "):])
        elif name is not None:
            rows.append({"timestamp": now, "section": section, "counter": name,
                         "value": value, "text": line.strip()})

    code[0] = statistics(host, o, warn, emit)
    yield rows


def fields(o):
    from pystat.render import Field

    return [
        Field("section", "", "the /proc section (Ip, Icmp, Tcp, Udp, TcpExt, IpExt, Ip6, ...)"),
        Field("counter", "", "the kernel's counter name (InReceives, ActiveOpens, ...)"),
        Field("value", "count", "its value"),
        Field("text", "", "the line netstat prints for it, without indentation"),
    ]
