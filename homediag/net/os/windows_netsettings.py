"""Parse what Windows PowerShell says about the network profile, the firewall and the print spooler:
``Get-NetConnectionProfile``, ``Get-NetFirewallProfile`` and ``Get-Service Spooler``, each piped to
``Format-List``.

Samples::

    Name             : Heimnetz 2
    InterfaceAlias   : WLAN
    InterfaceIndex   : 12
    NetworkCategory  : Public
    IPv4Connectivity : Internet
    IPv6Connectivity : NoTraffic

    Name                  : Public
    Enabled               : True
    DefaultInboundAction  : NotConfigured
    DefaultOutboundAction : NotConfigured

    Name      : Spooler
    Status    : Stopped
    StartType : Automatic

The property names and enum values are .NET names, the same in every Windows language (the
interface alias and the profile name are not: ``WLAN``, ``Ethernet 2``, ``Réseau 3``). PowerShell 5
prints ``True``/``False``, ``NotConfigured`` means the default of the profile (block inbound, allow
outbound). Documented at https://learn.microsoft.com/powershell/module/netconnection/get-netconnectionprofile,
https://learn.microsoft.com/powershell/module/netsecurity/get-netfirewallprofile.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from homediag.net.errors import ParseError
from homediag.net.os._common import check_text, is_blank, parse_int
from homediag.net.os.windows_printers import parse_format_list


class NetworkCategory(StrEnum):
    """The category of a Windows network connection."""

    PUBLIC = "public"
    PRIVATE = "private"
    DOMAIN = "domain"
    UNKNOWN = "unknown"


_CATEGORIES = {
    "public": NetworkCategory.PUBLIC,
    "private": NetworkCategory.PRIVATE,
    "domainauthenticated": NetworkCategory.DOMAIN,
    "0": NetworkCategory.PUBLIC,
    "1": NetworkCategory.PRIVATE,
    "2": NetworkCategory.DOMAIN,
}


@dataclass(frozen=True, slots=True)
class ConnectionProfile:
    """One connected network and the category Windows gave it."""

    name: str | None
    interface_alias: str | None
    interface_index: int | None
    category: NetworkCategory
    ipv4_connectivity: str | None = None
    """``Internet``, ``LocalNetwork``, ``NoTraffic``, ``Disconnected``..."""


def _records(text: str, what: str) -> list[dict[str, str]]:
    check_text(text, what)
    if is_blank(text):
        return []
    records = [r for r in parse_format_list(text) if r]
    if not records:
        raise ParseError(f"{what}: no 'Name : value' record: {text.strip()[:80]!r}")
    return records


def parse_net_connection_profile(text: str) -> tuple[ConnectionProfile, ...]:
    """Parse ``Get-NetConnectionProfile | Format-List``."""
    profiles = []
    for record in _records(text, "Get-NetConnectionProfile"):
        if "NetworkCategory" not in record:
            continue
        category = _CATEGORIES.get(record["NetworkCategory"].strip().casefold(), NetworkCategory.UNKNOWN)
        profiles.append(
            ConnectionProfile(
                name=record.get("Name") or None,
                interface_alias=record.get("InterfaceAlias") or None,
                interface_index=parse_int(record.get("InterfaceIndex")),
                category=category,
                ipv4_connectivity=record.get("IPv4Connectivity") or None,
            )
        )
    if not profiles and not is_blank(text):
        raise ParseError("Get-NetConnectionProfile: no record with a NetworkCategory")
    return tuple(profiles)


@dataclass(frozen=True, slots=True)
class FirewallProfile:
    """One profile of Windows Defender Firewall."""

    name: str
    """``Domain``, ``Private`` or ``Public``."""
    enabled: bool | None
    default_inbound: str | None
    """``Block``, ``Allow`` or ``NotConfigured`` (which blocks)."""

    @property
    def blocks_inbound(self) -> bool:
        """Whether unsolicited inbound traffic is blocked under this profile."""
        return self.enabled is True and (self.default_inbound or "notconfigured").casefold() != "allow"


def _bool(value: str | None) -> bool | None:
    lowered = (value or "").strip().casefold()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    return None


def parse_net_firewall_profile(text: str) -> tuple[FirewallProfile, ...]:
    """Parse ``Get-NetFirewallProfile | Format-List``."""
    profiles = [
        FirewallProfile(
            name=record["Name"].strip(),
            enabled=_bool(record.get("Enabled")),
            default_inbound=record.get("DefaultInboundAction") or None,
        )
        for record in _records(text, "Get-NetFirewallProfile")
        if record.get("Name") and "Enabled" in record
    ]
    if not profiles and not is_blank(text):
        raise ParseError("Get-NetFirewallProfile: no profile with Name and Enabled")
    return tuple(profiles)


@dataclass(frozen=True, slots=True)
class ServiceState:
    """One Windows service."""

    name: str
    status: str
    """``Running``, ``Stopped``, ``StartPending``, ``StopPending``, ``Paused``..."""
    start_type: str | None = None

    @property
    def running(self) -> bool:
        """Whether the service runs."""
        return self.status.casefold() == "running"


def parse_get_service(text: str) -> tuple[ServiceState, ...]:
    """Parse ``Get-Service NAME | Format-List Name,Status,StartType``."""
    services = [
        ServiceState(
            name=record["Name"].strip(), status=record["Status"].strip(), start_type=record.get("StartType")
        )
        for record in _records(text, "Get-Service")
        if record.get("Name") and record.get("Status")
    ]
    if not services and not is_blank(text):
        raise ParseError("Get-Service: no record with Name and Status")
    return tuple(services)
