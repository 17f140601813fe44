"""The daemons of each lab machine: their config files, command lines and readiness tests."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from homediag.lab import plan, system
from homediag.lab.avahi import (
    DBUS_ADDRESS,
    ServiceRecord,
    avahi_argv,
    dbus_argv,
    write_avahi_dir,
    write_dbus_conf,
)
from homediag.lab.names import LabNames
from homediag.lab.runtime import DaemonSpec, Ready, Runtime
from homediag.lab.scenario import DeviceSpec, Role
from homediag.lab.topology import BRIDGE, CLIENT, INET, ROUTER, WAN, namespaced_devices

SERVERS = "homediag.lab.servers"
UPNP_PORT = 5000
DLNA_PORT = 8200
IPP_BACKEND_PORT = 8631


def _hex(seed: str, n: int) -> str:
    """A stable made-up identifier (serials, UUIDs) derived from ``seed``."""
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


def _uuid(seed: str) -> str:
    h = _hex(seed, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def tcp_ready(port: int) -> Ready:
    """Ready when something listens on TCP ``port`` in the process's namespace."""
    return lambda pid: system.listening(pid, port)


def udp_ready(port: int) -> Ready:
    """Ready when a UDP socket is bound to ``port`` in the process's namespace."""
    return lambda pid: system.listening(pid, port, proto="udp")


def unix_ready(name: str) -> Ready:
    """Ready when the abstract unix socket ``@name`` exists in the process's namespace."""

    def check(pid: int) -> bool:
        return system.file_contains(Path(f"/proc/{pid}/net/unix"), f"@{name}")

    return check


def log_ready(rt: Runtime, name: str, needle: str, count: int = 1) -> Ready:
    """Ready when the process's log shows ``needle`` ``count`` times."""
    log = rt.log(name)

    def check(_pid: int) -> bool:
        try:
            return log.read_text(errors="replace").count(needle) >= count
        except OSError:
            return False

    return check


def all_ready(*checks: Ready) -> Ready:
    """Ready when every check passes."""
    return lambda pid: all(check(pid) for check in checks)


# --- avahi and D-Bus -----------------------------------------------------------------------------


def avahi_specs(
    rt: Runtime, key: str, dev_host: str, services: list[ServiceRecord], *, dbus: bool
) -> list[DaemonSpec]:
    """A device's avahi-daemon (and its system bus when programs there use D-Bus)."""
    directory = rt.dir(f"{key}/avahi")
    write_avahi_dir(directory, host=dev_host, services=services, dbus=dbus)
    name = f"{key}.avahi"
    ready = log_ready(rt, name, "Server startup complete")
    if services:
        ready = all_ready(ready, log_ready(rt, name, "successfully established", len(services)))
    env = {"DBUS_SYSTEM_BUS_ADDRESS": DBUS_ADDRESS} if dbus else None
    after = f"{key}.dbus" if dbus else None
    return [DaemonSpec(name, rt.ns(key), avahi_argv(directory), ready=ready, env=env, after=after)]


def dbus_spec(rt: Runtime, key: str) -> DaemonSpec:
    """The namespace's private system bus."""
    conf = rt.dir(key) / "dbus.conf"
    write_dbus_conf(conf)
    return DaemonSpec(
        f"{key}.dbus",
        rt.ns(key),
        dbus_argv(conf),
        ready=unix_ready(DBUS_ADDRESS.split("=", 1)[1]),
    )


# --- the internet --------------------------------------------------------------------------------


def internet_specs(rt: Runtime) -> list[DaemonSpec]:
    """DNS, HTTP (connectivity checks, Speedtest Mini, public address), STUN, iperf3."""
    ns = rt.ns(INET)
    zone = rt.dir("inet") / "zone.json"
    zone.write_text(
        json.dumps(
            {name: [str(v4) if v4 else None, str(v6) if v6 else None] for name, (v4, v6) in plan.ZONE.items()}
        ),
        encoding="utf-8",
    )
    stun_args: list[str] = []
    for port in plan.STUN_PORTS:
        stun_args += ["--listen", f"{plan.STUN_SERVER}:{port}"]
    return [
        DaemonSpec(
            "inet.dns",
            ns,
            rt.python(
                f"{SERVERS}.dns",
                "--listen",
                str(plan.DNS_SERVER),
                "--slow",
                str(plan.DNS_SLOW_SERVER),
                "--delay",
                str(plan.SLOW_DNS_DELAY_S),
                "--zone",
                str(zone),
            ),
            ready=udp_ready(53),
        ),
        DaemonSpec(
            "inet.web",
            ns,
            rt.python(f"{SERVERS}.internet_web", "--listen", f"{plan.WEB_SERVER}:80"),
            ready=tcp_ready(80),
        ),
        DaemonSpec("inet.stun", ns, rt.python(f"{SERVERS}.stun", *stun_args), ready=udp_ready(3478)),
        DaemonSpec(
            "inet.iperf3",
            ns,
            [
                "iperf3",
                "--server",
                "--bind",
                str(plan.WEB_SERVER),
                "--port",
                str(plan.IPERF_PORT),
            ],
            ready=tcp_ready(plan.IPERF_PORT),
        ),
    ]


# --- the router ----------------------------------------------------------------------------------

DHCP_DNS_MODES = ("normal", "dead-dns", "no-dns")


def write_dhcp_opts(rt: Runtime, mode: str) -> None:
    """The DHCP options dnsmasq re-reads on SIGHUP: which DNS server the LAN is told to use."""
    line = {
        "normal": f"option:dns-server,{rt.plan.router}",
        "dead-dns": f"option:dns-server,{rt.plan.dead_dns}",
        "no-dns": "option:dns-server",
    }[mode]
    (rt.dir("router") / "dhcp-opts").write_text(line + "\n", encoding="utf-8")


def router_specs(rt: Runtime) -> list[DaemonSpec]:
    """dnsmasq (DHCP, DNS forwarding), the admin page (and a Telnet login where the home has one)."""
    directory = rt.dir("router")
    client = rt.scenario.devices["client"]
    lan = rt.plan
    router = rt.profile.router
    write_dhcp_opts(rt, "normal")
    conf = directory / "dnsmasq.conf"
    behaviour = [f"cache-size={150 if router.dns_cache else 0}"]
    if router.dhcp_delay_s:
        behaviour.append(f"dhcp-reply-delay={router.dhcp_delay_s}")
    if not router.dhcp_ping_check:
        behaviour.append("no-ping")
    conf.write_text(
        "\n".join(
            [
                "port=53",
                f"interface={BRIDGE}",
                "bind-interfaces",
                "no-resolv",
                "no-hosts",
                f"server={plan.DNS_SERVER}",
                *behaviour,
                f"domain={lan.domain}",
                f"local=/{lan.domain}/",
                f"address=/{lan.domain}/{lan.router}",
                f"dhcp-range={lan.pool[0]},{lan.pool[1]},{lan.lan.netmask},12h",
                f"dhcp-host={client.mac},{lan.client},{plan.CLIENT_HOSTNAME}",
                *_host_records(rt),
                f"dhcp-option=option:router,{lan.router}",
                f"dhcp-optsfile={directory / 'dhcp-opts'}",
                "dhcp-authoritative",
                f"dhcp-leasefile={directory / 'leases'}",
                f"pid-file={directory / 'dnsmasq.pid'}",
                "log-facility=-",
                "log-dhcp",
                "user=root",
                "group=root",
                "",
            ]
        ),
        encoding="utf-8",
    )
    specs = [
        DaemonSpec(
            "router.dnsmasq",
            rt.ns(ROUTER),
            ["dnsmasq", f"--conf-file={conf}", "--keep-in-foreground"],
            ready=all_ready(udp_ready(53), udp_ready(67)),
        ),
        router_web_spec(rt),
    ]
    if rt.profile.telnet == "router":
        specs.append(telnet_spec(rt, "router", lan.router))
    return specs


def router_web_spec(rt: Runtime) -> DaemonSpec:
    """The router's admin page (its mode from the home; the ``admin-http`` flag file serves it over
    plain HTTP whatever the mode) and the captive portal's page."""
    directory = rt.dir("router")
    cert, key = _router_cert(rt)
    flag = directory / "admin-plain"
    mode = rt.profile.router.admin
    web_args = [
        "--lan-ip",
        str(rt.plan.router),
        "--name",
        rt.scenario.devices["router"].name,
        "--plain-flag",
        str(flag),
        "--mode",
        mode,
    ]
    if cert and key:
        web_args += ["--cert", str(cert), "--key", str(key)]
    ready = [tcp_ready(8080)]
    if mode != "https" or flag.exists():
        ready.append(tcp_ready(80))
    return DaemonSpec(
        "router.web", rt.ns(ROUTER), rt.python(f"{SERVERS}.router_web", *web_args), ready=all_ready(*ready)
    )


def telnet_spec(rt: Runtime, key: str, ip: object) -> DaemonSpec:
    """A Telnet login prompt on port 23 (an old firmware's service left on)."""
    return DaemonSpec(
        f"{key}.telnet",
        rt.ns(key),
        rt.python(f"{SERVERS}.telnet", "--listen", f"{ip}:23"),
        ready=tcp_ready(23),
    )


def _host_records(rt: Runtime) -> list[str]:
    """The router's DNS names its LAN devices, as a home router names its DHCP clients.

    A FRITZ!Box answers ``Annas-iPhone.fritz.box`` (and the reverse lookup) for every device it has
    seen; the lab's devices have fixed addresses, so the names are declared here.
    """
    if rt.profile.names == "default":
        return []  # the devices keep their makers' names, and the router knows none of them
    return [
        f"host-record={dev.hostname}.{rt.plan.domain},{dev.ip}"
        for dev in rt.scenario.present_devices([]).values()
        if dev.role not in (Role.ROUTER, Role.CLIENT)
    ]


def _router_cert(rt: Runtime) -> tuple[Path | None, Path | None]:
    """A self-signed certificate for the router's HTTPS admin page (None without openssl)."""
    if shutil.which("openssl") is None:
        return None, None
    directory = rt.dir("router")
    cert, key = directory / "admin.crt", directory / "admin.key"
    system.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "3650",
            "-subj",
            f"/CN={rt.plan.domain}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ]
    )
    return cert, key


def _router_maker(rt: Runtime) -> str:
    vendor = rt.scenario.devices["router"].vendor
    return {
        "AVM Audiovisuelles Marketing und Computersysteme GmbH": "AVM",
        "TP-LINK TECHNOLOGIES CO.,LTD.": "TP-Link",
    }.get(vendor, vendor.split(",")[0].split(" ")[0])


def upnp_spec(rt: Runtime) -> DaemonSpec:
    """miniupnpd: UPnP IGD and NAT-PMP on the LAN.

    On a public WAN address it learns that address by STUN: the lab's "public" addresses are
    documentation ranges, which miniupnpd would otherwise blank as reserved. Behind a second router
    or carrier NAT it does not: like a router that reports its own WAN address, it must not hide the
    private or shared WAN address behind the address STUN sees (miniupnpd then answers
    GetExternalIPAddress with no address, as it does for every private WAN address).
    """
    directory = rt.dir("router")
    router = rt.scenario.devices["router"]
    stun = not rt.wan_mode().isp_nat
    # A stopped miniupnpd may linger as a zombie until it is reaped, and miniupnpd refuses to start
    # while its PID file names a process that kill(pid, 0) still finds.
    (directory / "miniupnpd.pid").unlink(missing_ok=True)
    conf = directory / "miniupnpd.conf"
    conf.write_text(
        "\n".join(
            [
                f"ext_ifname={WAN}",
                f"listening_ip={BRIDGE}",
                f"http_port={UPNP_PORT}",
                "enable_natpmp=yes",
                "enable_upnp=yes",
                "secure_mode=yes",
                "system_uptime=yes",
                "notify_interval=30",
                f"uuid={_uuid('igd' + router.mac)}",
                f"serial={_hex(router.mac, 12).upper()}",
                f"friendly_name={router.name}",
                f"manufacturer_name={_router_maker(rt)}",
                "manufacturer_url=http://www.example.com/",
                f"model_name={router.model or router.name}",
                f"model_number={router.model.split()[-1] if router.model else 'router'}",
                f"ext_perform_stun={'yes' if stun else 'no'}",
                f"ext_stun_host={plan.STUN_SERVER}",
                f"ext_stun_port={plan.STUN_PORTS[0]}",
                "upnp_table_name=filter",
                "upnp_nat_table_name=filter",
                "upnp_forward_chain=miniupnpd",
                "upnp_nat_chain=prerouting_miniupnpd",
                "upnp_nat_postrouting_chain=postrouting_miniupnpd",
                f"allow 1024-65535 {rt.plan.lan} 1024-65535",
                "deny 0-65535 0.0.0.0/0 0-65535",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return DaemonSpec(
        "router.upnp",
        rt.ns(ROUTER),
        ["miniupnpd", "-f", str(conf), "-d", "-P", str(directory / "miniupnpd.pid")],
        ready=all_ready(tcp_ready(UPNP_PORT), udp_ready(1900)),
    )


# --- the client ----------------------------------------------------------------------------------


def udhcpc_script() -> Path:
    """The DHCP client's event script that ships with homediag."""
    return Path(str(resources.files("homediag.lab") / "files" / "udhcpc.script"))


def lease_file(rt: Runtime) -> Path:
    """Where the client's DHCP script records its last event (``bound``, ``deconfig``...)."""
    return rt.dir("client") / "lease"


def client_specs(rt: Runtime) -> list[DaemonSpec]:
    """The client's system bus, avahi-daemon, DHCP client and print spooler."""
    client = rt.scenario.devices["client"]
    specs = [
        dbus_spec(rt, "client"),
        *avahi_specs(rt, "client", plan.CLIENT_HOSTNAME, [], dbus=True),
        udhcpc_spec(rt, client),
    ]
    if shutil.which("cupsd") is not None:
        specs.append(cups_spec(rt))
    return specs


QUEUE_NAME = "Office"
"""The client's print queue for the scenario's printer."""


def cups_socket(names: LabNames) -> Path:
    """The client spooler's socket (``CUPS_SERVER`` in the client's environment)."""
    return names.run_dir("client") / "cups" / "cups.sock"


def cups_spec(rt: Runtime) -> DaemonSpec:
    """CUPS in the client namespace, as on the technician's laptop: a unix socket only, no browsing."""
    directory = rt.dir("client") / "cups"
    for sub in ("spool", "cache", "state", "log", "ppd"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    socket_path = cups_socket(rt.names)
    socket_path.unlink(missing_ok=True)
    conf = directory / "cupsd.conf"
    conf.write_text(
        "\n".join(
            [
                f"Listen {socket_path}",
                "Browsing Off",
                "BrowseLocalProtocols none",
                "DefaultAuthType None",
                "WebInterface No",
                "LogLevel warn",
                "<Location />",
                "  Order allow,deny",
                "  Allow all",
                "</Location>",
                "<Policy default>",
                "  <Limit All>",
                "    Order deny,allow",
                "  </Limit>",
                "</Policy>",
                "",
            ]
        ),
        encoding="utf-8",
    )
    files = directory / "cups-files.conf"
    files.write_text(
        "\n".join(
            [
                "SystemGroup root",
                f"ServerRoot {directory}",
                f"RequestRoot {directory / 'spool'}",
                f"TempDir {directory / 'spool'}",
                f"CacheDir {directory / 'cache'}",
                f"StateDir {directory / 'state'}",
                f"ErrorLog {directory / 'log' / 'error_log'}",
                f"AccessLog {directory / 'log' / 'access_log'}",
                f"PageLog {directory / 'log' / 'page_log'}",
                "FileDevice No",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return DaemonSpec(
        "client.cupsd",
        rt.ns(CLIENT),
        ["cupsd", "-f", "-c", str(conf), "-s", str(files)],
        ready=lambda _pid: socket_path.exists(),
    )


def set_print_queue(rt: Runtime, address: str) -> None:
    """Point the client's print queue at ``address`` (created on first use; a raw IPP queue)."""
    if not rt.running("client.cupsd"):
        return
    system.run(
        ["lpadmin", "-p", QUEUE_NAME, "-E", "-v", f"ipp://{address}/ipp/print", "-m", "raw"],
        ns=rt.ns(CLIENT),
        env={**os.environ, "CUPS_SERVER": str(cups_socket(rt.names))},
    )


def client_print_queue(rt: Runtime) -> None:
    """The queue the client prints to: the scenario's printer at its address."""
    found = rt.scenario.device(Role.PRINTER)
    if found is not None:
        set_print_queue(rt, str(found[1].ip))


def udhcpc_spec(rt: Runtime, client: DeviceSpec) -> DaemonSpec:
    """udhcpc in the foreground; its script writes the address, route and resolv.conf."""
    lease = lease_file(rt)
    lease.unlink(missing_ok=True)
    return DaemonSpec(
        "client.udhcpc",
        rt.ns(CLIENT),
        [
            "udhcpc",
            "-f",
            "-i",
            "eth0",
            "-s",
            str(udhcpc_script()),
            "-x",
            f"hostname:{plan.CLIENT_HOSTNAME}",
            "-t",
            "3",
            "-T",
            str(dhcp_wait_s(rt)),
            "-A",
            "2",
        ],
        env={
            "HOMEDIAG_LAB_RESOLV": str(rt.names.resolv_conf(CLIENT)),
            "HOMEDIAG_LAB_LEASE": str(lease),
        },
        ready=lambda _pid: system.file_contains(lease, "event=bound"),
        timeout=15.0 + 3 * dhcp_wait_s(rt),
    )


def dhcp_wait_s(rt: Runtime) -> int:
    """How long the client waits for each DHCP answer: a second, or longer than the router takes."""
    router = rt.profile.router
    slow = router.dhcp_delay_s + (3 if router.dhcp_ping_check else 0)
    return 1 if slow == 0 else slow + 2


# --- devices -------------------------------------------------------------------------------------


def device_specs(rt: Runtime) -> list[DaemonSpec]:
    """The daemons of every device that has a namespace of its own."""
    specs: list[DaemonSpec] = []
    for key, dev in namespaced_devices(rt):
        builder = _BUILDERS.get(dev.role)
        if builder is not None:
            specs += builder(rt, key, dev)
    return specs


def _printer(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    ns = rt.ns(key)
    directory = rt.dir(key)
    spool = directory / "spool"
    spool.mkdir(exist_ok=True)
    model = dev.model or dev.name
    maker = _printer_maker(dev)
    uuid = _uuid("printer" + dev.mac)
    host = dev.hostname
    txt = (
        ("txtvers", "1"),
        ("qtotal", "1"),
        ("rp", "ipp/print"),
        ("ty", f"{maker} {model}"),
        ("product", f"({model})"),
        ("usb_MFG", maker),
        ("usb_MDL", model),
        ("note", "Office"),
        ("adminurl", f"http://{host}.local./"),
        ("priority", "25"),
        ("pdl", "application/pdf,image/urf,image/pwg-raster"),
        ("Color", "F"),
        ("Duplex", "T"),
        ("kind", "document"),
        ("PaperMax", "legal-A4"),
        ("URF", "W8,CP1,IS1-4,MT1-3-4-5-8-11,OB10,PQ4,RS300-600,V1.4,DM1"),
        ("TLS", "1.2"),
        ("UUID", uuid),
        ("printer-type", "0x480904E"),
    )
    services = [
        ServiceRecord("_ipp._tcp", 631, dev.name, txt, subtypes=("_universal._sub._ipp._tcp",)),
    ]
    system.nft(
        ns,
        f"""
table inet printer {{
    chain input {{
        type filter hook input priority 0; policy accept;
        iifname "eth0" tcp dport {IPP_BACKEND_PORT} reject with tcp reset
    }}
}}
""",
    )
    env = {"DBUS_SYSTEM_BUS_ADDRESS": DBUS_ADDRESS}
    return [
        dbus_spec(rt, key),
        *avahi_specs(rt, key, host, services, dbus=True),
        DaemonSpec(
            f"{key}.ippeveprinter",
            ns,
            [
                "ippeveprinter",
                "-r",
                "off",
                "-p",
                str(IPP_BACKEND_PORT),
                "-d",
                str(spool),
                "-M",
                maker,
                "-m",
                model,
                "-l",
                "Office",
                "-f",
                "application/pdf,image/pwg-raster,image/urf",
                "-s",
                "30",
                "-2",
                dev.name,
            ],
            env=env,
            ready=tcp_ready(IPP_BACKEND_PORT),
            after=f"{key}.avahi",  # ippeveprinter needs avahi's D-Bus API, even with -r off
        ),
        DaemonSpec(
            f"{key}.ippfront",
            ns,
            rt.python(
                f"{SERVERS}.ipp_front",
                "--listen",
                "0.0.0.0:631",
                "--backend",
                f"127.0.0.1:{IPP_BACKEND_PORT}",
                "--state",
                str(directory / "paused"),
                "--public-host",
                f"{host}.local",
            ),
            ready=tcp_ready(631),
        ),
    ]


def _printer_maker(dev: DeviceSpec) -> str:
    for prefix, maker in (("Brother", "Brother"), ("HP", "HP"), ("Seiko Epson", "EPSON"), ("Canon", "Canon")):
        if dev.vendor.startswith(prefix):
            return maker
    return dev.vendor.split(" ")[0]


def _device_web(rt: Runtime, key: str, spec: Mapping[str, object], ready_port: int) -> DaemonSpec:
    path = rt.dir(key) / "web.json"
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return DaemonSpec(
        f"{key}.web",
        rt.ns(key),
        rt.python(f"{SERVERS}.device_web", "--spec", str(path)),
        ready=tcp_ready(ready_port),
    )


def _cast(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    cast_id = _hex("cast" + dev.mac, 32)
    model = dev.model or "Chromecast"
    txt = (
        ("id", cast_id),
        ("cd", _hex("cd" + dev.mac, 32).upper()),
        ("rm", ""),
        ("ve", "05"),
        ("md", model),
        ("ic", "/setup/icon.png"),
        ("fn", dev.name),
        ("ca", "201221"),
        ("st", "0"),
        ("bs", _hex("bs" + dev.mac, 12).upper()),
        ("nf", "1"),
        ("rs", ""),
    )
    services = [ServiceRecord("_googlecast._tcp", 8009, f"{model}-{cast_id}", txt)]
    eureka = {
        "name": dev.name,
        "build_info": {"cast_build_revision": "1.56.500000", "system_build_number": "500000"},
        "device_info": {
            "manufacturer": "Google Inc.",
            "product_name": model.lower(),
            "mac_address": dev.mac.upper(),
        },
        "net": {"ip_address": str(dev.ip)},
        "ssdp_udn": _uuid("udn" + dev.mac),
        "uptime": 86400.0,
    }
    desc = (
        '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion>"
        f"<URLBase>http://{dev.ip}:8008</URLBase><device>"
        "<deviceType>urn:dial-multiscreen-org:device:dial:1</deviceType>"
        f"<friendlyName>{escape(dev.name)}</friendlyName><manufacturer>Google Inc.</manufacturer>"
        f"<modelName>{model}</modelName><UDN>uuid:{_uuid('udn' + dev.mac)}</UDN>"
        "</device></root>"
    )
    web = {
        "http": [
            {
                "port": 8008,
                "routes": {
                    "/setup/eureka_info": {"type": "application/json", "body": json.dumps(eureka)},
                    "/ssdp/device-desc.xml": {"type": "application/xml", "body": desc},
                },
            }
        ],
        "tcp": [8009],
        # Cast devices also answer DIAL discovery (SSDP), which apps use to find them.
        "ssdp": {
            "ip": str(dev.ip),
            "location": f"http://{dev.ip}:8008/ssdp/device-desc.xml",
            "server": "Linux/3.8.13+, UPnP/1.0, Portable SDK for UPnP devices/1.6.18",
            "uuid": _uuid("udn" + dev.mac),
            "types": [
                "upnp:rootdevice",
                "urn:dial-multiscreen-org:device:dial:1",
                "urn:dial-multiscreen-org:service:dial:1",
            ],
        },
    }
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        _device_web(rt, key, web, 8008),
    ]


def _hue(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    mac_hex = dev.mac.replace(":", "")
    bridge_id = (mac_hex[:6] + "fffe" + mac_hex[6:]).upper()
    model = dev.model or "BSB002"
    uuid = f"2f402f80-da50-11e1-9b23-{mac_hex}"
    services = [
        ServiceRecord(
            "_hue._tcp",
            443,
            f"{dev.name} - {bridge_id[-6:]}",
            (("bridgeid", bridge_id.lower()), ("modelid", model)),
        )
    ]
    config = {
        "name": dev.name,
        "datastoreversion": "163",
        "swversion": "1967054020",
        "apiversion": "1.67.0",
        "mac": dev.mac,
        "bridgeid": bridge_id,
        "factorynew": False,
        "replacesbridgeid": None,
        "modelid": model,
        "starterkitid": "",
    }
    desc = (
        '<?xml version="1.0" encoding="UTF-8" ?><root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion>"
        f"<URLBase>http://{dev.ip}:80/</URLBase><device>"
        "<deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>"
        f"<friendlyName>{escape(dev.name)} ({dev.ip})</friendlyName>"
        "<manufacturer>Signify</manufacturer><manufacturerURL>http://www.philips-hue.com</manufacturerURL>"
        "<modelDescription>Philips hue Personal Wireless Lighting</modelDescription>"
        "<modelName>Philips hue bridge 2015</modelName>"
        f"<modelNumber>{model}</modelNumber><serialNumber>{mac_hex}</serialNumber>"
        f"<UDN>uuid:{uuid}</UDN><presentationURL>index.html</presentationURL></device></root>"
    )
    web = {
        "http": [
            {
                "port": 80,
                "routes": {
                    "/api/config": {"type": "application/json", "body": json.dumps(config)},
                    "/api/nouser/config": {"type": "application/json", "body": json.dumps(config)},
                    "/description.xml": {"type": "text/xml", "body": desc},
                },
            }
        ],
        "tcp": [443],
        "ssdp": {
            "ip": str(dev.ip),
            "location": f"http://{dev.ip}:80/description.xml",
            "server": "Hue/1.0 UPnP/1.0 IpBridge/1.67.0",
            "uuid": uuid,
            "types": ["upnp:rootdevice", "urn:schemas-upnp-org:device:basic:1"],
            "headers": {"hue-bridgeid": bridge_id},
        },
    }
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        _device_web(rt, key, web, 80),
    ]


def _homekit(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    device_id = ":".join(_hex("hap" + dev.mac, 12).upper()[i : i + 2] for i in range(0, 12, 2))
    txt = (
        ("c#", "4"),
        ("ff", "1"),
        ("id", device_id),
        ("md", dev.model or dev.name),
        ("pv", "1.1"),
        ("s#", "1"),
        ("sf", "0"),
        ("ci", "9"),
        ("sh", "q2Z3Ng=="),
    )
    services = [ServiceRecord("_hap._tcp", 8080, dev.name, txt)]
    web = {
        "http": [
            {
                "port": 8080,
                "routes": {},
                "default": {
                    "status": 470,
                    "type": "application/hap+json",
                    "body": '{"status":-70401}',
                },
            }
        ]
    }
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        _device_web(rt, key, web, 8080),
    ]


def _matter(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    fabric = _hex("fabric", 16).upper()
    node = _hex("node" + dev.mac, 16).upper()
    services = [
        ServiceRecord(
            "_matter._tcp",
            5540,
            f"{fabric}-{node}",
            (("SII", "5000"), ("SAI", "300"), ("T", "0")),
            subtypes=(f"_I{fabric}._sub._matter._tcp",),
        )
    ]
    return avahi_specs(rt, key, dev.hostname, services, dbus=False)


def mosquitto_conf(rt: Runtime, key: str, *, anonymous: bool) -> Path:
    """mosquitto's config: a password file in the healthy lab, anonymous access as a fault."""
    directory = rt.dir(key)
    passwd = directory / "mosquitto.passwd"
    if not passwd.exists():
        system.run(["mosquitto_passwd", "-b", "-c", str(passwd), "homeassistant", "lab-secret"])
        passwd.chmod(0o600)
    conf = directory / "mosquitto.conf"
    conf.write_text(
        "\n".join(
            [
                "per_listener_settings false",
                "listener 1883 0.0.0.0",
                f"allow_anonymous {'true' if anonymous else 'false'}",
                f"password_file {passwd}",
                "persistence false",
                "log_dest stderr",
                "user root",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return conf


def mosquitto_spec(rt: Runtime, key: str, *, anonymous: bool) -> DaemonSpec:
    """The MQTT broker."""
    conf = mosquitto_conf(rt, key, anonymous=anonymous)
    return DaemonSpec(f"{key}.mosquitto", rt.ns(key), ["mosquitto", "-c", str(conf)], ready=tcp_ready(1883))


def _mqtt(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    services = [ServiceRecord("_mqtt._tcp", 1883, f"Mosquitto on {dev.name}")]
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        mosquitto_spec(rt, key, anonymous=rt.profile.mqtt_anonymous),
    ]


def _dlna(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    directory = rt.dir(key)
    media = directory / "media"
    media.mkdir(exist_ok=True)
    for name, size in (("Holiday 2023.mp3", 4096), ("Garden.jpg", 2048)):
        path = media / name
        if not path.exists():
            path.write_bytes(b"\0" * size)
    (directory / "db").mkdir(exist_ok=True)
    conf = directory / "minidlna.conf"
    conf.write_text(
        "\n".join(
            [
                f"media_dir={media}",
                f"db_dir={directory / 'db'}",
                f"log_dir={directory}",
                f"friendly_name={dev.name}",
                "network_interface=eth0",
                f"port={DLNA_PORT}",
                "inotify=no",
                "notify_interval=30",
                f"serial={_hex('dlna' + dev.mac, 12)}",
                f"model_name={dev.model or 'Windows Media Connect compatible (MiniDLNA)'}",
                f"uuid={_uuid('dlna' + dev.mac)}",
                "",
            ]
        ),
        encoding="utf-8",
    )
    telnet = [telnet_spec(rt, key, dev.ip)] if rt.profile.telnet == "nas" else []
    return [
        *telnet,
        *avahi_specs(rt, key, dev.hostname, [], dbus=False),
        DaemonSpec(
            f"{key}.minidlna",
            rt.ns(key),
            ["minidlnad", "-f", str(conf), "-P", str(directory / "minidlna.pid"), "-S"],
            ready=all_ready(tcp_ready(DLNA_PORT), udp_ready(1900)),
        ),
    ]


def _hostile(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    """A device that attacks every prober (``homediag.lab.servers.hostile``), announced like any other."""
    markup = '<img src=x onerror="alert(1)">'
    services = [
        ServiceRecord(
            "_ipp._tcp",
            631,
            dev.name,
            (
                ("rp", "ipp/print"),
                ("ty", f"Evil {markup}"),
                ("note", "]]></script><script>alert(2)</script>"),
            ),
        ),
        ServiceRecord(
            "_googlecast._tcp", 8009, f"Chromecast-{_hex('evil', 32)}", (("fn", markup), ("md", "Chromecast"))
        ),
        ServiceRecord(
            "_hue._tcp", 443, "Evil Hue", (("bridgeid", "ffffffffffffffff"), ("modelid", "BSB002"))
        ),
        ServiceRecord("_mqtt._tcp", 1883, "Evil broker"),
    ]
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        DaemonSpec(
            f"{key}.hostile",
            rt.ns(key),
            rt.python(f"{SERVERS}.hostile", "--ip", str(dev.ip)),
            ready=all_ready(tcp_ready(631), tcp_ready(8008), udp_ready(1900)),
        ),
    ]


_BUILDERS = {
    Role.PRINTER: _printer,
    Role.CAST: _cast,
    Role.HUE: _hue,
    Role.HOMEKIT: _homekit,
    Role.MATTER: _matter,
    Role.MQTT: _mqtt,
    Role.DLNA: _dlna,
    Role.HOSTILE: _hostile,
}


def rogue_dhcp_spec(rt: Runtime, key: str) -> DaemonSpec:
    """A second DHCP server on the LAN, handing out its own network."""
    directory = rt.dir(key)
    net = rt.plan.rogue_net()
    gateway = net.network_address + 1
    return DaemonSpec(
        f"{key}.dnsmasq",
        rt.ns(key),
        [
            "dnsmasq",
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--port=0",
            "--interface=eth0",
            "--bind-interfaces",
            f"--dhcp-range={net[100]},{net[150]},255.255.255.0,1h",
            f"--dhcp-option=option:router,{gateway}",
            f"--dhcp-option=option:dns-server,{gateway}",
            f"--dhcp-leasefile={directory / 'leases'}",
            f"--pid-file={directory / 'dnsmasq.pid'}",
            "--log-facility=-",
            "--log-dhcp",
            "--no-ping",
            "--user=root",
            "--group=root",
        ],
        ready=udp_ready(67),
    )


def ra_spec(rt: Runtime) -> DaemonSpec:
    """Router advertisements of a global prefix the router cannot route (``ipv6-broken``)."""
    directory = rt.dir("router")
    return DaemonSpec(
        "router.ra",
        rt.ns(ROUTER),
        [
            "dnsmasq",
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--port=0",
            f"--interface={BRIDGE}",
            "--bind-interfaces",
            "--enable-ra",
            f"--dhcp-range=::,constructor:{BRIDGE},ra-only,64,1h",
            "--ra-param=" + f"{BRIDGE},10,1800",
            f"--pid-file={directory / 'ra.pid'}",
            f"--dhcp-leasefile={directory / 'ra.leases'}",
            "--log-facility=-",
            "--user=root",
            "--group=root",
        ],
        ready=log_ready(rt, "router.ra", "router advertisement on"),
    )
