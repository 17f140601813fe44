"""Every parser entry point returns a result or raises ParseError on any input, and nothing else.

Covers every public ``parse_*`` function of ``homediag/net/os/`` and of the protocol decoders of
``homediag/net/`` (a test fails when one is added without being listed here), the other text helpers
there, the UPnP/SSDP/IPP/DHCP/STUN/mDNS decoders and the endpoint parsers. Inputs are bounded (a few
hundred characters or bytes) and each one feeds every entry point, so that 1 000 cases per entry point
take seconds: random text, "line soup" drawn from every recorded fixture and a list of known
troublemakers (``²``, long digit runs, separators), random bytes, and valid frames with bytes flipped or
cut. ``HOMEDIAG_FUZZ_EXAMPLES`` sets the number of cases (default 1000).
"""

from __future__ import annotations

import importlib
import inspect
import ipaddress
import os
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import homediag.net.os as parsers_package
from homediag.net import arp as arp_frame
from homediag.net import dhcp as dhcp_offer
from homediag.net import dns, dnssd, ipp, mdns, reach, stun
from homediag.net import netbios as nbstat
from homediag.net.errors import ParseError
from homediag.net.os import (
    _common,
    _iw_common,
    _wifi_common,
    _windows_labels,
    airport,
    arp_a,
    df_ping,
    dhcp_leases,
    ip_addr,
    ip_neigh,
    ip_route,
    ipconfig,
    iw_info,
    iw_link,
    iw_scan,
    iw_station,
    iwconfig,
    lpstat,
    netsh_wlan,
    netstat_rn,
    nmcli_dev_show,
    nmcli_wifi,
    ping,
    proc_net_arp,
    resolv_conf,
    route_print,
    scutil_dns,
    system_profiler_airport,
    wdutil,
    wifi_types,
    windows_printers,
)
from homediag.net.upnp import description as upnp_description
from homediag.net.upnp import igd, ssdp
from homediag.net.upnp.safe_xml import parse_capped

DECODER_MODULES = {
    "arp_frame": arp_frame, "dhcp_offer": dhcp_offer, "ipp": ipp, "nbstat": nbstat, "stun": stun,
}  # fmt: skip
"""The protocol decoders that lived beside the OS parsers: every public function is listed too."""

EXAMPLES = int(os.environ.get("HOMEDIAG_FUZZ_EXAMPLES", "1000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # speed is measured by benchmarks/, not by timed assertions
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FIXTURES = Path(__file__).parent / "fixtures"
SENDER = ipaddress.IPv4Address("192.0.2.1")
XID = 0x12345678
TID = bytes(range(12))
LOCATION = "http://192.0.2.1:5000/desc.xml"

TEXT_ENTRY_POINTS: dict[str, Callable[[str], object]] = {
    # homediag/net/os: every public parse_* function
    "airport.parse_airport_info": airport.parse_airport_info,
    "airport.parse_airport_scan": airport.parse_airport_scan,
    "arp_a.parse_arp_a": arp_a.parse_arp_a,
    "df_ping.parse_df_ping": df_ping.parse_df_ping,
    "dhcp_leases.parse_dhclient_leases": dhcp_leases.parse_dhclient_leases,
    "dhcp_leases.parse_dnsmasq_leases": dhcp_leases.parse_dnsmasq_leases,
    "dhcp_leases.parse_networkd_lease": dhcp_leases.parse_networkd_lease,
    "dhcp_leases.parse_networkmanager_lease": dhcp_leases.parse_networkmanager_lease,
    "ip_addr.parse_ip_addr": ip_addr.parse_ip_addr,
    "ip_addr.parse_ip_addr_json": ip_addr.parse_ip_addr_json,
    "ip_neigh.parse_ip_neigh": ip_neigh.parse_ip_neigh,
    "ip_route.parse_ip_route": ip_route.parse_ip_route,
    "ip_route.parse_ip_route_json": ip_route.parse_ip_route_json,
    "ipconfig.parse_ipconfig": ipconfig.parse_ipconfig,
    "ipconfig.parse_lease_date": ipconfig.parse_lease_date,
    "iw_info.parse_iw_info": iw_info.parse_iw_info,
    "iw_link.parse_iw_link": iw_link.parse_iw_link,
    "iw_scan.parse_iw_scan": iw_scan.parse_iw_scan,
    "iw_station.parse_iw_station_dump": iw_station.parse_iw_station_dump,
    "iwconfig.parse_iwconfig": iwconfig.parse_iwconfig,
    "lpstat.parse_lpstat_v": lpstat.parse_lpstat_v,
    "netsh_wlan.parse_netsh_interfaces": netsh_wlan.parse_netsh_interfaces,
    "netsh_wlan.parse_netsh_networks": netsh_wlan.parse_netsh_networks,
    "netstat_rn.parse_netstat_rn": netstat_rn.parse_netstat_rn,
    "nmcli_dev_show.parse_nmcli_dev_show": nmcli_dev_show.parse_nmcli_dev_show,
    "nmcli_wifi.parse_nmcli_wifi_list": nmcli_wifi.parse_nmcli_wifi_list,
    "ping.parse_ping": ping.parse_ping,
    "proc_net_arp.parse_proc_net_arp": proc_net_arp.parse_proc_net_arp,
    "resolv_conf.parse_resolv_conf": resolv_conf.parse_resolv_conf,
    "route_print.parse_route_print": route_print.parse_route_print,
    "scutil_dns.parse_scutil_dns": scutil_dns.parse_scutil_dns,
    "system_profiler_airport.parse_system_profiler_airport": (
        system_profiler_airport.parse_system_profiler_airport
    ),
    "wdutil.parse_wdutil_info": wdutil.parse_wdutil_info,
    "windows_printers.parse_format_list": windows_printers.parse_format_list,
    "windows_printers.parse_get_printer": windows_printers.parse_get_printer,
    "windows_printers.parse_get_printer_port": windows_printers.parse_get_printer_port,
    "_common.parse_int": _common.parse_int,
    "_common.parse_ip": _common.parse_ip,
    "_common.parse_ipv4": _common.parse_ipv4,
    "_common.parse_ipv6": _common.parse_ipv6,
    "_common.parse_network": _common.parse_network,
    "_common.parse_interface": _common.parse_interface,
    "_common.parse_port": _common.parse_port,
    "_iw_common.parse_bitrate": _iw_common.parse_bitrate,
    "wifi_types.parse_phy_mode": wifi_types.parse_phy_mode,
    # the other text helpers of homediag/net/os
    "_common.normalise_mac": _common.normalise_mac,
    "_common.text_or_none": _common.text_or_none,
    "_common.load_json_array": lambda text: _common.load_json_array(text, "fuzz"),
    "_iw_common.unescape_ssid": _iw_common.unescape_ssid,
    "_wifi_common.first_int": _wifi_common.first_int,
    "_wifi_common.first_number": _wifi_common.first_number,
    "_wifi_common.security_from_words": _wifi_common.security_from_words,
    "_windows_labels.label_key": _windows_labels.label_key,
    "lpstat.split_uri": lpstat.split_uri,
    "netstat_rn.bsd_destination": lambda text: [netstat_rn.bsd_destination(text, f) for f in (4, 6)],
    "nmcli_wifi.split_terse": nmcli_wifi.split_terse,
    "wifi_types.band_from_label": wifi_types.band_from_label,
    "wifi_types.clean_ssid": wifi_types.clean_ssid,
    "wifi_types.normalise_label": wifi_types.normalise_label,
    "wifi_types.normalise_mac": wifi_types.normalise_mac,
    "wifi_types.is_redacted": wifi_types.is_redacted,
    # mDNS names, endpoint parsers
    "mdns.instance_label": lambda text: mdns.instance_label(text, "_ipp._tcp.local."),
    "mdns.is_service_type": mdns.is_service_type,
    "mdns.model_of": lambda text: mdns.model_of({"md": text, "ty": text}),
    "dns.parse_server": dns.parse_server,
    "reach.parse_endpoint": lambda text: reach.parse_endpoint(text, 443),
    "reach.url_endpoint": reach.url_endpoint,
}  # fmt: skip

LAN = ipaddress.IPv4Network("192.0.2.0/24")
BYTES_ENTRY_POINTS: dict[str, Callable[[bytes], object]] = {
    "arp_frame.parse_arp_frame": arp_frame.parse_arp_frame,
    "arp_frame.arp_offset": arp_frame.arp_offset,
    "arp_frame.claims": lambda data: arp_frame.claims(data, SENDER),
    "arp_frame.is_reply_in": lambda data: arp_frame.is_reply_in(data, LAN),
    "dhcp_offer.parse_dhcp_offer": dhcp_offer.parse_dhcp_offer,
    "arp_frame.reply_sender": lambda data: arp_frame.reply_sender(data, LAN),
    "dhcp_offer.is_dhcp_reply": lambda data: dhcp_offer.is_dhcp_reply(data, XID),
    "dhcp_offer.reply_source": dhcp_offer.reply_source,
    "ipp.parse_response": ipp.parse_response,
    "ipp.decode_value": lambda data: [ipp.decode_value(tag, data[1:]) for tag in (data[:1] or b"\x21")],
    "nbstat.parse_node_status": nbstat.parse_node_status,
    "stun.parse_binding_response": lambda data: stun.parse_binding_response(data, TID),
    "stun.request_transaction_id": stun.request_transaction_id,
    "ssdp.parse_response": lambda data: ssdp.parse_response(data, SENDER),
    "safe_xml.parse_capped": parse_capped,
    "upnp_description.parse_description": lambda data: upnp_description.parse_description(data, LOCATION),
    "igd.parse_external_ip_response": igd.parse_external_ip_response,
    "igd.parse_action_response": lambda data: igd.parse_action_response(data, "GetStatusInfo"),
    "mdns.decode_txt": lambda data: mdns.decode_txt(dict(i.partition(b"=")[::2] for i in data.split(b"\0"))),
    "dnssd.read_answer": lambda data: dnssd.read_answer(data, dnssd.DnssdAnswer()),
}  # fmt: skip

NOT_ENTRY_POINTS = {
    # builders and helpers that take no untrusted input
    "_common.check_text", "_common.interface_from_mask", "_common.is_blank", "_common.iter_lines",
    "_iw_common.best_rate", "_iw_common.legacy_mode", "_wifi_common.check_text", "_wifi_common.plausible_dbm",
    "_wifi_common.security_from_akms", "arp_frame.is_arp", "arp_frame.build_arp_request",
    "arp_frame.arp_frames", "arp_frame.macs_speaking_for", "arp_frame.sweep_targets", "arp_frame.collect",
    "arp_frame.duplicates", "dhcp_offer.probe_client_mac", "dhcp_offer.build_discover",
    "dhcp_offer.offers_from", "nbstat.netbios_names", "dhcp_leases.latest_by_interface",
    "ip_route.default_route_hops", "ip_route.default_routes", "ipp.build_get_printer_attributes",
    "nbstat.build_request", "nbstat.encode_name", "netstat_rn.default_routes", "nmcli_wifi.nmcli_active_link",
    "stun.binding_request", "stun.binding_success", "wifi_types.band_for_channel",
    "wifi_types.channel_to_frequency", "wifi_types.dbm_from_networkmanager_percent",
    "wifi_types.dbm_from_windows_percent", "wifi_types.frequency_to_channel", "wifi_types.link_from_network",
    "wifi_types.split_ht_mcs",
}  # fmt: skip

TROUBLE = [
    "²", "³", "٢", "¹²³", "1" * 60, "9" * 25, "-" * 40, "=" * 40, ":" * 40, " " * 60, "\t", "\x00",
    "\u2028", "\ufeff", "0x", "0xzz", "ff" * 20, "[", "{", "}", "]", '"', "'", "\\", "%", "%zz", "ttl=64",
    "time=1.5 ms", "icmp_seq=", "seq=", "hlim=", "frag DF mtu=", "192.0.2.", "2001:db8::", "::", "fe80::1%",
    "00:00:5e:00:53:01", "AA-BB-CC", "/24", "/999", "dev", "via", "default", "lease {", "};",
]  # fmt: skip


def _corpus_lines() -> list[str]:
    lines: set[str] = set()
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and path.suffix in ("", ".txt", ".json", ".xml", ".plist", ".lease", ".leases"):
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            lines.update(line[:200] for line in text.splitlines()[:400])
    return sorted(lines)


LINES = _corpus_lines()


@st.composite
def line_soup(draw: st.DrawFn) -> str:
    """Lines of real command output, troublemakers and random text, mixed and cut."""
    parts = draw(
        st.lists(
            st.one_of(st.sampled_from(LINES), st.sampled_from(TROUBLE), st.text(max_size=40)),
            max_size=12,
        )
    )
    glue = draw(st.sampled_from(["\n", "\r\n", " ", ": ", "="]))
    text = glue.join(parts)
    cut = draw(st.integers(0, len(text)))
    return text[: max(cut, len(text) - draw(st.integers(0, 8)))]


TEXTS = st.one_of(st.text(max_size=300), line_soup(), st.sampled_from(TROUBLE))


def _valid_frames() -> list[bytes]:
    frames = [
        stun.binding_success(TID, ipaddress.IPv4Address("198.51.100.7"), 40000),
        stun.binding_request(TID),
        ipp.build_get_printer_attributes("ipp://192.0.2.20/ipp/print"),
        nbstat.build_request(7),
        ssdp.build_msearch(),
        b"HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\nLOCATION: http://192.0.2.1/\r\n\r\n",
        dnssd.build_query(["_services._dns-sd._udp.local."], 7),
    ]
    for path in sorted((FIXTURES / "upnp").glob("*.xml")):
        frames.append(path.read_bytes()[:4000])
    return frames


FRAMES = _valid_frames()


@st.composite
def mutated_frame(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(FRAMES)))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        index = draw(st.integers(0, len(data) - 1))
        data[index] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data)


BYTES = st.one_of(st.binary(max_size=600), mutated_frame())


def _feed(entry_points: dict[str, Callable[[Any], object]], value: object) -> None:
    """Give ``value`` to every entry point: each may return anything or raise ParseError."""
    for name, entry in entry_points.items():
        try:
            entry(value)
        except ParseError:
            pass
        except Exception as exc:  # the finding: name the entry point
            raise AssertionError(f"{name} raised {type(exc).__name__}: {exc}"[:500]) from exc


def test_every_public_parser_is_fuzzed() -> None:
    listed = set(TEXT_ENTRY_POINTS) | set(BYTES_ENTRY_POINTS) | NOT_ENTRY_POINTS
    found = set()
    modules = {
        module.name: importlib.import_module(f"{parsers_package.__name__}.{module.name}")
        for module in pkgutil.iter_modules(parsers_package.__path__)
    }
    for alias, loaded in {**modules, **DECODER_MODULES}.items():
        for name, function in inspect.getmembers(loaded, inspect.isfunction):
            if function.__module__ == loaded.__name__ and not name.startswith("_"):
                found.add(f"{alias}.{name}")
    assert found - listed == set(), "add new parser functions to this fuzz test"


# One input feeds every entry point: 1 000 cases each, while generating inputs (the slow part of
# hypothesis) is paid once.
@FUZZ
@given(text=TEXTS)
def test_text_entry_points_raise_only_parse_error(text: str) -> None:
    _feed(TEXT_ENTRY_POINTS, text)


@FUZZ
@given(data=BYTES)
def test_byte_decoders_raise_only_parse_error(data: bytes) -> None:
    _feed(BYTES_ENTRY_POINTS, data)
