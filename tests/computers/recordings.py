"""Whole computers from recordings: Windows (German, English), macOS and Ubuntu with systemd-resolved.

``computer(kind, faults)`` builds a :class:`~homediag.testing.RecordedComputer`. The probes that read
this computer (interfaces, print queues and spooler, VPN, proxy, firewall, address settings, clock)
run for real on recorded command outputs, written from each OS's documented formats with documentation
addresses and fake MACs; the probes that send packets are replayed from measurements (gateway, DNS,
internet, printer discovery) that depend on the faults: a VPN whose tunnel is dead takes the internet
away, a Public profile hides the printer from discovery, and the DNS replay answers only for the
servers it knows, so a run that tested systemd-resolved's stub instead of the servers behind it would
see no answer at all. Faults:

- ``vpn``: a VPN holds the default route and its tunnel is down;
- ``firewall``: Windows marks the home network Public / macOS blocks all incoming / ufw denies;
- ``paused-queue``: the printer's queue is paused on this computer (CUPS disabled, Windows Paused);
- ``slow-dns``: the DNS server behind the stub (Ubuntu) or the configured one takes 850 ms.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from homediag.core.model import Observation
from homediag.core.probe import ProbeContext
from homediag.core.spec import Platform
from homediag.testing import RecordedComputer, RecordedSystem, http_response

FIXTURES = Path(__file__).resolve().parent.parent / "parsers" / "fixtures"
KINDS = ("windows-de", "windows-en", "macos", "ubuntu")
FAULTS = ("vpn", "firewall", "paused-queue", "slow-dns")
GATEWAY = "192.0.2.1"
ADDRESS = "192.0.2.23"
PRINTER = "192.0.2.20"
CHECK_URL = "http://connectivitycheck.gstatic.com/generate_204"
LOCAL_PROBES = frozenset(
    {
        "net.interfaces",
        "devices.print_queues",
        "devices.print_spooler",
        "net.vpn",
        "net.proxy",
        "net.firewall",
        "net.address_config",
        "net.clock",
    }
)
POWERSHELL = ("powershell", "-NoProfile", "-NonInteractive", "-Command")


def fixture(command: str, name: str) -> str:
    return (FIXTURES / command / name).read_text(encoding="utf-8")


# --- Windows ------------------------------------------------------------------------------------
_IPCONFIG = {
    "de": """
Windows-IP-Konfiguration

   Hostname  . . . . . . . . . . . . : laptop
   Primäres DNS-Suffix . . . . . . . :
   Knotentyp . . . . . . . . . . . . : Hybrid
   IP-Routing aktiviert  . . . . . . : Nein
   WINS-Proxy aktiviert  . . . . . . : Nein

Ethernet-Adapter Ethernet:

   Verbindungsspezifisches DNS-Suffix: home.example
   Beschreibung. . . . . . . . . . . : Intel(R) Ethernet Connection I219-V
   Physische Adresse . . . . . . . . : 02-00-5E-00-53-17
   DHCP aktiviert. . . . . . . . . . : Ja
   Autokonfiguration aktiviert . . . : Ja
   IPv4-Adresse  . . . . . . . . . . : 192.0.2.23(Bevorzugt)
   Subnetzmaske  . . . . . . . . . . : 255.255.255.0
   Standardgateway . . . . . . . . . : 192.0.2.1
   DHCP-Server . . . . . . . . . . . : 192.0.2.1
   DNS-Server  . . . . . . . . . . . : 192.0.2.1
   NetBIOS über TCP/IP . . . . . . . : Aktiviert
{vpn}""",
    "en": """
Windows IP Configuration

   Host Name . . . . . . . . . . . . : laptop
   Primary Dns Suffix  . . . . . . . :
   Node Type . . . . . . . . . . . . : Hybrid
   IP Routing Enabled. . . . . . . . : No
   WINS Proxy Enabled. . . . . . . . : No

Ethernet adapter Ethernet:

   Connection-specific DNS Suffix  . : home.example
   Description . . . . . . . . . . . : Intel(R) Ethernet Connection I219-V
   Physical Address. . . . . . . . . : 02-00-5E-00-53-17
   DHCP Enabled. . . . . . . . . . . : Yes
   Autoconfiguration Enabled . . . . : Yes
   IPv4 Address. . . . . . . . . . . : 192.0.2.23(Preferred)
   Subnet Mask . . . . . . . . . . . : 255.255.255.0
   Default Gateway . . . . . . . . . : 192.0.2.1
   DHCP Server . . . . . . . . . . . : 192.0.2.1
   DNS Servers . . . . . . . . . . . : 192.0.2.1
   NetBIOS over Tcpip. . . . . . . . : Enabled
{vpn}""",
}
_IPCONFIG_VPN = {
    "de": """
Unbekannter Adapter Office:

   Verbindungsspezifisches DNS-Suffix:
   Beschreibung. . . . . . . . . . . : WireGuard Tunnel
   Physische Adresse . . . . . . . . :
   DHCP aktiviert. . . . . . . . . . : Nein
   Autokonfiguration aktiviert . . . : Ja
   IPv4-Adresse  . . . . . . . . . . : 198.51.100.2(Bevorzugt)
   Subnetzmaske  . . . . . . . . . . : 255.255.255.255
   Standardgateway . . . . . . . . . : 0.0.0.0
   DNS-Server  . . . . . . . . . . . : 198.51.100.53
   NetBIOS über TCP/IP . . . . . . . : Deaktiviert
""",
    "en": """
Unknown adapter Office:

   Connection-specific DNS Suffix  . :
   Description . . . . . . . . . . . : WireGuard Tunnel
   Physical Address. . . . . . . . . :
   DHCP Enabled. . . . . . . . . . . : No
   Autoconfiguration Enabled . . . . : Yes
   IPv4 Address. . . . . . . . . . . : 198.51.100.2(Preferred)
   Subnet Mask . . . . . . . . . . . : 255.255.255.255
   Default Gateway . . . . . . . . . : 0.0.0.0
   DNS Servers . . . . . . . . . . . : 198.51.100.53
   NetBIOS over Tcpip. . . . . . . . : Disabled
""",
}
_ROUTE_PRINT = {
    "de": ("Schnittstellenliste", "IPv4-Routentabelle", "Aktive Routen:",
           "Netzwerkziel    Netzwerkmaske          Gateway    Schnittstelle Metrik", "Auf Verbindung",
           "Ständige Routen:", "Keine"),
    "en": ("Interface List", "IPv4 Route Table", "Active Routes:",
           "Network Destination        Netmask          Gateway       Interface  Metric", "On-link",
           "Persistent Routes:", "None"),
}  # fmt: skip


def _route_print(lang: str, vpn: bool) -> str:
    iface, table, active, header, onlink, persistent, none = _ROUTE_PRINT[lang]
    rows = [f"          0.0.0.0          0.0.0.0        {GATEWAY}      {ADDRESS}     25"]
    if vpn:
        rows.append(f"          0.0.0.0        128.0.0.0         {onlink}      198.51.100.2      5")
        rows.append(f"        128.0.0.0        128.0.0.0         {onlink}      198.51.100.2      5")
    rows += [
        f"        127.0.0.0        255.0.0.0         {onlink}         127.0.0.1    331",
        f"        192.0.2.0    255.255.255.0         {onlink}      {ADDRESS}    281",
    ]
    wg = "\n 19...........................WireGuard Tunnel" if vpn else ""
    return (
        "===========================================================================\n"
        f"{iface}\n 11...02 00 5e 00 53 17 ......Intel(R) Ethernet Connection I219-V{wg}\n"
        "  1...........................Software Loopback Interface 1\n"
        "===========================================================================\n\n"
        f"{table}\n===========================================================================\n"
        f"{active}\n     {header}\n" + "\n".join(rows) + "\n"
        "===========================================================================\n"
        f"{persistent}\n  {none}\n"
    )


def _get_printer(paused: bool) -> str:
    status = "Paused" if paused else "Normal"
    return (
        "\r\n\r\nName                         : Office Laser\r\nComputerName                 :\r\n"
        "Type                         : Local\r\nPortName                     : 192.0.2.20\r\n"
        "DriverName                   : Microsoft IPP Class Driver\r\n"
        "Shared                       : False\r\n"
        f"Published                    : False\r\nPrinterStatus                : {status}\r\n"
        f"JobCount                     : {2 if paused else 0}\r\n\r\n"
    )


_GET_PRINTER_PORT = (
    "\r\n\r\nName               : 192.0.2.20\r\nDescription        : Standard TCP/IP Port\r\n"
    "PortMonitor        : TCPMON.DLL\r\nPrinterHostAddress : 192.0.2.20\r\nPortNumber         : 9100\r\n"
    "Protocol           : 1\r\nSNMPEnabled        : True\r\n\r\n"
)


def _windows(lang: str, faults: Collection[str]) -> RecordedComputer:
    vpn = "vpn" in faults
    profile = "de-public.txt" if lang == "de" else "en-public.txt"
    if "firewall" not in faults:
        profile = "de-private.txt" if lang == "de" else "fr-private.txt"
    alias = "Ethernet" if "firewall" not in faults else ("WLAN" if lang == "de" else "Wi-Fi")
    profiles = fixture("get-netconnectionprofile", profile).replace(
        "InterfaceAlias   : WLAN" if lang == "de" else "InterfaceAlias   : Wi-Fi",
        f"InterfaceAlias   : {alias}",
    )
    proxy_direct = "de-direct.txt" if lang == "de" else "en-direct.txt"
    commands: dict[tuple[str, ...], str] = {
        ("ipconfig", "/all"): _IPCONFIG[lang].replace("{vpn}", _IPCONFIG_VPN[lang] if vpn else ""),
        ("route", "print", "-4"): _route_print(lang, vpn),
        (*POWERSHELL, "Get-Printer | Format-List"): _get_printer("paused-queue" in faults),
        (*POWERSHELL, "Get-PrinterPort | Format-List"): _GET_PRINTER_PORT,
        (*POWERSHELL, "Get-Service Spooler | Format-List Name,Status,StartType"): fixture(
            "get-service-spooler", "running.txt"
        ),
        (*POWERSHELL, "Get-CimInstance Win32_Printer | Format-List Name,WorkOffline,Default"): fixture(
            "win32-printer", "online.txt"
        ),
        (*POWERSHELL, "Get-NetConnectionProfile | Format-List"): profiles,
        (*POWERSHELL, "Get-NetFirewallProfile | Format-List"): fixture(
            "get-netfirewallprofile", "default-all-on.txt"
        ),
        ("netsh", "winhttp", "show", "proxy"): fixture("netsh-winhttp-proxy", proxy_direct),
        ("reg", "query"): fixture("reg-internet-settings", "no-proxy.txt"),
    }
    system = RecordedSystem(
        addresses={
            "Ethernet": {
                "inet": [{"addr": ADDRESS, "netmask": "255.255.255.0"}],
                "link": [{"addr": "02:00:5e:00:53:17"}],
            }
        },
        default_gateways={"inet": (GATEWAY, "Ethernet")},
    )
    return _computer(Platform.WINDOWS, system, commands, faults, resolvers={"192.0.2.1"})


# --- macOS --------------------------------------------------------------------------------------
_SCUTIL_DNS = f"""DNS configuration

resolver #1
  nameserver[0] : {GATEWAY}
  if_index : 6 (en0)
  flags    : Request A records
  reach    : 0x00020002 (Reachable,Directly Reachable Address)

DNS configuration (for scoped queries)

resolver #1
  nameserver[0] : {GATEWAY}
  if_index : 6 (en0)
  flags    : Scoped, Request A records
  reach    : 0x00020002 (Reachable,Directly Reachable Address)
"""
_LPSTAT_V = f"device for Office_Laser: ipp://{PRINTER}/ipp/print\n"


def _cups_commands(faults: Collection[str]) -> dict[tuple[str, ...], str]:
    paused = "paused-queue" in faults
    queues = (
        fixture("lpstat-p", "en-long.txt")
        if paused
        else (
            "printer Office_Laser is idle.  enabled since Tue 01 Oct 2024 09:12:44 CEST\n"
            "\tDescription: Office Laser\n"
            "\tAlerts: none\n"
        )
    )
    if paused:  # the queue that prints to the printer is the paused one
        queues = queues.replace(
            "printer Office_Laser is idle.  enabled since", "printer Office_Laser disabled since"
        )
        queues = queues.replace(
            "09:12:44 CEST\n\tForm mounted:", "09:12:44 CEST -\n\tPaused\n\tForm mounted:", 1
        )
    return {
        ("lpstat", "-v"): _LPSTAT_V,
        ("lpstat", "-r"): "scheduler is running\n",
        ("lpstat", "-l", "-p"): queues,
        ("lpstat", "-l", "-o"): fixture("lpstat-o", "en-long.txt") if paused else "",
    }


def _macos(faults: Collection[str]) -> RecordedComputer:
    routes = (
        fixture("netstat-rn", "macos-vpn-half-default.txt")
        if "vpn" in faults
        else (
            fixture("netstat-rn", "macos-vpn-half-default.txt")
            .replace("0/1                utun0              USc            6        0   utun0\n", "")
            .replace("128.0/1            utun0              USc            3        0   utun0\n", "")
        )
    )
    commands = {
        ("scutil", "--dns"): _SCUTIL_DNS,
        ("netstat", "-rn"): routes.replace("192.0.2            link#4", "192.0.2            link#6").replace(
            " en0\n", " en0\n"
        ),
        ("scutil", "--nc", "list"): fixture(
            "scutil-nc-list", "wireguard-connected.txt" if "vpn" in faults else "none-connected.txt"
        ),
        ("scutil", "--proxy"): fixture("scutil-proxy", "none.txt"),
        ("/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate"): fixture(
            "socketfilterfw", "global-on.txt"
        ),
        ("/usr/libexec/ApplicationFirewall/socketfilterfw", "--getblockall"): fixture(
            "socketfilterfw", "blockall-on-14.txt" if "firewall" in faults else "blockall-off-13.txt"
        ),
        **_cups_commands(faults),
    }
    system = RecordedSystem(
        addresses={
            "lo0": {"inet": [{"addr": "127.0.0.1", "netmask": "255.0.0.0"}]},
            "en0": {
                "inet": [{"addr": ADDRESS, "netmask": "255.255.255.0"}],
                "link": [{"addr": "02:00:5e:00:53:17"}],
            },
        },
        default_gateways={"inet": (GATEWAY, "en0")},
    )
    return _computer(Platform.MACOS, system, commands, faults, resolvers={"192.0.2.1"})


# --- Ubuntu with systemd-resolved ---------------------------------------------------------------
def _ubuntu(faults: Collection[str]) -> RecordedComputer:
    vpn = "vpn" in faults
    route_get = fixture("ip-route-get", "wireguard.txt" if vpn else "lan.txt").replace("wlp2s0", "enp3s0")
    active = "Kabelgebunden 1:0c6f2d3e-0000-4000-8000-000000000001:802-3-ethernet:enp3s0\n"
    if vpn:
        active += "wg0:0c6f2d3e-0000-4000-8000-000000000002:wireguard:wg0\n"
    resolved = fixture("resolvectl-status", "ubuntu-22.04-wifi.txt").replace("wlp2s0", "enp3s0")
    commands = {
        ("ip", "-j", "addr", "show", "dev", "enp3s0"): (
            '[{"ifindex":2,"ifname":"enp3s0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],'
            '"operstate":"UP","addr_info":[{"family":"inet","local":"192.0.2.23","prefixlen":24}]}]'
        ),
        ("ip", "-4", "route", "show", "default"): f"default via {GATEWAY} dev enp3s0 proto dhcp metric 100\n",
        ("ip", "-o", "route", "get"): route_get,
        ("resolvectl", "status"): resolved,
        ("nmcli", "-t", "-f", "NAME,UUID,TYPE,DEVICE", "connection", "show", "--active"): active,
        ("nmcli", "-t", "-f", "ipv4.method,ipv4.ignore-auto-dns,ipv4.dns", "connection", "show"): (
            "ipv4.method:auto\nipv4.ignore-auto-dns:no\nipv4.dns:\n"
        ),
        ("gsettings", "get", "org.gnome.system.proxy", "mode"): "'none'\n",
        ("ufw", "status", "verbose"): fixture(
            "ufw-status", "active-deny.txt" if "firewall" in faults else "inactive.txt"
        ),
        **_cups_commands(faults),
    }
    system = RecordedSystem(
        addresses={
            "lo": {"inet": [{"addr": "127.0.0.1", "netmask": "255.0.0.0"}]},
            "enp3s0": {
                "inet": [{"addr": ADDRESS, "netmask": "255.255.255.0"}],
                "link": [{"addr": "02:00:5e:00:53:17"}],
            },
        },
        default_gateways={"inet": (GATEWAY, "enp3s0")},
        files={
            "/etc/resolv.conf": fixture("resolv-conf", "systemd-stub.txt"),
            "/sys/class/net/enp3s0/operstate": "up\n",
            "/sys/class/net/enp3s0/carrier": "1\n",
            "/sys/class/net/enp3s0/device/vendor": "0x8086\n",
            "/sys/class/net/lo/operstate": "unknown\n",
        },
        links={"/etc/resolv.conf": "../run/systemd/resolve/stub-resolv.conf"},
    )
    # The stub is never measured: what answers is the server behind it (192.0.2.1 in resolvectl).
    return _computer(Platform.LINUX, system, commands, faults, resolvers={"192.0.2.1", "2001:db8:1::1"})


# --- what the network answers (replays of the probes that send packets) --------------------------
def _computer(
    platform: Platform,
    system: RecordedSystem,
    commands: dict[tuple[str, ...], str],
    faults: Collection[str],
    *,
    resolvers: set[str],
) -> RecordedComputer:
    tunnel_down = "vpn" in faults
    latency = 850.0 if "slow-dns" in faults else 18.0
    known = {} if tunnel_down else dict.fromkeys(resolvers, latency)
    hidden = "firewall" in faults
    date = format_datetime(datetime.now(UTC), usegmt=True)
    return RecordedComputer(
        platform=platform,
        runs=LOCAL_PROBES,
        system=system,
        commands=commands,
        http={CHECK_URL: http_response(CHECK_URL, 204, b"", Date=date)},
        measured={
            "net.gateway": _observations(
                {
                    "gateway.reachable": True,
                    "gateway.loss_pct": 0.0,
                    "gateway.rtt_ms": 2.1,
                    "gateway.jitter_ms": 0.4,
                }
            ),
            "net.dns": _dns(known),
            "net.internet": _observations(_internet(ok=not tunnel_down))
            + [
                Observation(
                    fact="internet.target_loss_pct",
                    value=0.0 if not tunnel_down else 100.0,
                    subject=f"target:{target}",
                    source="recorded",
                )
                for target in ("198.51.100.1", "198.51.100.2")
            ],
            "devices.printer_summary": _observations(
                {
                    "printer.found": not hidden,
                    "printer.announced": not hidden,
                    "printer.reachable": True,
                    "printer.state": "idle",
                    "printer.state_reasons": [],
                    "printer.supply_low": False,
                    "printer.known_silent": False,
                    "printer.queue_address_ok": True,
                    "printer.queue_moved": False,
                }
            ),
            "net.peers": _observations({"lan.peers_reachable": True, "lan.outside_subnet": []}),
            "discovery.unicast": _observations(
                {"lan.multicast_gap": 3 if hidden else 0, "lan.multicast_heard": 0 if hidden else 3}
            ),
        },
    )


def _observations(values: dict[str, object]) -> list[Observation]:
    return [Observation(fact=fact, value=value, source="recorded") for fact, value in values.items()]  # type: ignore[arg-type]


def _internet(*, ok: bool) -> dict[str, object]:
    return {
        "internet.icmp_ok": ok,
        "internet.loss_pct": 0.0 if ok else 100.0,
        "internet.rtt_ms": 14.0 if ok else None,
        "internet.jitter_ms": 1.2 if ok else None,
        "internet.tcp_any_ok": ok,
        "internet.http_any_ok": ok,
        "internet.captive_portal": False if ok else None,
        "internet.udp_ok": ok,
    }


def _dns(known: dict[str, float]) -> object:
    """net.dns on the resolvers the computer's probes found: only the servers in ``known`` answer."""

    def replay(ctx: ProbeContext) -> None:
        resolvers = ctx.fact_as("dns.resolvers", list) or []
        answered: list[float] = []
        for resolver in resolvers:
            subject = f"resolver:{resolver}"
            latency = known.get(str(resolver))
            ctx.observe("dns.resolver_ok", latency is not None, subject=subject)
            ctx.observe("dns.latency_ms", latency, subject=subject)
            ctx.observe("dns.latency_samples_ms", [latency] * 3 if latency else [None] * 3, subject=subject)
            ctx.observe("dns.names_resolved", latency is not None, subject=subject)
            ctx.observe("dns.fake_answer", False if latency is not None else None, subject=subject)
            if latency is not None:
                answered.append(latency)
        ctx.observe("dns.any_ok", bool(answered))
        ctx.observe("dns.best_latency_ms", min(answered) if answered else None)
        ctx.observe("dns.all_names_resolved", bool(answered))
        ctx.observe("dns.answers_agree", True if answered else None)
        ctx.observe("dns.any_fake_answer", False if answered else None)

    return replay


def computer(kind: str, faults: Collection[str] = ()) -> RecordedComputer:
    """The simulated computer ``kind`` (one of :data:`KINDS`) with ``faults`` (of :data:`FAULTS`)."""
    if kind.startswith("windows-"):
        return _windows(kind.removeprefix("windows-"), faults)
    if kind == "macos":
        return _macos(faults)
    if kind == "ubuntu":
        return _ubuntu(faults)
    raise ValueError(kind)
