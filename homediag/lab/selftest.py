"""The lab's self-test: proves from inside the client, with standard tools, that each fault is
really present and that what it should not break still works.

The tools are the ones a technician would use: ping, dig, curl, avahi-browse, ipptool, arping,
mosquitto_sub, a SOAP call to the router's IGD with curl; plus three small lab tools where no common
command exists (an SSDP search, a STUN query, a DHCP discover that counts servers).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from homediag.core.errors import LabError
from homediag.core.i18n import _
from homediag.lab import plan
from homediag.lab.faults import FAULTS
from homediag.lab.home import CLASSIC, HomeView
from homediag.lab.lab import Lab
from homediag.lab.scenario import DeviceSpec, Role, load_scenario
from homediag.lab.switches import RATE_FAULTS, conflict_target

Probe = Callable[[Lab], tuple[bool, str]]


@dataclass(frozen=True)
class Check:
    """One expectation: a description and the probe that tests it."""

    what: str
    probe: Probe


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check."""

    what: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class FaultResult:
    """All checks of one fault (or of the healthy baseline, fault ``healthy``)."""

    fault: str
    checks: tuple[CheckResult, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return all(c.passed for c in self.checks)


@dataclass(frozen=True)
class SelftestResult:
    """The whole self-test."""

    results: tuple[FaultResult, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        """Whether every fault's checks passed."""
        return all(r.passed for r in self.results)


# --- probes --------------------------------------------------------------------------------------

NET = str(plan.PING_TARGETS[0])
WEB = str(plan.WEB_SERVER)


def _run(lab: Lab, argv: Sequence[str], timeout: float = 30.0) -> tuple[int, str]:
    proc = lab.client_exec(argv, timeout=timeout)
    return proc.returncode, (proc.stdout or "") + (proc.stderr or "")


def _tool(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"homediag.lab.tools.{module}", *args]


def ping(target: str, *, ok: bool = True) -> Check:
    """``target`` answers ping (or, with ``ok=False``, does not).

    Six echoes, one answer is enough: under a loss fault (10 % each way) two echoes both went
    unanswered in about 4 % of the checks; six all go unanswered in about 5 in 100 000.
    """

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(lab, ["ping", "-c", "6", "-i", "0.1", "-W", "1", "-q", target])
        return (rc == 0) == ok, _last(out)

    return Check(f"ping {target} {'answers' if ok else 'fails'}", probe)


def loss(target: str, *, at_least: float | None = None, at_most: float | None = None) -> Check:
    """Packet loss to ``target`` over 60 quick pings is within bounds (percent)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["ping", "-c", "60", "-i", "0.01", "-W", "1", "-q", target])
        match = re.search(r"([\d.]+)% packet loss", out)
        if not match:
            return False, _last(out)
        pct = float(match.group(1))
        good = (at_least is None or pct >= at_least) and (at_most is None or pct <= at_most)
        return good, f"{pct:.0f}% loss"

    bounds = f">= {at_least}%" if at_least is not None else f"<= {at_most}%"
    return Check(f"loss to {target} {bounds}", probe)


def dns(name: str, *, server: str | None = None, ok: bool = True, expect: str = WEB) -> Check:
    """``name`` resolves to ``expect`` (through ``server``, else the client's resolver)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        argv = ["dig", "+time=1", "+tries=1", "+short", name, "A"]
        if server:
            argv.insert(1, f"@{server}")
        rc, out = _run(lab, argv)
        got = expect in out.split()
        return got == ok, out.strip().splitlines()[-1] if out.strip() else f"exit {rc}"

    via = f" via {server}" if server else ""
    return Check(f"DNS {name}{via} {'resolves' if ok else 'fails'}", probe)


def dns_unanswered() -> Check:
    """A name nobody asked before (so no cache holds it) gets no answer through the client's resolver:
    the query times out or fails (a caching router still answers the names it has seen)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        name = f"selftest-{time.monotonic_ns()}.example.org"
        _rc, out = _run(lab, ["dig", "+time=2", "+tries=1", name])
        answered = "status: NOERROR" in out or "status: NXDOMAIN" in out
        return not answered, _status(out)

    return Check("a new name gets no DNS answer", probe)


def nxdomain(name: str) -> Check:
    """A name the internet does not know is NXDOMAIN (not hijacked)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["dig", "+time=2", "+tries=1", name])
        return "status: NXDOMAIN" in out, _status(out)

    return Check(f"DNS {name} is NXDOMAIN", probe)


def dns_slow(name: str, *, min_ms: int) -> Check:
    """Answers take at least ``min_ms`` and still come."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["dig", "+time=3", "+tries=1", name])
        match = re.search(r"Query time: (\d+) msec", out)
        ms = int(match.group(1)) if match else -1
        answered = "status: NOERROR" in out or "status: NXDOMAIN" in out
        return ms >= min_ms and answered, f"{ms} ms"

    return Check(f"DNS {name} takes >= {min_ms} ms", probe)


def resolver(*, expect: str | None) -> Check:
    """The client's resolv.conf names ``expect`` (None: no nameserver at all)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["cat", "/etc/resolv.conf"])
        servers = re.findall(r"^nameserver\s+(\S+)", out, re.MULTILINE)
        return (servers == [expect] if expect else not servers), ",".join(servers) or "none"

    return Check(f"resolver is {expect or 'absent'}", probe)


def http(url: str, *, code: int, contains: str = "") -> Check:
    """``url`` answers ``code`` (and its body contains ``contains``)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(lab, ["curl", "-s", "-k", "-m", "4", "-w", "\n%{http_code}", url])
        body, _, status = out.rpartition("\n")
        good = status.strip().isdigit() and int(status) == code and contains in body
        return good, f"HTTP {status.strip()}" if rc == 0 else f"curl exit {rc}"

    return Check(f"{url} answers {code}", probe)


def https(*, ok: bool = True, min_s: float = 0.0, max_s: float = 1.0) -> Check:
    """curl fetches the HTTPS check page, verifying its certificate against the CA the client trusts
    (no ``-k``), within ``min_s``..``max_s`` seconds; or, with ``ok=False``, gets no TLS connection."""
    url = f"https://{plan.HTTPS_HOST}/"

    def probe(lab: Lab) -> tuple[bool, str]:
        argv = ["curl", "-s", "-o", "/dev/null", "-m", "6", "-w", "%{http_code} %{time_total}", url]
        rc, out = _run(lab, argv)
        status, _, seconds = out.strip().rpartition("\n")[2].partition(" ")
        took = float(seconds) if seconds.replace(".", "", 1).isdigit() else -1.0
        if not ok:
            return rc != 0 and status == "000", f"curl exit {rc}"
        good = rc == 0 and status == "200" and min_s <= took <= max_s
        return good, f"HTTP {status} in {took:.2f} s" if rc == 0 else f"curl exit {rc}"

    what = f"verified HTTPS to {plan.HTTPS_HOST} in {min_s:g}-{max_s:g} s" if ok else "HTTPS blocked"
    return Check(what, probe)


def tls_verified() -> Check:
    """openssl s_client verifies the HTTPS host's chain against the CA the client trusts."""

    def probe(lab: Lab) -> tuple[bool, str]:
        host = plan.HTTPS_HOST
        script = f"openssl s_client -brief -connect {host}:443 -verify_hostname {host} </dev/null"
        _rc, out = _run(lab, ["timeout", "5", "sh", "-c", script])
        return "Verification: OK" in out, "verified" if "Verification: OK" in out else _last(out)

    return Check(f"openssl verifies {plan.HTTPS_HOST}", probe)


def download(
    url: str,
    *,
    min_mbps: float | None = None,
    max_mbps: float | None = None,
    ok: bool = True,
    timeout: int = 8,
) -> Check:
    """A download completes (at a speed within bounds), or with ``ok=False`` stalls."""

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(
            lab,
            ["curl", "-s", "-o", "/dev/null", "-m", str(timeout), "-w", "%{speed_download}", url],
            timeout=timeout + 5,
        )
        try:
            mbps = float(out.strip().splitlines()[-1]) * 8 / 1e6
        except (ValueError, IndexError):
            mbps = 0.0
        if not ok:
            return rc != 0, f"curl exit {rc}"
        good = rc == 0 and (min_mbps is None or mbps >= min_mbps) and (max_mbps is None or mbps <= max_mbps)
        return good, f"{mbps:.1f} Mbit/s (exit {rc})"

    return Check(f"download {url.rsplit('/', 1)[-1]} {'works' if ok else 'stalls'}", probe)


def big_ping(size: int, *, ok: bool) -> Check:
    """A ping of ``size`` bytes with Don't Fragment set gets through (or vanishes)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(lab, ["ping", "-M", "do", "-s", str(size), "-c", "2", "-W", "1", "-q", WEB])
        return (rc == 0) == ok, _last(out)

    return Check(f"DF ping of {size} bytes {'passes' if ok else 'vanishes'}", probe)


def hop2(expect_prefix: str) -> Check:
    """The second hop towards the internet answers from ``expect_prefix``."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["ping", "-c", "1", "-t", "2", "-W", "1", NET])
        match = re.search(r"From (\S+)", out)
        hop = match.group(1) if match else "none"
        return hop.startswith(expect_prefix), f"hop 2 is {hop}"

    return Check(f"hop 2 is in {expect_prefix}*", probe)


def public_ip(expect: str) -> Check:
    """The internet sees the client as ``expect``."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["curl", "-s", "-m", "4", "http://api.ipify.org/"])
        return out.strip() == expect, out.strip()[:40]

    return Check(f"public address is {expect}", probe)


def mdns(service: str, instance: str, *, ok: bool = True) -> Check:
    """avahi-browse (with a fresh cache) finds ``instance`` of ``service``."""

    def probe(lab: Lab) -> tuple[bool, str]:
        lab.restart_client_avahi()
        _rc, out = _run(lab, ["avahi-browse", "-t", "-r", "-p", service], timeout=15)
        found = any(line.startswith("=") and instance in _unescape(line) for line in out.splitlines())
        return found == ok, "found" if found else "not found"

    return Check(f"mDNS {service} {instance!r} {'seen' if ok else 'unseen'}", probe)


def _unescape(line: str) -> str:
    """avahi-browse's ``\\DDD`` escapes (decimal bytes) back to text."""
    raw = re.sub(rb"\\(\d{3})", lambda m: bytes([int(m.group(1))]), line.encode())
    return raw.decode("utf-8", errors="replace")


def ssdp(st: str, location_part: str, *, ok: bool = True) -> Check:
    """An SSDP search for ``st`` gets an answer whose location contains ``location_part``."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, _tool("ssdp_search", "--st", st, "--wait", "1.5"))
        found = any(location_part in line for line in out.splitlines())
        return found == ok, "found" if found else "not found"

    return Check(f"SSDP {st} at {location_part} {'answers' if ok else 'silent'}", probe)


def printer_state(ip: str, expect: str, *, ok: bool = True) -> Check:
    """ipptool reads ``printer-state`` (or, with ``ok=False``, cannot reach the printer)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(
            lab,
            ["ipptool", "-T", "3", "-tv", f"ipp://{ip}:631/ipp/print", "get-printer-attributes.test"],
            timeout=6,
        )
        match = re.search(r"printer-state \(enum\) = (\S+)", out)
        state = match.group(1) if match else None
        if not ok:
            return state is None, f"exit {rc}"
        return state == expect, f"printer-state={state}"

    what = f"printer-state is {expect}" if ok else "printer does not answer IPP"
    return Check(what, probe)


def igd_external_ip(gw: str, expect: str | None) -> Check:
    """The router's IGD answers GetExternalIPAddress with ``expect`` (None: no IGD answers; "": it
    answers without an address, as miniupnpd does for a private WAN address)."""
    body = (
        '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
        '<u:GetExternalIPAddress xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"/>'
        "</s:Body></s:Envelope>"
    )

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(
            lab,
            [
                "curl",
                "-s",
                "-m",
                "3",
                "-H",
                'Content-Type: text/xml; charset="utf-8"',
                "-H",
                'SOAPAction: "urn:schemas-upnp-org:service:WANIPConnection:1#GetExternalIPAddress"',
                "--data",
                body,
                f"http://{gw}:5000/ctl/IPConn",
            ],
        )
        match = re.search(r"<NewExternalIPAddress>([^<]*)<", out)
        got = match.group(1) if match else None
        return got == expect, f"external {got}" if got else f"curl exit {rc}"

    if expect is None:
        what = "no IGD answers"
    elif expect:
        what = f"IGD external address is {expect}"
    else:
        what = "IGD answers without an external address"
    return Check(what, probe)


def stun(*, ok: bool) -> Check:
    """A STUN query to the internet gets an answer (or, with ``ok=False``, none)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(lab, _tool("stun_query", str(plan.STUN_SERVER), str(plan.STUN_PORTS[0])))
        return (rc == 0) == ok, out.strip()[:40] or f"exit {rc}"

    return Check(f"STUN {'answers' if ok else 'blocked'}", probe)


def dhcp_servers(count: int, *, wait_s: float = 2.0) -> Check:
    """A DHCP discover gets offers from ``count`` servers within ``wait_s``."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, _tool("dhcp_offers", "--wait", f"{wait_s:g}"))
        servers = re.findall(r"server=(\S+)", out)
        return len(servers) == count, ",".join(servers) or "none"

    return Check(f"{count} DHCP server(s) answer", probe)


def duplicate(ip: str, *, ok: bool) -> Check:
    """arping's duplicate address detection finds another device on ``ip``."""

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(lab, ["arping", "-D", "-I", "eth0", "-c", "2", "-w", "3", ip])
        dup = rc == 1 and "reply from" in out.lower()
        return dup == ok, _last(out)

    return Check(f"{ip} {'has' if ok else 'has no'} duplicate", probe)


def macs_for(ip: str, *, count: int) -> Check:
    """``count`` distinct MACs answer ARP requests for ``ip``."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["arping", "-I", "eth0", "-c", "2", "-w", "3", ip])
        macs = {
            word.strip("[]").lower() for word in out.split() if word.startswith("[") and word.count(":") == 5
        }
        return len(macs) == count, ", ".join(sorted(macs)) or _last(out)

    return Check(f"{count} MACs answer for {ip}", probe)


def print_queue(address: str) -> Check:
    """The client's CUPS queue prints to ``address``."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["lpstat", "-v"])
        return f"//{address}/" in out, _last(out)

    return Check(f"the print queue prints to {address}", probe)


def client_address(*, ok: bool) -> Check:
    """The client holds an IPv4 address (from DHCP)."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["ip", "-4", "-o", "addr", "show", "dev", "eth0"])
        has = " inet " in out
        return has == ok, out.split()[3] if has else "no address"

    return Check(f"client {'has' if ok else 'has no'} IPv4 address", probe)


def carrier(*, ok: bool) -> Check:
    """The client's interface has a link."""

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["ip", "-o", "link", "show", "dev", "eth0"])
        has = "NO-CARRIER" not in out
        return has == ok, "carrier" if has else "NO-CARRIER"

    return Check(f"client link {'up' if ok else 'down'}", probe)


def ipv6_global(prefix: object, *, ok: bool) -> Check:
    """The client has a global IPv6 address in ``prefix`` from router advertisements."""
    start = str(prefix).split("::", 1)[0] + ":"

    def probe(lab: Lab) -> tuple[bool, str]:
        _rc, out = _run(lab, ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"])
        has = f" {start}" in out
        return has == ok, "global address" if has else "none"

    return Check(f"client {'has' if ok else 'has no'} global IPv6", probe)


def ping6(target: str, *, ok: bool) -> Check:
    """``target`` answers ping over IPv6."""

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(lab, ["ping", "-6", "-c", "1", "-W", "1", target])
        return (rc == 0) == ok, _last(out)

    return Check(f"ping6 {target} {'answers' if ok else 'fails'}", probe)


def telnet(ip: str, *, ok: bool) -> Check:
    """Something accepts connections on ``ip``'s Telnet port."""

    def probe(lab: Lab) -> tuple[bool, str]:
        script = f"exec 3<>/dev/tcp/{ip}/23 && timeout 2 cat <&3 | tr -cd '[:print:]'"
        rc, out = _run(lab, ["timeout", "4", "bash", "-c", script])
        return ("login" in out) == ok, _last(out) or f"exit {rc}"

    return Check(f"Telnet on {ip} {'open' if ok else 'closed'}", probe)


def mqtt_anonymous(ip: str, *, ok: bool) -> Check:
    """An anonymous MQTT client can read ``$SYS`` from the broker."""

    def probe(lab: Lab) -> tuple[bool, str]:
        rc, out = _run(
            lab,
            [
                "mosquitto_sub",
                "-h",
                ip,
                "-t",
                "$SYS/broker/version",
                "-C",
                "1",
                "-W",
                "3",
            ],
        )
        return (rc == 0) == ok, _last(out)

    return Check(f"anonymous MQTT {'accepted' if ok else 'refused'}", probe)


def latency_under_load(*, min_increase_ms: float) -> Check:
    """Ping latency to the internet rises by at least ``min_increase_ms`` during a download."""

    def probe(lab: Lab) -> tuple[bool, str]:
        idle = _avg_rtt(_run(lab, ["ping", "-c", "5", "-i", "0.2", "-q", NET])[1])
        script = (
            f"curl -s -o /dev/null -m 8 http://{WEB}/speedtest/random4000x4000.jpg & "
            f"pid=$!; sleep 2; ping -c 10 -i 0.2 -q {NET}; kill $pid 2>/dev/null; wait"
        )
        loaded = _avg_rtt(_run(lab, ["sh", "-c", script], timeout=20)[1])
        return loaded - idle >= min_increase_ms, f"idle {idle:.0f} ms, loaded {loaded:.0f} ms"

    return Check(f"latency rises >= {min_increase_ms:.0f} ms under load", probe)


def _avg_rtt(out: str) -> float:
    match = re.search(r"= [\d.]+/([\d.]+)/", out)
    return float(match.group(1)) if match else -1.0


def _last(out: str) -> str:
    lines = [line for line in out.strip().splitlines() if line.strip()]
    return lines[-1][:80] if lines else ""


def _status(out: str) -> str:
    match = re.search(r"status: (\w+)", out)
    return match.group(1) if match else "no answer"


# --- expectations --------------------------------------------------------------------------------

BIG = f"http://{WEB}/speedtest/random750x750.jpg"
SMALL = f"http://{WEB}/speedtest/latency.txt"
CHECK_URL = "http://connectivitycheck.gstatic.com/generate_204"


def _ip(found: tuple[str, DeviceSpec] | None) -> str | None:
    return str(found[1].ip) if found is not None else None


def expectations(home: HomeView) -> tuple[tuple[Check, ...], dict[str, tuple[Check, ...]]]:
    """What ``home`` must show when healthy, and for each fault that applies to it, the checks that
    prove the fault is there and what it must not break. Every address comes from the home."""
    sc, profile, lan = home.scenario, home.profile, home.scenario.addresses
    gw, client = str(lan.router), str(lan.client)
    printer = _ip(sc.device(Role.PRINTER))
    host = _ip(sc.device(Role.HOST))
    nas, hue, broker = _ip(sc.device(Role.DLNA)), _ip(sc.device(Role.HUE)), _ip(sc.device(Role.MQTT))
    cast = sc.device(Role.CAST)
    mode = lan.wan_modes()[profile.wan_mode]
    public = str(plan.PUBLIC_IP)
    hop = (
        str(mode.isp.ip) if mode.name == "cable" else {"public": "203.0.113.", "cgnat": "100.80."}[mode.name]
    )
    other = printer or nas or hue or host
    router = profile.router
    dhcp_wait = 2.0 + router.dhcp_delay_s + (3 if router.dhcp_ping_check else 0)
    announced = sc.device(Role.PRINTER) or cast or sc.device(Role.HUE) or sc.device(Role.HOMEKIT)

    healthy: list[Check] = [
        carrier(ok=True),
        client_address(ok=True),
        ping(gw),
        ping(NET),
        resolver(expect=gw),
        dns("example.com"),
        nxdomain("no-such-name.example.org"),
        http(CHECK_URL, code=204),
        public_ip(public),
        hop2(hop),
        stun(ok=True),
        dhcp_servers(1, wait_s=dhcp_wait),
        duplicate(client, ok=False),
        download(BIG, min_mbps=20),
        https(),
        tls_verified(),
        big_ping(1472, ok=True),
        ipv6_global(lan.lan_v6, ok=profile.router.ipv6),
    ]
    if host:
        healthy.append(ping(host))
    if printer:
        dev = sc.devices["printer"]
        healthy += [ping(printer), printer_state(printer, "idle"), mdns("_ipp._tcp", dev.name)]
    if cast:
        healthy.append(mdns("_googlecast._tcp", f"{cast[1].model or 'Chromecast'}-"))
    if nas:
        healthy.append(ssdp("urn:schemas-upnp-org:device:MediaServer:1", ":8200/"))
    if hue:
        healthy.append(ssdp("upnp:rootdevice", hue))
    if profile.router.upnp:
        healthy.append(igd_external_ip(gw, "" if mode.isp_nat else public))
    else:
        healthy.append(igd_external_ip(gw, None))
    admin = {"http": (200, "Password"), "redirect": (301, ""), "https": (0, "")}[profile.router.admin]
    healthy.append(http(f"http://{gw}/", code=admin[0], contains=admin[1]))
    if broker:
        healthy.append(mqtt_anonymous(broker, ok=profile.mqtt_anonymous))
    if profile.telnet != "none":
        healthy.append(telnet(gw if profile.telnet == "router" else str(nas), ok=True))
    else:
        healthy.append(telnet(gw, ok=False))
    if profile.router.ipv6:
        healthy.append(ping6(str(plan.INET_V6), ok=True))

    faults: dict[str, tuple[Check, ...]] = {
        "link-down": (carrier(ok=False), ping(gw, ok=False)),
        "wan-down": (ping(NET, ok=False), ping(gw), dns_unanswered()),
        "dns-down": (
            dns("example.com", server=gw, ok=False),
            ping(NET),
            dns("example.com", server=str(plan.DNS_SERVER)),
        ),
        "dhcp-dead-dns": (
            resolver(expect=str(lan.dead_dns)),
            dns("example.com", ok=False),
            dns("example.com", server=gw),
            ping(NET),
        ),
        "dhcp-no-dns": (
            resolver(expect=None),
            dns("example.com", ok=False),
            client_address(ok=True),
            ping(NET),
        ),
        "dhcp-down": (client_address(ok=False), carrier(ok=True)),
        "lan-loss": (loss(gw, at_least=5), ping(NET)),
        "wan-loss": (loss(NET, at_least=5), loss(gw, at_most=0)),
        "wan-slow": (download(BIG, max_mbps=8), dns("example.com"), ping(gw)),
        # The download first: after the latency check kills its transfer, a second of queue still drains.
        "bufferbloat": (download(BIG, min_mbps=12), latency_under_load(min_increase_ms=100)),
        "upnp-off": (
            ssdp("urn:schemas-upnp-org:device:InternetGatewayDevice:2", ":5000/", ok=False),
            igd_external_ip(gw, None),
            ping(NET),
        ),
        "udp-blocked": (
            stun(ok=False),
            dns("example.com", server=str(plan.DNS_SERVER)),
            http(CHECK_URL, code=204),
        ),
        "client-isolation": (
            *((ping(other, ok=False),) if other else ()),
            ping(gw),
            ping(NET),
        ),
        "double-nat": (
            hop2(str(lan.wan_modes()["double-nat"].isp.ip)),
            *((igd_external_ip(gw, ""),) if profile.router.upnp else ()),
            public_ip(public),
            ping(NET),
        ),
        "cgnat": (
            hop2("100.80."),
            *((igd_external_ip(gw, ""),) if profile.router.upnp else ()),
            public_ip(public),
            ping(NET),
        ),
        "dhcp-rogue": (dhcp_servers(2, wait_s=dhcp_wait), ping(gw)),
        "ip-conflict": (duplicate(client, ok=True),),
        "captive-portal": (
            http(CHECK_URL, code=302),
            http(f"http://{gw}:8080/login", code=200, contains="Hotspot"),
            dns("example.com"),
            ping(NET),
        ),
        "mtu-blackhole": (
            big_ping(1472, ok=False),
            big_ping(1300, ok=True),
            download(BIG, ok=False, timeout=4),
            http(CHECK_URL, code=204),
        ),
        "dns-slow": (dns_slow("no-such-name-selftest.example.org", min_ms=500), ping(NET)),
        "ipv6-broken": (ipv6_global(lan.lan_v6, ok=True), ping6(str(plan.INET_V6), ok=False), ping(NET)),
        "admin-http": (http(f"http://{gw}/", code=200, contains="Password"),),
        "web-blocked": (https(ok=False), http(CHECK_URL, code=204), ping(NET)),
        "web-slow": (https(min_s=plan.SLOW_WEB_DELAY_S, max_s=4.0), download(BIG, min_mbps=20)),
    }
    if printer:
        faults["printer-offline"] = (
            ping(printer, ok=False),
            printer_state(printer, "", ok=False),
            ping(gw),
        )
        faults["printer-paused"] = (printer_state(printer, "stopped"), ping(printer))
        moved = str(lan.moved_from)
        faults["printer-moved"] = (print_queue(moved), ping(printer), ping(moved, ok=False))
    if announced is not None:
        checks: list[Check] = []
        if printer:
            checks += [
                mdns("_ipp._tcp", sc.devices["printer"].name, ok=False),
                printer_state(printer, "idle"),
            ]
        elif cast:
            checks += [mdns("_googlecast._tcp", f"{cast[1].model or 'Chromecast'}-", ok=False)]
        if nas:
            checks += [
                ssdp("urn:schemas-upnp-org:device:MediaServer:1", ":8200/", ok=False),
                http(f"http://{nas}:8200/rootDesc.xml", code=200),
            ]
        faults["multicast-blocked"] = (*checks, ping(str(announced[1].ip)))
    elif profile.router.upnp:
        faults["multicast-blocked"] = (
            ssdp("urn:schemas-upnp-org:device:InternetGatewayDevice:2", ":5000/", ok=False),
            ping(gw),
        )
    target = conflict_target(sc)
    if target is not None:
        faults["lan-ip-conflict"] = (macs_for(str(target[1].ip), count=2), ping(gw))
    if broker:
        faults["mqtt-anonymous"] = (mqtt_anonymous(broker, ok=True), ping(broker))
    applicable = {name for name, fault in FAULTS.items() if fault.unavailable(home) is None}
    return tuple(healthy), {name: checks for name, checks in faults.items() if name in applicable}


def classic_checks() -> tuple[tuple[Check, ...], dict[str, tuple[Check, ...]]]:
    """The expectations of the classic lab's healthy scenario."""
    return expectations(HomeView(CLASSIC, load_scenario("healthy")))


HEALTHY, FAULT_CHECKS = classic_checks()
"""What the classic healthy lab must show, and each fault's checks there."""


def _wait_quiet_line(lab: Lab, limit_s: float = 20.0) -> None:
    """Wait until the internet answers at an idle round trip again: a transfer a rate fault's check
    killed is still being sent for a few seconds, into whatever is checked next."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        out = _run(lab, ["ping", "-n", "-c", "3", "-i", "0.2", "-q", NET], timeout=10)[1]
        if 0 <= _avg_rtt(out) < 20.0:
            return
        time.sleep(0.5)


def run_checks(lab: Lab, name: str, checks: Sequence[Check]) -> FaultResult:
    """Run ``checks`` and time them."""
    start = time.monotonic()
    results = []
    for check in checks:
        try:
            passed, detail = check.probe(lab)
        except LabError as exc:
            passed, detail = False, str(exc)
        results.append(CheckResult(check.what, passed, detail))
    return FaultResult(name, tuple(results), time.monotonic() - start)


def run_selftest(
    lab: Lab,
    faults: Sequence[str] | None = None,
    *,
    progress: Callable[[FaultResult], None] | None = None,
    healthy: bool = True,
) -> SelftestResult:
    """Check the healthy lab, then switch each fault on, check it, and switch it off again.

    The lab must be up; its faults are switched off first and left off at the end.
    """
    if not lab.status().up:
        raise LabError(_("lab {id} is not up").format(id=lab.lab_id))
    healthy_checks, fault_checks = expectations(lab.home)
    names = list(faults) if faults is not None else sorted(fault_checks)
    for name in names:
        if name not in FAULTS:
            raise LabError(_("no self-test for fault {name!r}").format(name=name))
        if name not in fault_checks:
            reason = FAULTS[name].unavailable(lab.home) or "no self-test"
            raise LabError(
                _("fault {name} cannot apply to this home: {reason}").format(name=name, reason=reason)
            )
    start = time.monotonic()
    lab.set_faults([])
    out: list[FaultResult] = []
    if healthy:
        out.append(run_checks(lab, "healthy", healthy_checks))
        if progress:
            progress(out[-1])
    for name in names:
        lab.fault_add(name)
        try:
            out.append(run_checks(lab, name, fault_checks[name]))
        finally:
            lab.fault_remove(name)
            if name in RATE_FAULTS:
                _wait_quiet_line(lab)
        if progress:
            progress(out[-1])
    return SelftestResult(tuple(out), time.monotonic() - start)
