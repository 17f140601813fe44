"""Built-in probes, listed in one place.

Each entry is ``module:Class``; the registry imports them when a command needs probes, so
``homediag --help`` imports none of them. Third-party probes come from the entry-point group
``homediag.probes.v1`` instead.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homediag.core.probe import Probe

BUILTIN_PROBES: tuple[str, ...] = (
    "homediag.probes.net.interfaces:InterfacesProbe",
    "homediag.probes.net.gateway:GatewayProbe",
    "homediag.probes.net.dns:DnsProbe",
    "homediag.probes.net.dhcp:DhcpProbe",
    "homediag.probes.net.arp_conflict:ArpConflictProbe",
    "homediag.probes.net.nat:NatProbe",
    "homediag.probes.net.wan_link:WanLinkProbe",
    "homediag.probes.discovery.ssdp:SsdpDiscoveryProbe",
    "homediag.probes.discovery.arp:ArpSweepProbe",
    "homediag.probes.discovery.mdns:MdnsDiscoveryProbe",
    "homediag.probes.discovery.names:NamesProbe",
    "homediag.probes.discovery.unicast:UnicastDiscoveryProbe",
    "homediag.probes.discovery.inventory:InventoryProbe",
    "homediag.probes.discovery.baseline:BaselineProbe",
    "homediag.probes.net.peers:PeersProbe",
    "homediag.probes.devices.print_queues:PrintQueuesProbe",
    "homediag.probes.devices.printer_ipp:PrinterIppProbe",
    "homediag.probes.devices.printer_summary:PrinterSummaryProbe",
    "homediag.probes.devices.media:MediaProbe",
    "homediag.probes.devices.media_summary:MediaSummaryProbe",
    "homediag.probes.devices.hue:HueProbe",
    "homediag.probes.devices.homekit:HomekitProbe",
    "homediag.probes.devices.matter:MatterProbe",
    "homediag.probes.devices.mqtt:MqttProbe",
    "homediag.probes.devices.smarthome_summary:SmarthomeSummaryProbe",
    "homediag.probes.devices.admin_page:AdminPageProbe",
    "homediag.probes.devices.telnet:TelnetProbe",
    "homediag.probes.devices.security_summary:SecuritySummaryProbe",
    "homediag.probes.net.internet:InternetProbe",
    "homediag.probes.net.mtu:MtuProbe",
    "homediag.probes.net.ipv6:Ipv6Probe",
    "homediag.probes.net.throughput:ThroughputProbe",
    "homediag.probes.wifi.link:WifiLinkProbe",
    "homediag.probes.wifi.neighbours:WifiNeighboursProbe",
    # what the computer itself does (issue 18)
    "homediag.probes.net.vpn:VpnProbe",
    "homediag.probes.net.proxy:ProxyProbe",
    "homediag.probes.net.firewall:FirewallProbe",
    "homediag.probes.net.address_config:AddressConfigProbe",
    "homediag.probes.net.clock:ClockProbe",
    "homediag.probes.devices.print_spooler:PrintSpoolerProbe",
    "homediag.probes.wifi.printer_direct:PrinterDirectProbe",
)


def builtin_probes() -> list[type[Probe]]:
    """Import the built-in probes listed in :data:`BUILTIN_PROBES`."""
    loaded: list[type[Probe]] = []
    for path in BUILTIN_PROBES:
        module_name, _, attr = path.partition(":")
        module = importlib.import_module(module_name)
        loaded.append(getattr(module, attr))
    return loaded
