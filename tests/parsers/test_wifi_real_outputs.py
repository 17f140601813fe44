"""Every recorded real output of a Wi-Fi command parses to the values its ``.meta.json`` lists.

The meta files copy values as the tools print them ("Verbunden (connected)", "2,4 GHz", upper-case
BSSIDs, "<redacted>"); the tables below turn them into the parsers' normalised vocabulary. The
tables are written out here on purpose, independent of the parsers' own conversion code. Every key
of ``expected`` is either checked or waived with a reason (``Expected.done``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from ipaddress import ip_address
from typing import Any

import pytest

from homediag.net.os.airport import parse_airport_info, parse_airport_scan
from homediag.net.os.iw_link import parse_iw_link
from homediag.net.os.iw_scan import parse_iw_scan
from homediag.net.os.iwconfig import parse_iwconfig
from homediag.net.os.netsh_wlan import parse_netsh_interfaces, parse_netsh_networks
from homediag.net.os.nmcli_wifi import parse_nmcli_wifi_list
from homediag.net.os.system_profiler_airport import parse_system_profiler_airport
from homediag.net.os.wdutil import parse_wdutil_info
from homediag.net.os.wifi_types import (
    Band,
    BssType,
    ConnectionState,
    Limitation,
    PhyMode,
    Security,
    SsidHiddenReason,
    WifiLink,
    WifiNetwork,
)
from tests.parsers.real_outputs import skip_without_real_outputs
from tests.parsers.wifi_support import Expected, RealOutput, real_output_params

# --- normalisation of the meta files' printed values -------------------------------------------


def mac(value: str | None) -> str | None:
    """Lower-case, zero-padded colon form; None for null, empty and ``<redacted>``."""
    if value is None or not re.fullmatch(r"[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2}){5}", value):
        return None
    return ":".join(f"{int(part, 16):02x}" for part in value.split(":"))


def note(value: str) -> tuple[str, str | None]:
    """``"Verbunden (connected)"`` -> ``("Verbunden", "connected")``: the translation note."""
    match = re.fullmatch(r"(.*?) \(([a-z]+)\)", value)
    return (match.group(1), match.group(2)) if match else (value, None)


BANDS = {
    "2.4 GHz": Band.GHZ_2_4,
    "2,4 GHz": Band.GHZ_2_4,
    "2GHz": Band.GHZ_2_4,
    "5 GHz": Band.GHZ_5,
    "5GHz": Band.GHZ_5,
    "6 GHz": Band.GHZ_6,
    "6GHz": Band.GHZ_6,
}
STATES = {
    "connected": ConnectionState.CONNECTED,
    "connecté": ConnectionState.CONNECTED,
    "running": ConnectionState.CONNECTED,
    "spairport_status_connected": ConnectionState.CONNECTED,
}
PHY_MODES = {
    "802.11n": PhyMode.N,
    "802.11ac": PhyMode.AC,
    "802.11ax": PhyMode.AX,
    "11ac": PhyMode.AC,
    "11ax": PhyMode.AX,
}
SECURITY_MEANING = {
    # iw scan (descriptions written by the fixture author, not iw's words)
    "WPA1+WPA2 PSK (TKIP/CCMP)": Security.WPA2,
    "RSN PSK CCMP": Security.WPA2,
    "RSN IEEE 802.1X CCMP": Security.ENTERPRISE,
    "open (no RSN/WPA IE)": Security.OPEN,
    "open": Security.OPEN,
    # airport -s / -I
    "WPA2(PSK/AES/AES)": Security.WPA2,
    "WPA2(802.1x/AES/AES)": Security.ENTERPRISE,
    "WPA(PSK/AES,TKIP/TKIP) WPA2(PSK/AES,TKIP/TKIP)": Security.WPA2,
    "WPA(PSK/AES,TKIP/TKIP)": Security.WPA_TKIP,
    "NONE": Security.OPEN,
    "wpa2-psk": Security.WPA2,
    # nmcli
    "WPA2": Security.WPA2,
    "": Security.OPEN,
    # netsh (en, de, fr)
    "WPA2-Personal": Security.WPA2,
    "WPA2-Enterprise": Security.ENTERPRISE,
    "Open": Security.OPEN,
    "Offen": Security.OPEN,
    "Ouvrir": Security.OPEN,
    # system_profiler, wdutil
    "spairport_security_mode_none": Security.OPEN,
    "spairport_security_mode_wpa2_personal": Security.WPA2,
    "None": Security.OPEN,
    "WPA2 Personal": Security.WPA2,
}
# Where the parser keeps the tool's own words, they must come back unchanged.
RAW_SECURITY_COMMANDS = {
    "airport-I",
    "airport-s",
    "nmcli-t-dev-wifi-list",
    "netsh-wlan-show-interfaces",
    "netsh-wlan-show-networks-bssid",
    "system-profiler-airport-json",
    "wdutil-info",
}


def channel_text(value: Any) -> tuple[int, int | None]:
    """Channel and width from ``6``, ``"48,80"``, ``"3,+1"``, ``"6 (2GHz, 20MHz)"``, ``"2g11/20"``,
    ``"144 (40 MHz, DFS)"``; a bare number says nothing about the width."""
    text = str(value)
    if m := re.fullmatch(r"[256]g(\d+)/(\d+)", text):
        return int(m.group(1)), int(m.group(2))
    if m := re.fullmatch(r"(\d+) \((?:\dGHz, )?(\d+) ?MHz.*\)", text):
        return int(m.group(1)), int(m.group(2))
    if m := re.fullmatch(r"(\d+),([+-]1)", text):
        return int(m.group(1)), 40
    if m := re.fullmatch(r"(\d+),(\d+)", text):
        return int(m.group(1)), int(m.group(2))
    return int(text), None


def check_security(command: str, value: str, security: Security, raw: str | None) -> None:
    printed, meaning = note(value)
    assert printed in SECURITY_MEANING or meaning, f"add {printed!r} to SECURITY_MEANING"
    wanted = Security(meaning) if meaning else SECURITY_MEANING[printed]
    assert security is wanted, (printed, security)
    if command in RAW_SECURITY_COMMANDS:
        assert raw == printed


def check_ssid(value: str | None, ssid: str | None, reason: SsidHiddenReason | None) -> None:
    if value == "<redacted>":
        assert (ssid, reason) == (None, SsidHiddenReason.REDACTED)
    elif value in ("", None):
        assert ssid is None
        assert reason is not None
    else:
        assert ssid == value


def strongest(
    networks: list[WifiNetwork], key: Callable[[WifiNetwork], float]
) -> list[WifiNetwork]:
    best = max(key(net) for net in networks)
    return [net for net in networks if key(net) == best]


# --- per command ---------------------------------------------------------------------------------


def check_iw_link(output: RealOutput, exp: Expected) -> None:
    link = parse_iw_link(output.text)
    assert link.connected is exp["connected"]
    assert mac(exp["bssid"]) == link.bssid
    assert link.interface == exp["interface"]
    check_ssid(exp["ssid"], link.ssid, link.ssid_hidden_reason)
    assert link.frequency_mhz == exp["freq_mhz"]
    assert link.channel == exp["channel"]
    assert (link.rx_bytes, link.rx_packets) == (exp["rx_bytes"], exp["rx_packets"])
    assert (link.tx_bytes, link.tx_packets) == (exp["tx_bytes"], exp["tx_packets"])
    assert link.signal_dbm == exp["signal_dbm"]
    assert link.rx_rate_mbps == exp["rx_bitrate_mbps"]
    assert link.tx_rate_mbps == exp["tx_bitrate_mbps"]
    assert link.dtim_period == exp["dtim_period"]
    assert link.beacon_interval_tu == exp["beacon_int"]
    exp.waive("bss_flags", "short-preamble/short-slot flags do not enter any diagnosis")


def _check_iw_bss(net: WifiNetwork, row: dict[str, Any], command: str) -> None:
    assert net.bssid == mac(row["bssid"])
    check_ssid(row["ssid"], net.ssid, net.ssid_hidden_reason)
    assert net.frequency_mhz == row["freq_mhz"]
    assert net.signal_dbm == row["signal_dbm"]
    assert net.channel == row["channel"]
    if "security" in row:
        check_security(command, row["security"], net.security, net.security_raw)


def check_iw_scan(output: RealOutput, exp: Expected) -> None:
    scan = parse_iw_scan(output.text)
    networks = list(scan.networks)
    by_bssid = {net.bssid: net for net in networks}
    assert len(networks) == exp["bss_count"]
    if "associated_bss" in exp:
        associated = exp["associated_bss"]
        assert scan.associated is not None
        _check_iw_bss(scan.associated, associated, output.command)
        assert [net.bssid for net in networks if net.associated] == [mac(associated["bssid"])]
    if "first_bss" in exp:
        _check_iw_bss(networks[0], exp["first_bss"], output.command)
    for key in ("other_examples", "examples", "bss"):
        for row in exp.get(key, []):
            _check_iw_bss(by_bssid[mac(row["bssid"])], row, output.command)
    if "hidden_ssid_bss" in exp:
        hidden = by_bssid[mac(exp["hidden_ssid_bss"])]
        assert (hidden.ssid, hidden.ssid_hidden_reason) == (None, SsidHiddenReason.NOT_BROADCAST)
    if "strongest" in exp:
        best = strongest(networks, lambda net: net.signal_dbm or -999)
        want = exp["strongest"]
        assert [(n.bssid, n.ssid, n.signal_dbm) for n in best] == [
            (mac(want["bssid"]), want["ssid"], want["signal_dbm"])
        ]


def check_iwconfig(output: RealOutput, exp: Expected) -> None:
    links = {link.interface: link for link in parse_iwconfig(output.text)}
    assert len(links) == len(exp["interfaces"])
    for row in exp["interfaces"]:
        item = Expected(row, f"{output.path.name} interface")
        link = links[item["name"]]
        assert link.ssid == item["essid"]
        assert link.mode == item["mode"]
        assert link.frequency_mhz == round(item["frequency_ghz"] * 1000)
        assert link.channel == item["channel"]
        assert link.bssid == mac(item["access_point"])
        assert link.tx_rate_mbps == item["bit_rate_mbps"]
        assert link.tx_power_dbm == item["tx_power_dbm"]
        assert link.power_save is (item["power_management"] == "on")
        quality, scale = item["link_quality"].split("/")
        assert link.link_quality_pct == pytest.approx(100 * int(quality) / int(scale))
        assert link.signal_dbm == item["signal_dbm"]
        assert link.connected
        item.waive("protocol", "'IEEE 802.11' names the wireless-extensions API, not the PHY mode")
        item.waive("invalid_misc", "a driver error counter no diagnosis uses")
        item.done()


def check_airport_info(output: RealOutput, exp: Expected) -> None:
    link = parse_airport_info(output.text)
    assert link.signal_dbm == exp["rssi_dbm"]
    assert link.noise_dbm == exp["noise_dbm"]
    assert link.state is STATES[exp["state"]]
    assert link.mode == exp["op_mode"]
    assert link.tx_rate_mbps == exp["last_tx_rate_mbps"]
    assert link.max_rate_mbps == exp["max_rate_mbps"]
    check_security(output.command, exp["link_auth"], link.security, link.security_raw)
    exp.waive("auth_80211", "802.11 open-system authentication precedes WPA; it says nothing")
    assert link.bssid == mac(exp["bssid"])
    if exp["bssid"] is None:
        assert Limitation.LOCATION_PERMISSION in link.limitations
    check_ssid(exp["ssid"], link.ssid, link.ssid_hidden_reason)
    assert link.mcs == exp["mcs"]
    if "nss" in exp:
        assert link.nss == exp["nss"]
    if "guard_interval_ns" in exp:
        assert link.guard_interval_ns == exp["guard_interval_ns"]
    channel, width = channel_text(exp["channel"])
    assert (link.channel, link.width_mhz) == (channel, width)
    if "channel_number" in exp:
        assert link.channel == exp["channel_number"]
    if "channel_width_mhz" in exp:
        assert link.width_mhz == exp["channel_width_mhz"]


def _check_airport_row(net: WifiNetwork, row: dict[str, Any], command: str) -> None:
    item = Expected(row, "airport -s row")
    assert net.bssid == mac(item["bssid"])
    check_ssid(item["ssid"], net.ssid, net.ssid_hidden_reason)
    assert net.signal_dbm == item["rssi"]
    if "channel" in row:
        channel, width = channel_text(item["channel"])
        assert net.channel == channel
        assert net.width_mhz == width
    if "ht" in row:
        # "N": a legacy access point; "Y": HT or later, which airport -s does not narrow down.
        legacy = net.phy_mode is not None and net.phy_mode.legacy
        assert legacy is (item["ht"] == "N")
    if "cc" in row:
        assert net.country == (None if item["cc"] == "--" else item["cc"])
    if "security" in row:
        check_security(command, item["security"], net.security, net.security_raw)
    item.done()


def check_airport_scan(output: RealOutput, exp: Expected) -> None:
    scan = parse_airport_scan(output.text)
    networks = list(scan.networks)
    assert len(networks) == exp["network_count"]
    by_bssid = {net.bssid: net for net in networks}
    for row in exp.get("rows", []):
        _check_airport_row(by_bssid[mac(row["bssid"])], row, output.command)
    if "first_row" in exp:
        _check_airport_row(networks[0], exp["first_row"], output.command)
    if "row_with_space_in_ssid" in exp:
        row = exp["row_with_space_in_ssid"]
        _check_airport_row(by_bssid[mac(row["bssid"])], row, output.command)
    if "strongest" in exp:
        want = Expected(exp["strongest"], "strongest")
        best = strongest(networks, lambda net: net.signal_dbm or -999)
        assert {net.signal_dbm for net in best} == {want["rssi"]}
        if "bssids" in want.data:
            assert [net.bssid for net in best] == [mac(b) for b in want["bssids"]]
            assert {net.channel for net in best} == {int(want["channel"])}
            want.waive("note", "annotation of the fixture author")
        else:
            assert [(net.bssid, net.ssid) for net in best] == [(mac(want["bssid"]), want["ssid"])]
        want.done()


def check_nmcli(output: RealOutput, exp: Expected) -> None:
    fields = re.search(r"--fields (\S+)", output.meta["command"])
    assert fields is not None
    scan = parse_nmcli_wifi_list(output.text, fields.group(1).split(","))
    networks = list(scan.networks)
    assert len(networks) == exp["row_count"]
    assert [i for i, net in enumerate(networks) if net.associated] == [exp["active_row_index"]]
    for row in exp["rows"]:
        item = Expected(row, "nmcli row")
        matches = [
            net
            for net in networks
            if net.bssid == mac(item["bssid"]) and (net.ssid or "") == item["ssid"]
        ]
        assert len(matches) == 1, row
        net = matches[0]
        check_ssid(item["ssid"], net.ssid, net.ssid_hidden_reason)
        assert net.associated is item["active"]
        if "mode" in row:
            assert net.bss_type is {"Infra": BssType.INFRASTRUCTURE}[item["mode"]]
        if "chan" in row:
            assert net.channel == item["chan"]
        if "freq" in row:
            assert net.frequency_mhz == int(item["freq"].removesuffix(" MHz"))
        if "signal" in row:
            assert net.signal_percent == item["signal"]
            # NetworkManager's scale: 0 % = -100 dBm, 100 % = -40 dBm.
            assert net.signal_dbm == pytest.approx(-100 + 0.6 * item["signal"])
        if "security" in row:
            check_security(output.command, item["security"], net.security, net.security_raw)
        flags = [item.get("wpa_flags", ""), item.get("rsn_flags", "")]
        pairwise = {
            f.removeprefix("pair_").upper()
            for text in flags
            for f in text.split()
            if f.startswith("pair_")
        }
        if "wpa_flags" in row or "rsn_flags" in row:
            assert set((net.cipher or "").split()) == pairwise
        item.done()


def check_netsh_interfaces(output: RealOutput, exp: Expected) -> None:
    links = parse_netsh_interfaces(output.text)
    assert len(links) == exp["interface_count"]
    link = links[0]
    assert link.interface == exp["name"]
    assert link.driver == exp["description"]
    printed, meaning = note(exp["state"])
    assert link.state is STATES[meaning or printed]
    assert link.ssid == exp["ssid"]
    assert link.bssid == mac(exp["bssid"])
    assert link.band is BANDS[exp["band"]]
    assert link.channel == exp["channel"]
    assert link.bss_type is BssType.INFRASTRUCTURE
    exp.waive("network_type", "checked above: Infrastruktur/Infrastructure")
    assert link.phy_mode is PHY_MODES[exp["radio_type"]]
    check_security(output.command, exp["authentication"], link.security, link.security_raw)
    assert link.cipher == note(exp["cipher"])[0]
    assert link.rx_rate_mbps == exp["rx_rate_mbps"]
    assert link.tx_rate_mbps == exp["tx_rate_mbps"]
    assert link.signal_percent == exp["signal_percent"]
    assert link.signal_dbm == exp["signal_percent"] / 2 - 100
    exp.waive("profile", "the Windows profile name is a label, not a radio property")
    exp.waive("hosted_network_status", "the hosted network (Windows hotspot) is out of scope")
    exp.waive("connection_mode", "auto/manual connection does not change the link")


def check_netsh_networks(output: RealOutput, exp: Expected) -> None:
    scan = parse_netsh_networks(output.text)
    networks = list(scan.networks)
    assert scan.interface == exp["interface"]
    assert scan.reported_count == exp["network_count_header"]
    assert len({net.ssid for net in networks}) == exp["ssid_count"]
    assert len(networks) == exp["bssid_count"]
    for block in exp["networks"]:
        item = Expected(block, "netsh network")
        ssid = item["ssid"] or None
        members = [net for net in networks if net.ssid == ssid]
        if item.get("hidden"):
            assert all(net.ssid_hidden_reason is SsidHiddenReason.NOT_BROADCAST for net in members)
        for net in members:
            check_security(output.command, item["auth"], net.security, net.security_raw)
            for key in ("cipher", "encryption"):
                if key in block:
                    assert net.cipher == item[key]
        if "bssid_count" in block:
            assert len(members) == item["bssid_count"]
        if "strongest" in block:
            want = Expected(item["strongest"], "strongest")
            best = strongest(members, lambda net: net.signal_percent or -1)
            assert {net.signal_percent for net in best} == {want["signal_percent"]}
            assert [net.bssid for net in best] == [mac(b) for b in want["bssids"]]
            assert [net.channel for net in best] == want["channels"]
            want.waive("note", "annotation of the fixture author")
            want.done()
        by_bssid = {net.bssid: net for net in members}
        for row in item.get("bssids", []):
            bss = Expected(row, "netsh bssid")
            net = by_bssid[mac(bss["bssid"])]
            assert net.signal_percent == bss["signal_percent"]
            assert net.signal_dbm == bss["signal_percent"] / 2 - 100
            assert net.channel == bss["channel"]
            if "radio" in row:
                assert net.phy_mode is PHY_MODES[bss["radio"]]
            if "band" in row:
                assert net.band is BANDS[bss["band"]]
            if "connected_stations" in row:
                assert net.station_count == bss["connected_stations"]
            bss.done()
        item.done()


def check_system_profiler(output: RealOutput, exp: Expected) -> None:
    snapshot = parse_system_profiler_airport(output.text)
    link = snapshot.links[0]
    assert link.interface == exp["interface"]
    assert link.state is STATES[exp["status"]]
    if "wireless_mac" in exp:
        assert link.mac == mac(exp["wireless_mac"])
    if "interfaces" in exp:
        assert [item.interface for item in snapshot.links] == exp["interfaces"]
    assert len(snapshot.scan.networks) == exp["other_networks_count"]
    current = Expected(exp["current"], "current network")
    check_ssid(current["ssid"], link.ssid, link.ssid_hidden_reason)
    if "bssid" in exp["current"]:
        assert link.bssid == mac(current["bssid"])
    channel, width = channel_text(current["channel"])
    assert link.channel == channel
    if width is not None:
        assert link.width_mhz == width
    if "channel_number" in exp["current"]:
        assert link.channel == current["channel_number"]
    if "band" in exp["current"]:
        assert link.band is BANDS[current["band"]]
    if "width_mhz" in exp["current"]:
        assert link.width_mhz == current["width_mhz"]
    assert link.phy_mode is PHY_MODES[current["phymode"]]
    assert link.tx_rate_mbps == current["rate_mbps"]
    # system_profiler prints the 802.11n MCS index (15 = MCS 7 on two streams).
    assert link.phy_mode is PhyMode.N
    assert link.mcs is not None and link.nss is not None
    assert link.mcs + 8 * (link.nss - 1) == current["mcs"]
    assert link.country == current["country_code"]
    check_security(output.command, current["security"], link.security, link.security_raw)
    assert link.signal_dbm == current["signal_dbm"]
    assert link.noise_dbm == current["noise_dbm"]
    current.done()


def check_wdutil(output: RealOutput, exp: Expected) -> None:
    info = parse_wdutil_info(output.text)
    link: WifiLink = info.link
    assert link.interface == exp["interface"]
    assert link.mode == exp["op_mode"]
    assert link.connected
    check_ssid(exp["ssid"], link.ssid, link.ssid_hidden_reason)
    assert link.bssid == mac(exp["bssid"])
    if exp["ssid"] == "<redacted>":
        assert Limitation.LOCATION_PERMISSION in link.limitations
    assert link.signal_dbm == exp["rssi_dbm"]
    assert link.noise_dbm == exp["noise_dbm"]
    if "cca_percent" in exp:
        assert link.channel_busy_pct == exp["cca_percent"]
    assert link.tx_rate_mbps == exp["tx_rate_mbps"]
    check_security(output.command, exp["security"], link.security, link.security_raw)
    assert link.phy_mode is PHY_MODES[exp["phy_mode"]]
    assert link.mcs == exp["mcs_index"]
    assert link.nss == exp["nss"]
    channel, width = channel_text(exp["channel"])
    assert (link.channel, link.width_mhz) == (channel, width)
    assert link.channel == exp["channel_number"]
    assert link.width_mhz == exp["channel_width_mhz"]
    if "band" in exp:
        assert link.band is BANDS[exp["band"]]
    assert link.country == exp["country_code"]
    assert info.ipv4_address == ip_address(exp["ipv4_address"])
    assert info.ipv4_router == ip_address(exp["ipv4_router"])
    assert list(info.dns) == [ip_address(a) for a in exp["dns"]]
    if "network_dns_addresses" in exp:
        assert list(info.dns_addresses) == [ip_address(a) for a in exp["network_dns_addresses"]]
    if "primary_ipv4_interface" in exp:
        assert info.primary_ipv4_interface == exp["primary_ipv4_interface"]


CHECKERS: dict[str, Callable[[RealOutput, Expected], None]] = {
    "iw-dev-link": check_iw_link,
    "iw-dev-scan": check_iw_scan,
    "iwconfig": check_iwconfig,
    "airport-I": check_airport_info,
    "airport-s": check_airport_scan,
    "netsh-wlan-show-interfaces": check_netsh_interfaces,
    "netsh-wlan-show-networks-bssid": check_netsh_networks,
    "nmcli-t-dev-wifi-list": check_nmcli,
    "system-profiler-airport-json": check_system_profiler,
    "wdutil-info": check_wdutil,
}


@pytest.mark.parametrize("output", real_output_params())
def test_real_output_parses_to_meta_values(output: RealOutput | None) -> None:
    if output is None:
        skip_without_real_outputs()
    if output.name == "<missing>":
        pytest.fail(f"no recorded outputs in {output.path}")
    expected = Expected(output.expected, output.path.name)
    CHECKERS[output.command](output, expected)
    expected.done()
