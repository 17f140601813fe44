"""The lab's network: namespaces, veth pairs, the router's LAN bridge, addresses, routes, NAT.

Nothing is created in the root namespace: each veth pair is created with both ends already inside lab
namespaces (``ip link add eth0 netns A type veth peer name p-x netns B``), and every address and route
is set inside a lab namespace. Many commands run in one ``ip -batch`` process to keep ``up`` fast.
"""

from __future__ import annotations

from ipaddress import IPv4Address

from homediag.lab import plan, system
from homediag.lab.names import check_ifname
from homediag.lab.plan import AddressPlan, WanMode
from homediag.lab.runtime import Runtime
from homediag.lab.scenario import DeviceSpec, Role

ROUTER = "router"
ISP = "isp"
INET = "inet"
CLIENT = "client"
HOSTS = "hosts"
BRIDGE = "br-lan"
WAN = "wan"
HOSTS_MAC = "02:00:5e:77:00:fe"
"""The MAC of the plain hosts' shared uplink (never a source address: each host has its own)."""

ROUTER_NFT = """
table inet filter {
    chain input {
        type filter hook input priority 0; policy accept;
        iifname "wan" ct state established,related accept
        iifname "wan" icmp type { echo-request, destination-unreachable, time-exceeded } accept
        iifname "wan" icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, echo-request,
            destination-unreachable, packet-too-big, time-exceeded } accept
        iifname "wan" drop
    }
    chain forward {
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        iifname "br-lan" accept
        jump miniupnpd
    }
    chain miniupnpd {
    }
    chain prerouting {
        type nat hook prerouting priority -100; policy accept;
        jump prerouting_miniupnpd
    }
    chain postrouting {
        type nat hook postrouting priority 100; policy accept;
        jump postrouting_miniupnpd
        oifname "wan" meta nfproto ipv4 masquerade
    }
    chain prerouting_miniupnpd {
    }
    chain postrouting_miniupnpd {
    }
}
"""


def port_name(device_id: str) -> str:
    """The router's bridge port towards device ``device_id``."""
    return system_ifname(f"p-{device_id}")


def system_ifname(name: str) -> str:
    """Check an interface name fits the kernel's 15 characters."""
    return check_ifname(name)


def namespaced_devices(rt: Runtime) -> list[tuple[str, DeviceSpec]]:
    """Devices with a namespace of their own (all but the router, the client and plain hosts)."""
    skip = {Role.ROUTER, Role.CLIENT, Role.HOST, Role.IP_CONFLICT, Role.LAN_CONFLICT, Role.ROGUE_DHCP}
    return [(k, d) for k, d in rt.scenario.devices.items() if d.role not in skip]


def build(rt: Runtime) -> None:
    """Create every namespace and link of the lab (daemons are started afterwards)."""
    devices = namespaced_devices(rt)
    roles = [ROUTER, ISP, INET, CLIENT, HOSTS] + [key for key, _ in devices]
    for role in roles:
        _write_resolv(rt, role)
    router, client = rt.ns(ROUTER), rt.ns(CLIENT)
    client_dev = rt.scenario.devices["client"]
    router_dev = rt.scenario.devices["router"]
    lines = [f"netns add {rt.ns(role)}" for role in roles]
    lines += [
        f"link add {WAN} netns {router} type veth peer name cust netns {rt.ns(ISP)}",
        f"link add uplink netns {rt.ns(ISP)} type veth peer name isp netns {rt.ns(INET)}",
        f"link add eth0 netns {client} address {client_dev.mac} type veth"
        f" peer name {port_name('client')} netns {router}",
        f"link add eth0 netns {rt.ns(HOSTS)} address {HOSTS_MAC} type veth"
        f" peer name {port_name('hosts')} netns {router}",
    ]
    lines += [
        f"link add eth0 netns {rt.ns(key)} address {dev.mac} type veth"
        f" peer name {port_name(key)} netns {router}"
        for key, dev in devices
    ]
    system.ip_batch(lines)

    mode = rt.wan_mode()
    lan = rt.plan
    ports = ["client", "hosts"] + [key for key, _ in devices]
    router_lines = [
        "link set lo up",
        f"link add {BRIDGE} address {router_dev.mac} type bridge stp_state 0 mcast_snooping 0",
        f"addr add {lan.router}/{lan.lan.prefixlen} dev {BRIDGE}",
        f"link set {BRIDGE} up",
    ]
    for port in ports:
        router_lines += [
            f"link set {port_name(port)} master {BRIDGE}",
            f"link set {port_name(port)} up",
        ]
    router_lines += [f"addr add {mode.router} dev {WAN}", f"link set {WAN} up", *_router_default(mode)]
    system.ip_batch(router_lines, ns=router)
    system.sysctl(router, {"net.ipv4.ip_forward": 1, "net.ipv4.conf.all.send_redirects": 0})
    system.nft(router, ROUTER_NFT)

    system.ip_batch(
        [
            "link set lo up",
            "link set cust up",
            *_isp_customer(mode, add=True),
            f"addr add {plan.ISP_UP} dev uplink",
            "link set uplink up",
            f"route add default via {plan.INET_DOWN.ip}",
        ],
        ns=rt.ns(ISP),
    )
    system.sysctl(rt.ns(ISP), {"net.ipv4.ip_forward": 1})
    _set_isp_nat(rt, mode)

    inet_addrs = [
        *plan.PING_TARGETS,
        plan.DNS_SERVER,
        plan.DNS_SLOW_SERVER,
        plan.WEB_SERVER,
        plan.STUN_SERVER,
    ]
    system.ip_batch(
        [
            "link set lo up",
            *(f"addr add {a}/32 dev lo" for a in inet_addrs),
            f"addr add {plan.INET_V6}/128 dev lo",
            f"addr add {plan.INET_V6_WEB}/128 dev lo",
            f"addr add {plan.INET_DOWN} dev isp",
            "link set isp up",
            f"route add {plan.PUBLIC_NET} via {plan.ISP_UP.ip}",
        ],
        ns=rt.ns(INET),
    )

    system.ip_batch(["link set lo up", "link set eth0 up"], ns=client)

    for key, dev in devices:
        system.ip_batch(_device_lines(dev.ip, lan), ns=rt.ns(key))

    _build_hosts(rt)
    if rt.profile.router.ipv6:
        build_ipv6(rt)


def _router_default(mode: WanMode) -> list[str]:
    """The router's default route towards the ISP edge in ``mode``."""
    if mode.onlink:
        return [f"route replace default via {mode.isp.ip} dev {WAN} onlink"]
    return [f"route replace default via {mode.isp.ip}"]


def _isp_customer(mode: WanMode, *, add: bool) -> list[str]:
    """The ISP edge's side of the customer link in ``mode`` (added, or removed)."""
    verb = "add" if add else "del"
    lines = [f"addr {verb} {mode.isp} dev cust"]
    if mode.onlink:  # a private /32 hop in front of the customer's public address
        lines.append(f"route {verb} {mode.router.ip}/32 dev cust src {mode.isp.ip}")
    return lines if add else lines[::-1]


def restore_isp_routes(rt: Runtime) -> None:
    """The ISP edge's routes over the customer link, again: taking ``cust`` down deletes them, while
    the addresses (and the routes that come with them) stay."""
    mode = rt.wan_mode()
    lines = [f"route replace {mode.router.ip}/32 dev cust src {mode.isp.ip}"] if mode.onlink else []
    if rt.profile.router.ipv6:
        lines.append(f"route replace {rt.plan.lan_v6} via {rt.plan.router_v6_wan.ip} dev cust")
    system.ip_batch(lines, ns=rt.ns(ISP))


def build_ipv6(rt: Runtime) -> None:
    """IPv6 that works: the router advertises the home's prefix and routes it through the ISP."""
    lan = rt.plan
    system.sysctl(rt.ns(ROUTER), {"net.ipv6.conf.all.forwarding": 1})
    # The ISP's side of the line keeps its IPv6 addresses while ``wan-down`` holds it down (Linux drops
    # them on a link taken down by default); ``restore_isp_routes`` puts the routes back.
    system.sysctl(
        rt.ns(ISP),
        {
            "net.ipv6.conf.all.forwarding": 1,
            "net.ipv6.conf.all.keep_addr_on_down": 1,
            "net.ipv6.conf.cust.keep_addr_on_down": 1,
        },
    )
    system.ip_batch(
        [
            f"addr add {lan.router_v6}/{lan.lan_v6.prefixlen} dev {BRIDGE} nodad",
            f"addr add {lan.router_v6_wan} dev {WAN} nodad",
            f"route add default via {plan.ISP_V6.ip} dev {WAN}",
        ],
        ns=rt.ns(ROUTER),
    )
    system.ip_batch(
        [
            f"addr add {plan.ISP_V6} dev cust nodad",
            f"addr add {plan.ISP_UP_V6} dev uplink nodad",
            f"route add {lan.lan_v6} via {lan.router_v6_wan.ip} dev cust",
            f"route add default via {plan.INET_DOWN_V6.ip} dev uplink",
        ],
        ns=rt.ns(ISP),
    )
    system.ip_batch(
        [
            f"addr add {plan.INET_DOWN_V6} dev isp nodad",
            f"route add {lan.lan_v6} via {plan.ISP_UP_V6.ip} dev isp",
        ],
        ns=rt.ns(INET),
    )


def _device_lines(ip: IPv4Address, lan: AddressPlan) -> list[str]:
    return [
        "link set lo up",
        f"addr add {ip}/{lan.lan.prefixlen} dev eth0",
        "link set eth0 up",
        f"route add default via {lan.router}",
    ]


def _write_resolv(rt: Runtime, role: str) -> None:
    """Give every namespace its own resolv.conf, so nothing in the lab asks the host's resolver."""
    directory = rt.names.netns_etc(role)
    directory.mkdir(parents=True, exist_ok=True)
    if role == CLIENT:
        text = "# homediag lab: written by the client's DHCP client\n"
    elif role in (ROUTER, ISP, INET):
        text = f"nameserver {plan.DNS_SERVER}\n"
    else:
        text = f"nameserver {rt.plan.router}\n"
    (directory / "resolv.conf").write_text(text, encoding="utf-8")


def _build_hosts(rt: Runtime) -> None:
    """Plain hosts: one macvlan each (own MAC and address) in one shared namespace.

    One namespace per host costs a few milliseconds each; macvlans cost a fraction of that, which
    matters for 60 or 200 hosts. ``arp_ignore=1`` makes only the interface holding an address answer
    ARP for it, and a routing rule per source address sends each host's replies out of its own
    interface, so every host answers ARP and ping with its own MAC.
    """
    ns = rt.ns(HOSTS)
    system.sysctl(
        ns,
        {
            "net.ipv4.conf.all.arp_ignore": 1,
            "net.ipv4.conf.default.arp_ignore": 1,
            "net.ipv4.conf.all.arp_announce": 2,
            "net.ipv4.conf.default.arp_announce": 2,
        },
    )
    lines = ["link set lo up", "link set eth0 up"]
    hosts = rt.scenario.by_role(Role.HOST)
    for index, (_key, dev) in enumerate(hosts):
        lines += host_lines(f"h{index + 1}", dev, rt.plan, table=1000 + index)
    system.ip_batch(lines, ns=ns)


def host_lines(ifname: str, dev: DeviceSpec, lan: AddressPlan, *, table: int) -> list[str]:
    """``ip`` batch lines that add one host as a macvlan in the hosts namespace."""
    return [
        f"link add {system_ifname(ifname)} link eth0 address {dev.mac} type macvlan mode private",
        f"addr add {dev.ip}/{lan.lan.prefixlen} dev {ifname} noprefixroute",
        f"link set {ifname} up",
        f"route add {lan.lan} dev {ifname} src {dev.ip} table {table}",
        f"route add default via {lan.router} dev {ifname} table {table}",
        f"rule add from {dev.ip} lookup {table} pref {table}",
    ]


def remove_host_lines(ifname: str, dev: DeviceSpec, *, table: int) -> list[str]:
    """The reverse of ``host_lines``."""
    return [f"rule del from {dev.ip} lookup {table} pref {table}", f"link del {ifname}"]


def add_device_ns(rt: Runtime, key: str, dev: DeviceSpec, *, extra: list[str] | None = None) -> None:
    """Create a device namespace on the LAN bridge after ``up`` (fault devices)."""
    ns = rt.ns(key)
    _write_resolv(rt, key)
    system.ip_batch(
        [
            f"netns add {ns}",
            f"link add eth0 netns {ns} address {dev.mac} type veth"
            f" peer name {port_name(key)} netns {rt.ns(ROUTER)}",
        ]
    )
    system.ip_batch(
        [f"link set {port_name(key)} master {BRIDGE}", f"link set {port_name(key)} up"],
        ns=rt.ns(ROUTER),
    )
    system.ip_batch(_device_lines(dev.ip, rt.plan) + (extra or []), ns=ns)


def remove_device_ns(rt: Runtime, key: str) -> None:
    """Delete a device namespace (its veth pair goes with it)."""
    ns = rt.ns(key)
    system.kill_pids(system.netns_pids(ns))
    system.run(["ip", "netns", "del", ns], check=False)
    _remove_netns_etc(rt, key)


def _remove_netns_etc(rt: Runtime, role: str) -> None:
    directory = rt.names.netns_etc(role)
    for child in directory.glob("*"):
        child.unlink(missing_ok=True)
    if directory.is_dir():
        directory.rmdir()


def set_port(rt: Runtime, device_id: str, *, up: bool) -> None:
    """Plug or unplug a device's cable at the router (its port's link state)."""
    state = "up" if up else "down"
    system.run(["ip", "-n", rt.ns(ROUTER), "link", "set", port_name(device_id), state])
    if up:
        system.wait_links_up([(rt.ns(ROUTER), port_name(device_id)), (rt.ns(device_id), "eth0")])


def set_wan_mode(rt: Runtime, mode_name: str) -> None:
    """Re-address the WAN link: a public address, a second router in front, or carrier NAT."""
    old = rt.wan_mode()
    new = rt.wan_mode(mode_name)
    if old == new:
        return
    # The ISP side first (address and NAT), so no packet leaves un-NATed from the new address.
    system.ip_batch(_isp_customer(old, add=False) + _isp_customer(new, add=True), ns=rt.ns(ISP))
    _set_isp_nat(rt, new, old=old)
    lines = [f"addr del {old.router} dev {WAN}", f"addr add {new.router} dev {WAN}"]
    system.ip_batch(lines + _router_default(new), ns=rt.ns(ROUTER))
    rt.state.wan_mode = mode_name
    rt.save()


def _set_isp_nat(rt: Runtime, mode: plan.WanMode, *, old: plan.WanMode | None = None) -> None:
    ns = rt.ns(ISP)
    if old is not None and old.isp_nat:
        system.run(["nft", "delete", "table", "ip", "ispnat"], ns=ns, check=False)
        system.run(["ip", "addr", "del", f"{plan.PUBLIC_IP}/32", "dev", "lo"], ns=ns, check=False)
    if mode.isp_nat:
        system.run(["ip", "addr", "add", f"{plan.PUBLIC_IP}/32", "dev", "lo"], ns=ns)
        system.nft(
            ns,
            f"""
table ip ispnat {{
    chain postrouting {{
        type nat hook postrouting priority 100; policy accept;
        oifname "uplink" ip saddr {mode.router.network} snat to {plan.PUBLIC_IP}
    }}
}}
""",
        )


def teardown_namespaces(names: list[str]) -> None:
    """Kill every process in the namespaces, then delete them."""
    for ns in names:
        system.kill_pids(system.netns_pids(ns))
    system.ip_batch([f"netns del {ns}" for ns in names])
