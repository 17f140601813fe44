"""Home profiles: one home network drawn from a seed.

One home is not all homes. ``draw_home(seed)`` draws every dimension a real home varies in:

- the address plan: a /24 in 192.168.x, 10.x or 172.16-31.x, the router at .1, .254 or elsewhere,
  the DHCP pool and the devices at other places;
- the router: its maker and model (a real IEEE OUI, a made-up device part), its admin page (plain
  HTTP, HTTPS only, or HTTP redirecting to HTTPS), DHCP answering at once, after 1-3 s
  (``dhcp-reply-delay``, a busy router) or after dnsmasq's ping check, UPnP IGD on or off, IPv6 on or
  off, a DNS cache or none;
- the provider's path: a public address with a public hop 2, a public address behind a private hop 2
  (common on cable), or carrier-grade NAT; the line's speed; a base round trip (applied with
  ``tc netem`` where the kernel has it);
- the devices: which printer, cast device, NAS, smart-home hubs, MQTT broker (anonymous or not),
  Telnet (on the router, the NAS, or nowhere) and plain hosts exist;
- their names: the maker's default, long, Unicode, with spaces and emoji, and two devices with one name;
- the configuration as a person writes it: the plan's download speed as an integer, or no plan.

Each choice comes from :class:`~homediag.lab.draw.Draw` (a hash of the seed and the choice's label), so
a seed always draws the same home. The classic lab of the shipped scenarios is the profile
:data:`CLASSIC`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Network
from typing import Any

from homediag.core.model import DeviceKind
from homediag.lab import plan
from homediag.lab.draw import Draw, check_seed
from homediag.lab.plan import AddressPlan, HostModel
from homediag.lab.scenario import DeviceSpec, Expect, Role, Scenario, check_devices, generated_hosts

ADMIN_MODES = ("http", "https", "redirect")
"""How the router serves its admin page: over plain HTTP, over HTTPS only, or HTTP redirecting."""
PATHS = ("public", "cable", "cgnat")
"""The provider's path: a public WAN address and hop 2, a public address behind a private hop 2, CGNAT."""
NAME_STYLES = ("default", "plain", "long", "unicode", "emoji")
"""How the devices are named: the maker's default name, a short one, long, Unicode, spaces and emoji."""
TELNET_PLACES = ("none", "router", "nas")


@dataclass(frozen=True)
class RouterModel:
    """A router maker and model."""

    key: str
    vendor: str
    """The IEEE registry's organisation name of ``oui``."""
    oui: str
    name: str
    model: str
    maker: str
    """What its UPnP description says."""
    domain: str
    """Its local DNS domain."""


ROUTERS: tuple[RouterModel, ...] = (
    RouterModel(
        "fritzbox",
        "AVM Audiovisuelles Marketing und Computersysteme GmbH",
        "e8:df:70",
        "FRITZ!Box 7590",
        "FRITZ!Box 7590",
        "AVM",
        "fritz.box",
    ),
    RouterModel(
        "archer", "TP-LINK TECHNOLOGIES CO.,LTD.", "50:c7:bf", "Archer AX55", "Archer AX55", "TP-Link", "lan"
    ),
    RouterModel("netgear", "NETGEAR", "9c:c9:eb", "Nighthawk RAX40", "RAX40", "NETGEAR", "routerlogin.net"),
    RouterModel(
        "asus", "ASUSTek COMPUTER INC.", "00:26:18", "RT-AX58U", "RT-AX58U", "ASUSTeK Computer Inc.", "lan"
    ),
    RouterModel(
        "sagemcom", "Sagemcom Broadband SAS", "b0:5b:99", "Livebox 5", "Livebox 5", "Sagemcom", "home"
    ),
    RouterModel(
        "technicolor",
        "Technicolor Delivery Technologies Belgium NV",
        "e0:b9:e5",
        "Technicolor TG789vac",
        "TG789vac v2",
        "Technicolor",
        "home",
    ),
    RouterModel(
        "compal",
        "Compal Broadband Networks, Inc.",
        "b4:f2:67",
        "Connect Box",
        "CH7465LG",
        "Compal Broadband Networks",
        "home",
    ),
    RouterModel(
        "zyxel", "Zyxel Communications Corporation", "f8:0d:a9", "VMG8825-T50", "VMG8825-T50", "Zyxel", "home"
    ),
)


@dataclass(frozen=True)
class DeviceModel:
    """A device a home may have: its role, kind, maker and model, and its default name."""

    role: Role
    kind: DeviceKind
    vendor: str
    oui: str
    model: str
    default_name: str


PRINTERS = (
    DeviceModel(
        Role.PRINTER,
        DeviceKind.PRINTER,
        "Brother Industries, LTD.",
        "3c:2a:f4",
        "HL-L2350DW series",
        "Brother HL-L2350DW series",
    ),
    DeviceModel(
        Role.PRINTER,
        DeviceKind.PRINTER,
        "HP Inc.",
        "64:4e:d7",
        "OfficeJet Pro 9010",
        "HP OfficeJet Pro 9010 series",
    ),
    DeviceModel(
        Role.PRINTER,
        DeviceKind.PRINTER,
        "Seiko Epson Corporation",
        "a4:d7:3c",
        "ET-2850 Series",
        "EPSON ET-2850 Series",
    ),
)
CASTS = (
    DeviceModel(Role.CAST, DeviceKind.MEDIA, "Google, Inc.", "f4:f5:d8", "Chromecast", "Chromecast"),
    DeviceModel(
        Role.CAST, DeviceKind.MEDIA, "Google, Inc.", "60:70:6c", "Google TV Streamer", "Google TV Streamer"
    ),
)
NASES = (
    DeviceModel(Role.DLNA, DeviceKind.NAS, "Synology Incorporated", "00:11:32", "DS220+", "DiskStation"),
    DeviceModel(Role.DLNA, DeviceKind.NAS, "QNAP Systems, Inc.", "24:5e:be", "TS-233", "NAS5E7A21"),
    DeviceModel(
        Role.DLNA,
        DeviceKind.NAS,
        "Western Digital Technologies, Inc.",
        "00:14:ee",
        "My Cloud EX2",
        "WDMyCloudEX2",
    ),
)
HUES = (
    DeviceModel(Role.HUE, DeviceKind.HUB, "Philips Lighting BV", "00:17:88", "BSB002", "Philips Hue"),
    DeviceModel(Role.HUE, DeviceKind.HUB, "Signify B.V.", "c4:29:96", "BSB002", "Hue Bridge"),
)
HOMEKITS = (
    DeviceModel(Role.HOMEKIT, DeviceKind.IOT, "Netatmo", "70:ee:50", "NTH01", "Netatmo Thermostat"),
    DeviceModel(Role.HOMEKIT, DeviceKind.IOT, "ecobee inc", "44:61:32", "ecobee3 lite", "ecobee3 lite"),
    DeviceModel(
        Role.HOMEKIT, DeviceKind.IOT, "Eve Systems GmbH", "00:0c:6c", "Eve Thermo", "Eve Thermo 20EBP1701"
    ),
)
MATTERS = (
    DeviceModel(
        Role.MATTER,
        DeviceKind.IOT,
        "Chengdu Meross Technology Co., Ltd.",
        "48:e1:e9",
        "MSS315",
        "Meross Smart Plug",
    ),
    DeviceModel(Role.MATTER, DeviceKind.IOT, "Nanoleaf", "80:8a:f7", "NL45", "Nanoleaf Essentials"),
)
BROKERS = (
    DeviceModel(
        Role.MQTT, DeviceKind.HUB, "Raspberry Pi Trading Ltd", "dc:a6:32", "Raspberry Pi 4", "homeassistant"
    ),
    DeviceModel(
        Role.MQTT, DeviceKind.HUB, "Raspberry Pi Trading Ltd", "d8:3a:dd", "Raspberry Pi 5", "openhab"
    ),
)
HOST_MODELS: tuple[HostModel, ...] = (
    *plan.PLAIN_HOST_MODELS,
    HostModel("60:fd:a6", "Apple, Inc.", "phone", "iPhone"),
    HostModel("10:c5:95", "Lenovo", "computer", "ThinkPad"),
    HostModel("34:5e:08", "Roku, Inc", "media", "Roku Express"),
    HostModel("64:1b:2f", "Samsung Electronics Co.,Ltd", "phone", "Galaxy"),
    HostModel("10:06:1c", "Espressif Inc.", "iot", "Light Switch"),
    HostModel("f4:64:12", "Sony Interactive Entertainment Inc.", "unknown", "PS5"),
)
"""Plain hosts of a drawn home (real OUIs; the device part is made up)."""

_SLOTS: tuple[tuple[str, tuple[DeviceModel, ...], float], ...] = (
    ("printer", PRINTERS, 0.7),
    ("tv", CASTS, 0.6),
    ("nas", NASES, 0.45),
    ("hue", HUES, 0.5),
    ("thermo", HOMEKITS, 0.4),
    ("plug", MATTERS, 0.4),
    ("pi", BROKERS, 0.4),
)
"""The namespaced devices a home may have: id, models, chance."""

_NAMES: dict[str, dict[str, str]] = {
    "plain": {
        "printer": "Office Printer",
        "tv": "Living Room TV",
        "nas": "Family NAS",
        "hue": "Hue Bridge",
        "thermo": "Hallway Thermostat",
        "plug": "Kettle Plug",
        "pi": "Home Assistant",
    },
    "long": {
        "printer": "Printer in the small office upstairs, next to the window",
        "tv": "The big television in the living room, left of the fire",
        "nas": "Network storage for the family photos and old backups",
        "hue": "Philips Hue bridge in the hallway cupboard behind router",
        "thermo": "Thermostat in the hallway downstairs by the front door",
        "plug": "Smart plug for the coffee machine in the kitchen corner",
        "pi": "Raspberry Pi with Home Assistant and Mosquitto in attic",
    },
    "unicode": {
        "printer": "Drucker Büro Straße",
        "tv": "Télévision du salon",
        "nas": "Sauvegarde côté séjour",
        "hue": "Lichtsteuerung Küche",
        "thermo": "Thermostat Wohnzimmer Süd",
        "plug": "Prise cafetière",
        "pi": "Hausautomation Größe",
    },
    "emoji": {
        "printer": "Anna's 🖨️ Printer",
        "tv": "📺 Living Room",
        "nas": "💾 Photos & Backups",
        "hue": "💡 Lights",
        "thermo": "🌡️ Heating",
        "plug": "☕ Coffee plug",
        "pi": "🏠 Home Assistant",
    },
}


@dataclass(frozen=True)
class RouterProfile:
    """How the home's router behaves."""

    model: str
    """A :data:`ROUTERS` key."""
    admin: str
    """One of :data:`ADMIN_MODES`."""
    dhcp_delay_s: int
    """Seconds dnsmasq waits before each DHCP reply (``dhcp-reply-delay``; 0: at once)."""
    dhcp_ping_check: bool
    """Whether dnsmasq pings a new address before offering it (its default; the lab's classic router
    has ``no-ping``)."""
    upnp: bool
    ipv6: bool
    dns_cache: bool


@dataclass(frozen=True)
class IspPath:
    """The provider's side of the line."""

    path: str
    """One of :data:`PATHS`."""
    down_mbit: int | None
    """The line's download rate (None: not limited)."""
    up_mbit: int | None
    rtt_ms: int
    """Extra round trip to the internet (``tc netem``; 0: none)."""


@dataclass(frozen=True)
class HomeProfile:
    """Everything about a home but its devices: router, provider, configuration, advisories."""

    router: RouterProfile
    isp: IspPath
    mqtt_anonymous: bool = False
    telnet: str = "none"
    """Where Telnet is offered: one of :data:`TELNET_PLACES`."""
    names: str = "plain"
    """One of :data:`NAME_STYLES`."""
    duplicate_names: bool = False
    download_mbps: int | None = None
    """The plan the configuration names (an integer, as people write it), or None."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def router_model(self) -> RouterModel:
        """The router's maker and model."""
        return next(r for r in ROUTERS if r.key == self.router.model)

    @property
    def wan_mode(self) -> str:
        """The WAN mode the home's path starts in."""
        return self.isp.path

    def config(self) -> dict[str, Any]:
        """The part of the homediag configuration the home adds (the plan, written as a person would)."""
        return {"expect": {"download_mbps": self.download_mbps}} if self.download_mbps is not None else {}


CLASSIC = HomeProfile(
    router=RouterProfile(
        model="fritzbox",
        admin="redirect",
        dhcp_delay_s=0,
        dhcp_ping_check=False,
        upnp=True,
        ipv6=False,
        dns_cache=False,
    ),
    isp=IspPath(path="public", down_mbit=None, up_mbit=None, rtt_ms=0),
)
"""The classic lab's home: the profile of every shipped scenario."""


@dataclass(frozen=True)
class Home:
    """A drawn home: its seed, profile and devices (as a scenario the lab can build)."""

    seed: str
    profile: HomeProfile
    scenario: Scenario

    @property
    def addresses(self) -> AddressPlan:
        """The home's address plan."""
        return self.scenario.addresses

    def to_json(self) -> dict[str, Any]:
        """The drawn home as JSON (saved with the lab state, printed by ``lab up`` and ``lab status``)."""
        a = self.addresses
        return {
            "seed": self.seed,
            "lan": str(a.lan),
            "router_ip": str(a.router),
            "client_ip": str(a.client),
            "dhcp_pool": [str(a.pool[0]), str(a.pool[1])],
            "ipv6_prefix": str(a.lan_v6),
            "domain": a.domain,
            **_plain(asdict(self.profile)),
            "devices": {
                key: {
                    "role": str(dev.role),
                    "kind": str(dev.kind),
                    "vendor": dev.vendor,
                    "ip": str(dev.ip),
                    "mac": dev.mac,
                    "name": dev.name,
                    "model": dev.model,
                }
                for key, dev in self.scenario.devices.items()
            },
        }

    def features(self) -> dict[str, str]:
        """The home's dimensions as short values, for the bench's table per home feature."""
        p = self.profile
        lan = str(self.addresses.lan)
        block = "192.168" if lan.startswith("192.168.") else ("10" if lan.startswith("10.") else "172.16/12")
        roles = {dev.role for dev in self.scenario.devices.values()}
        return {
            "lan": block,
            "router": p.router.model,
            "admin": p.router.admin,
            "dhcp": (
                "ping-check"
                if p.router.dhcp_ping_check
                else ("at-once" if p.router.dhcp_delay_s == 0 else f"delay-{p.router.dhcp_delay_s}s")
            ),
            "upnp": "on" if p.router.upnp else "off",
            "ipv6": "on" if p.router.ipv6 else "off",
            "dns-cache": "on" if p.router.dns_cache else "off",
            "path": p.isp.path,
            "mqtt": "none" if Role.MQTT not in roles else ("anonymous" if p.mqtt_anonymous else "password"),
            "telnet": p.telnet,
            "names": p.names + ("+duplicate" if p.duplicate_names else ""),
            "plan": "none" if p.download_mbps is None else "integer",
            "printer": "yes" if Role.PRINTER in roles else "no",
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "extra"}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# --- drawing -------------------------------------------------------------------------------------


def _lan(d: Draw) -> IPv4Network:
    block = d.weighted("lan/block", [("192.168", 5), ("10", 3), ("172", 2)])
    if block == "192.168":
        third = d.pick("lan/192", (0, 1, 2, 8, 10, 50, 100, 178, 188, 254))
        return IPv4Network(f"192.168.{third}.0/24")
    if block == "10":
        second = d.pick("lan/10/second", (0, 0, 1, 10, 42, 77, 200))
        third = d.pick("lan/10/third", (0, 0, 1, 10, 50, 100))
        return IPv4Network(f"10.{second}.{third}.0/24")
    second = d.between("lan/172/second", 16, 31)
    third = d.pick("lan/172/third", (0, 1, 10, 20, 100))
    return IPv4Network(f"172.{second}.{third}.0/24")


def _addresses(d: Draw, lan: IPv4Network, domain: str, slots: int) -> tuple[AddressPlan, list[IPv4Address]]:
    """The address plan and ``slots`` device addresses, none of them clashing."""
    base = lan.network_address
    router = base + d.weighted("addr/router", [(1, 6), (254, 3), (138, 1)])
    pool_start = d.pick("addr/pool", (20, 50, 100, 150))
    pool = (base + pool_start, base + pool_start + 9)
    if pool[0] <= router <= pool[1]:
        pool = (base + 20, base + 29)
    device_base = d.pick("addr/devices", (10, 60, 200))
    taken = {router, *(pool[0] + i for i in range(10))}
    devices: list[IPv4Address] = []
    offset = device_base
    while len(devices) < slots:
        candidate = base + offset
        offset += 1
        if candidate not in taken:
            devices.append(candidate)
            taken.add(candidate)
    hosts_first = base + d.pick("addr/hosts", (30, 110, 170))

    def free(preferred: int) -> IPv4Address:
        for step in range(250):
            candidate = base + 1 + (preferred - 1 + step) % 253
            if candidate not in taken and not (hosts_first <= candidate < hosts_first + 40):
                taken.add(candidate)
                return candidate
        raise AssertionError("a /24 has room")

    v6 = IPv6Network(f"2001:db8:{d.between('addr/v6', 0x100, 0xFDFF):x}::/64")
    addresses = AddressPlan(
        lan=lan,
        router=router,
        client=pool[0],
        pool=pool,
        dead_dns=free(253),
        moved_from=free(9),
        rogue=free(3),
        hosts_first=hosts_first,
        lan_v6=v6,
        domain=domain,
    )
    return addresses, devices


def _name(style: str, slot: str, model: DeviceModel) -> str:
    if style == "default":
        return model.default_name
    return _NAMES[style][slot]


def _mac(d: Draw, oui: str, index: int) -> str:
    """A MAC with ``oui`` and a made-up device part (its middle byte unique within the home)."""
    first, last = d.between(f"mac/{index}", 0, 255), d.between(f"mac2/{index}", 0, 255)
    return f"{oui}:{first:02x}:{0x40 + index:02x}:{last:02x}"


def draw_home(seed: str) -> Home:
    """The home of ``seed`` (the same home for the same seed, on every machine and every run)."""
    d = Draw(check_seed(seed), "home")
    router_model = d.pick("router/model", ROUTERS)
    profile_router = RouterProfile(
        model=router_model.key,
        admin=d.weighted("router/admin", [("http", 4), ("redirect", 4), ("https", 2)]),
        dhcp_delay_s=d.weighted("router/dhcp-delay", [(0, 5), (1, 1), (2, 1), (3, 1)]),
        dhcp_ping_check=d.chance("router/dhcp-ping", 0.3),
        upnp=d.chance("router/upnp", 0.65),
        ipv6=d.chance("router/ipv6", 0.5),
        dns_cache=d.chance("router/dns-cache", 0.6),
    )
    down = d.pick("isp/down", (30, 50, 100))
    isp = IspPath(
        path=d.weighted("isp/path", [("public", 4), ("cable", 3), ("cgnat", 2)]),
        down_mbit=down,
        up_mbit=max(6, down // 5),
        rtt_ms=d.pick("isp/rtt", (0, 8, 20, 40)),
    )
    chosen = [
        (slot, d.pick(f"dev/{slot}/model", models))
        for slot, models, p in _SLOTS
        if d.chance(f"dev/{slot}", p)
    ]
    names = d.weighted(
        "names/style", [("default", 2), ("plain", 3), ("long", 2), ("unicode", 2), ("emoji", 2)]
    )
    duplicate = len(chosen) >= 2 and d.chance("names/duplicate", 0.3)
    roles = {model.role for _slot, model in chosen}
    telnet_places = ["none", "router"] + (["nas"] if Role.DLNA in roles else [])
    telnet = d.weighted("telnet", [(p, 6 if p == "none" else 2) for p in telnet_places])
    profile = HomeProfile(
        router=profile_router,
        isp=isp,
        mqtt_anonymous=Role.MQTT in roles and d.chance("mqtt/anonymous", 0.4),
        telnet=telnet,
        names=names,
        duplicate_names=duplicate,
        download_mbps=down if d.chance("config/plan", 0.5) else None,
    )
    addresses, slot_ips = _addresses(d, _lan(d), router_model.domain, len(chosen))
    devices: dict[str, DeviceSpec] = {
        "router": DeviceSpec(
            role=Role.ROUTER,
            kind=DeviceKind.ROUTER,
            vendor=router_model.vendor,
            ip=addresses.router,
            mac=_mac(d, router_model.oui, 0),
            name=router_model.name,
            model=router_model.model,
        ),
        "client": DeviceSpec(
            role=Role.CLIENT,
            kind=DeviceKind.COMPUTER,
            vendor="Intel Corporate",
            ip=addresses.client,
            mac=_mac(d, "a0:36:9f", 1),
            name=plan.CLIENT_HOSTNAME,
        ),
    }
    for index, ((slot, model), ip) in enumerate(zip(chosen, slot_ips, strict=True)):
        devices[slot] = DeviceSpec(
            role=model.role,
            kind=model.kind,
            vendor=model.vendor,
            ip=ip,
            mac=_mac(d, model.oui, index + 2),
            name=_name(names, slot, model),
            model=model.model,
        )
    if duplicate:
        first, second = d.sample("names/duplicate-pair", [slot for slot, _m in chosen], 2)
        devices[second] = devices[second].model_copy(update={"name": devices[first].name})
    host_count = d.between("hosts/count", 1, 8)
    models = tuple(d.sample("hosts/models", HOST_MODELS, len(HOST_MODELS)))
    devices.update(
        generated_hosts(
            host_count,
            taken=devices,
            addresses=addresses,
            models=models,
            mac_tag=d.between("hosts/mac", 0, 255),
        )
    )
    name = f"home-{seed}"
    check_devices(name, devices, addresses)
    scenario = Scenario(
        name=name,
        description=f"the home drawn from seed {seed}",
        faults=(),
        complaint=None,
        expect=Expect(),
        devices=devices,
        plain_hosts=host_count,
        addresses=addresses,
    )
    return Home(seed=seed, profile=profile, scenario=scenario)


@dataclass(frozen=True)
class HomeView:
    """What a fault needs to know about a home: its profile and its devices."""

    profile: HomeProfile
    scenario: Scenario

    def has(self, role: Role) -> bool:
        """Whether the home has a device with ``role``."""
        return self.scenario.device(role) is not None
