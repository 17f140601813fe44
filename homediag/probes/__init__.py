"""Built-in probes, listed in one place.

Each entry is ``module:Class``; the registry imports them when a command needs probes, so
``homediag --help`` imports none of them. Third-party probes come from the entry-point group
``homediag.probes.v1`` instead.
"""

BUILTIN_PROBES: tuple[str, ...] = (
    "homediag.probes.net.interfaces:InterfacesProbe",
    "homediag.probes.net.gateway:GatewayProbe",
    "homediag.probes.net.dns:DnsProbe",
    "homediag.probes.net.dhcp:DhcpProbe",
    "homediag.probes.net.arp_conflict:ArpConflictProbe",
    "homediag.probes.net.nat:NatProbe",
    "homediag.probes.discovery.ssdp_devices:SsdpDiscoveryProbe",
    "homediag.probes.net.internet:InternetProbe",
    "homediag.probes.net.mtu:MtuProbe",
    "homediag.probes.net.ipv6:Ipv6Probe",
    "homediag.probes.net.throughput:ThroughputProbe",
    "homediag.probes.wifi.link:WifiLinkProbe",
    "homediag.probes.wifi.neighbours:WifiNeighboursProbe",
)
