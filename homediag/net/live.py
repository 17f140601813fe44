"""The live network I/O: one object per protocol of :mod:`homediag.core.io`, from the modules that
speak each protocol. The application layer hands :func:`live_io` to the runner; tests hand a recording
or fakes instead (``homediag.testing``)."""

from __future__ import annotations

from homediag.core.io import DfSocket, EchoSeries, HopResult, ProbeIO
from homediag.net.dns import LiveDns
from homediag.net.echo import raw_icmp
from homediag.net.hops import live_hop
from homediag.net.l2 import LiveL2
from homediag.net.mdns import LiveMdns
from homediag.net.mtu import LiveDfSocket
from homediag.net.reach import LiveTcp
from homediag.net.speedtest import LiveSpeedtest
from homediag.net.udp import LiveUdp


class LiveIcmp:
    """The live side of ``ctx.icmp()``: raw sockets (and, for hops, UDP with the error queue)."""

    async def echo(self, target: str, count: int, interval_s: float, timeout_s: float) -> EchoSeries:
        """Echo requests on a raw socket (:func:`homediag.net.echo.raw_icmp`)."""
        return await raw_icmp(target, count, interval_s, timeout_s)

    async def hop(self, target: str, ttl: int, tries: int, wait_s: float, *, raw: bool) -> HopResult:
        """Who answers at ``ttl`` (:func:`homediag.net.hops.live_hop`)."""
        return await live_hop(target, ttl, tries, wait_s, raw=raw)

    def df_socket(self, target: str) -> DfSocket:
        """A raw socket for DF echoes (:class:`homediag.net.mtu.LiveDfSocket`)."""
        return LiveDfSocket(target)


def live_io() -> ProbeIO:
    """The network as it is."""
    return ProbeIO(
        l2=LiveL2(),
        udp=LiveUdp(),
        dns=LiveDns(),
        mdns=LiveMdns(),
        tcp=LiveTcp(),
        icmp=LiveIcmp(),
        speedtest=LiveSpeedtest(),
    )
