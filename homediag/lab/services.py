"""The daemons of the home's infrastructure (the internet, the router, the client and its print
spooler): config files, command lines and readiness checks. The devices' daemons are in
:mod:`homediag.lab.devices`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib import resources
from pathlib import Path

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
from homediag.lab.topology import BRIDGE, CLIENT, INET, ROUTER, WAN

SERVERS = "homediag.lab.servers"
UPNP_PORT = 5000


def stable_hex(seed: str, n: int) -> str:
    """A stable made-up identifier (serials, UUIDs) derived from ``seed``."""
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


def stable_uuid(seed: str) -> str:
    """A stable made-up UUID derived from ``seed``."""
    h = stable_hex(seed, 32)
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
    """DNS, HTTP (connectivity checks, Speedtest Mini, public address), HTTPS, STUN, iperf3."""
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
        https_spec(rt),
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


def ca_file(names: LabNames) -> Path:
    """The lab CA's certificate: the client trusts it (``SSL_CERT_FILE``) as a computer trusts the
    public CAs, so the HTTPS checks verify the internet's certificate as they do outside."""
    return names.run_dir("inet") / "ca.crt"


def web_slow_flag(names: LabNames) -> Path:
    """While this file exists (the ``web-slow`` fault) the internet's HTTPS server answers slowly."""
    return names.run_dir("inet") / "web-slow"


def lab_ca(rt: Runtime) -> tuple[Path, Path]:
    """A CA of the lab's own, and the HTTPS check host's certificate signed by it: (cert, key).

    Made with openssl at ``lab up`` (a new key each time, nothing to keep secret). The extensions are
    the ones strict verifiers ask for: a CA with ``basicConstraints`` and ``keyUsage`` critical, a
    server certificate with the host in ``subjectAltName``, ``serverAuth`` and key identifiers.
    """
    directory = rt.dir("inet")
    ca_key, ca_cert = directory / "ca.key", ca_file(rt.names)
    key, csr, cert, ext = (directory / f"web.{kind}" for kind in ("key", "csr", "crt", "ext"))
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca = ["-subj", "/O=homediag lab/CN=homediag lab CA", "-addext", "basicConstraints=critical,CA:TRUE"]
    ca += ["-addext", "keyUsage=critical,keyCertSign,cRLSign", "-days", "3650"]
    system.run(["openssl", "req", "-x509", *ec, *ca, "-keyout", str(ca_key), "-out", str(ca_cert)])
    subject = f"/CN={plan.HTTPS_HOST}"
    system.run(["openssl", "req", *ec, "-subj", subject, "-keyout", str(key), "-out", str(csr)])
    ext.write_text(
        "\n".join(
            [
                "basicConstraints=critical,CA:FALSE",
                "keyUsage=critical,digitalSignature",
                "extendedKeyUsage=serverAuth",
                f"subjectAltName=DNS:{plan.HTTPS_HOST}",
                "subjectKeyIdentifier=hash",
                "authorityKeyIdentifier=keyid",
                "",
            ]
        ),
        encoding="utf-8",
    )
    sign = ["-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial", "-days", "825"]
    system.run(["openssl", "x509", "-req", "-in", str(csr), *sign, "-extfile", str(ext), "-out", str(cert)])
    return cert, key


def https_spec(rt: Runtime) -> DaemonSpec:
    """The internet's HTTPS server (the HTTPS checks' target), its certificate from the lab CA."""
    cert, key = lab_ca(rt)
    args = ["--listen", f"{plan.WEB_SERVER}:{plan.HTTPS_PORT}", "--cert", str(cert), "--key", str(key)]
    args += ["--slow-flag", str(web_slow_flag(rt.names)), "--slow-delay", str(plan.SLOW_WEB_DELAY_S)]
    return DaemonSpec(
        "inet.https",
        rt.ns(INET),
        rt.python(f"{SERVERS}.internet_https", *args),
        ready=tcp_ready(plan.HTTPS_PORT),
    )


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
                f"uuid={stable_uuid('igd' + router.mac)}",
                f"serial={stable_hex(router.mac, 12).upper()}",
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
