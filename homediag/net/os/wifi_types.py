"""The values every Wi-Fi parser returns, whatever the platform and the tool.

One vocabulary for Linux (``iw``, ``iwconfig``, ``nmcli``), macOS (``airport``, ``system_profiler``,
``wdutil``) and Windows (``netsh wlan``): a :class:`WifiLink` for the connection an interface has, a
:class:`WifiNetwork` for each access point (BSS) seen in a scan, grouped in a :class:`WifiScan`.
Normalisation happens here once for all parsers:

- BSSIDs and MACs are lower-case, colon separated and zero padded (``02:00:00:00:00:01``);
  anything else (``<redacted>``, an empty field) becomes ``None``;
- the band, channel and centre frequency are derived from each other where one is missing;
- the SNR is ``signal - noise`` where both are known;
- SSIDs the tool could not or would not show are ``None`` with a :class:`SsidHiddenReason`, and what
  limited the run (no Location Services permission, no root, a removed tool) is a
  :class:`Limitation`, so a probe can tell the user which one it met.

Signal percentages are converted to dBm by the parser that reads them, because each tool has its own
scale (:func:`dbm_from_windows_percent`, :func:`dbm_from_networkmanager_percent`).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address


class Band(StrEnum):
    """A Wi-Fi frequency band."""

    GHZ_2_4 = "2.4GHz"
    GHZ_5 = "5GHz"
    GHZ_6 = "6GHz"


class PhyMode(StrEnum):
    """The 802.11 generation a link or an access point uses (legacy a/b/g, then n, ac, ax, be)."""

    B = "b"
    A = "a"
    G = "g"
    N = "n"
    AC = "ac"
    AX = "ax"
    BE = "be"

    @property
    def legacy(self) -> bool:
        """Whether this is a pre-802.11n mode (no MIMO, at most 54 Mbit/s)."""
        return self in (PhyMode.A, PhyMode.B, PhyMode.G)

    @property
    def rank(self) -> int:
        """Order of the generations: b < a = g < n < ac < ax < be."""
        return _PHY_RANK[self]


_PHY_RANK = {
    PhyMode.B: 0,
    PhyMode.A: 1,
    PhyMode.G: 1,
    PhyMode.N: 2,
    PhyMode.AC: 3,
    PhyMode.AX: 4,
    PhyMode.BE: 5,
}


class Security(StrEnum):
    """How a network protects its traffic, normalised across tools.

    ``WPA_TKIP`` covers first-generation WPA networks and any network whose only pairwise cipher is
    TKIP. ``WPA2_WPA3`` is the transition mode (PSK and SAE both offered). ``ENTERPRISE`` is any
    802.1X network (WPA, WPA2 or WPA3 Enterprise). ``OWE`` is Enhanced Open (encrypted, no
    password); it is not in the issue's list but neither "open" nor "wpa3" would describe it truly.
    """

    OPEN = "open"
    OWE = "owe"
    WEP = "wep"
    WPA_TKIP = "wpa-tkip"
    WPA2 = "wpa2"
    WPA3 = "wpa3"
    WPA2_WPA3 = "wpa2-wpa3"
    ENTERPRISE = "enterprise"
    UNKNOWN = "unknown"


class ConnectionState(StrEnum):
    """Whether an interface is associated to a network."""

    CONNECTED = "connected"
    CONNECTING = "connecting"
    """Authenticating, associating or scanning for the network to join."""
    DISCONNECTED = "disconnected"
    RADIO_OFF = "radio-off"
    UNKNOWN = "unknown"


class SsidHiddenReason(StrEnum):
    """Why a value has no SSID although the network has one."""

    NOT_BROADCAST = "not-broadcast"
    """The access point hides its name (empty or all-zero SSID in its beacons)."""
    REDACTED = "redacted"
    """The tool printed a placeholder such as ``<redacted>`` (macOS privacy)."""
    NOT_REPORTED = "not-reported"
    """The tool printed no SSID for the network it is connected to (macOS, no Location Services)."""


class Limitation(StrEnum):
    """Something on the computer that limited what a tool could show."""

    LOCATION_PERMISSION = "location-permission"
    """SSIDs or BSSIDs are hidden until the terminal gets Location Services permission (macOS 14+,
    Windows 11 24H2)."""
    NEEDS_ROOT = "needs-root"
    """The tool only answers to root (``wdutil``)."""
    TOOL_REMOVED = "tool-removed"
    """The tool is deprecated and no longer reports anything (``airport`` since macOS 14.4)."""
    IMPLAUSIBLE_SIGNAL = "implausible-signal"
    """The driver reported a signal no radio receives (0 dBm or more, some vendor drivers do): the
    value is kept as evidence and flagged, and nothing is judged on it."""


class BssType(StrEnum):
    """The kind of network a BSS belongs to."""

    INFRASTRUCTURE = "infrastructure"
    AD_HOC = "ad-hoc"
    MESH = "mesh"


# --- conversions ------------------------------------------------------------------------------

_MAC_RE = re.compile(r"^[0-9a-fA-F]{1,2}([:-])(?:[0-9a-fA-F]{1,2}\1){4}[0-9a-fA-F]{1,2}$")
_MAC_BARE_RE = re.compile(r"^[0-9a-fA-F]{12}$")


def normalise_mac(text: str | None) -> str | None:
    """A MAC or BSSID as lower-case, colon-separated, zero-padded text; None if it is not one.

    Accepts ``AA:BB:CC:DD:EE:FF``, ``aa-bb-...``, unpadded octets (``31:23:3:1a:9f:1d``, as macOS
    prints them) and 12 bare hex digits. Placeholders such as ``<redacted>`` and the all-zero
    address some tools print while disconnected become None.
    """
    if text is None:
        return None
    value = text.strip()
    if _MAC_BARE_RE.match(value):
        octets = [value[i : i + 2] for i in range(0, 12, 2)]
    elif _MAC_RE.match(value):
        octets = re.split(r"[:-]", value)
    else:
        return None
    result = ":".join(f"{int(octet, 16):02x}" for octet in octets)
    return None if result == "00:00:00:00:00:00" else result


_REDACTED_RE = re.compile(r"^<?\s*(ssid\s+)?redacted\s*>?$", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SSID_MAX_CHARS = 32
"""An SSID has at most 32 octets, so never more than 32 characters once decoded."""


def is_redacted(text: str) -> bool:
    """Whether ``text`` is a privacy placeholder (``<redacted>``, ``<SSID Redacted>``...)."""
    return bool(_REDACTED_RE.match(text.strip()))


def clean_ssid(raw: str | None) -> tuple[str | None, SsidHiddenReason | None]:
    """The SSID a tool printed, or None and the reason it is missing.

    ``None`` means the tool printed no SSID at all (:attr:`SsidHiddenReason.NOT_REPORTED`). An
    empty value, only NUL characters or the kernel's old ``<hidden>`` marker mean the access point
    hides its name. Control characters are replaced by U+FFFD (SSIDs come from the air and are
    hostile), and the result is cut to 32 characters.
    """
    if raw is None:
        return None, SsidHiddenReason.NOT_REPORTED
    if is_redacted(raw):
        return None, SsidHiddenReason.REDACTED
    if raw == "" or raw.strip("\x00") == "" or raw in ("<hidden>", "<hidden>\x00"):
        return None, SsidHiddenReason.NOT_BROADCAST
    value = _CONTROL_RE.sub("\ufffd", raw)[:SSID_MAX_CHARS]
    return value, None


def channel_to_frequency(band: Band, channel: int) -> int | None:
    """Centre frequency in MHz of a 20 MHz channel, or None when the band has no such channel."""
    if band is Band.GHZ_2_4:
        if channel == 14:
            return 2484
        return 2407 + 5 * channel if 1 <= channel <= 13 else None
    if band is Band.GHZ_5:
        return 5000 + 5 * channel if 1 <= channel <= 196 else None
    if channel == 2:
        return 5935
    return 5950 + 5 * channel if 1 <= channel <= 233 else None


def frequency_to_channel(frequency_mhz: float) -> tuple[Band, int] | None:
    """The band and channel number of a centre frequency (IEEE 802.11-2020 Annex E)."""
    freq = round(frequency_mhz)
    if freq == 2484:
        return Band.GHZ_2_4, 14
    if 2412 <= freq <= 2472 and (freq - 2407) % 5 == 0:
        return Band.GHZ_2_4, (freq - 2407) // 5
    if freq == 5935:
        return Band.GHZ_6, 2
    if 5955 <= freq <= 7115 and (freq - 5950) % 5 == 0:
        return Band.GHZ_6, (freq - 5950) // 5
    if 5005 <= freq <= 5900 and freq % 5 == 0:
        return Band.GHZ_5, (freq - 5000) // 5
    return None


def band_for_channel(channel: int) -> Band | None:
    """The band of a channel number when the tool does not say it.

    Channels 1-14 are read as 2.4 GHz and 32-177 as 5 GHz. 6 GHz channel numbers reuse 1-233, so a
    6 GHz channel can only be recognised from its frequency or a band the tool prints.
    """
    if 1 <= channel <= 14:
        return Band.GHZ_2_4
    if 32 <= channel <= 177:
        return Band.GHZ_5
    return None


_BAND_RE = re.compile(r"(?<![\d.,])(2[.,]4|2|5|6)(?:\s*[.,]\d+)?\s*(?:ghz|g\b)", re.IGNORECASE)


def band_from_label(text: str | None) -> Band | None:
    """Read a band as tools print it: ``2.4 GHz``, ``2,4 GHz`` (de, fr), ``2GHz``, ``5g``."""
    if not text:
        return None
    match = _BAND_RE.search(text.replace("\u00a0", " ").replace("\u202f", " "))
    if match is None:
        return None
    head = match.group(1)
    if head.startswith("2"):
        return Band.GHZ_2_4
    return Band.GHZ_5 if head == "5" else Band.GHZ_6


_PHY_TOKENS = {
    "b": PhyMode.B,
    "a": PhyMode.A,
    "g": PhyMode.G,
    "n": PhyMode.N,
    "ht": PhyMode.N,
    "ac": PhyMode.AC,
    "vht": PhyMode.AC,
    "ax": PhyMode.AX,
    "he": PhyMode.AX,
    "be": PhyMode.BE,
    "eht": PhyMode.BE,
}


def parse_phy_mode(text: str | None) -> PhyMode | None:
    """The highest 802.11 generation named in ``text``.

    Understands ``802.11ax``, ``11ac`` (wdutil), ``802.11a/n/ac/ax`` (system_profiler lists what
    the access point supports: the highest wins), ``IEEE 802.11AC`` and ``HE``/``VHT``/``HT``.
    """
    if not text:
        return None
    lowered = text.lower().replace("ieee", " ").replace("802.11", " ")
    best: PhyMode | None = None
    for raw in re.split(r"[\s/,;()+-]+", lowered):
        token = raw.removeprefix("11") if raw.startswith("11") and len(raw) > 2 else raw
        mode = _PHY_TOKENS.get(token)
        if mode is not None and (best is None or mode.rank > best.rank):
            best = mode
    return best


def split_ht_mcs(phy_mode: PhyMode | None, mcs: int | None, nss: int | None) -> tuple[int | None, int | None]:
    """Per-stream MCS and streams from an 802.11n index (MCS 15 is MCS 7 on two streams).

    An index above 13 can only be an 802.11n one, so it is split even when the mode is unknown.
    """
    if mcs is None or not 0 <= mcs <= 31:
        return None, nss
    if phy_mode is PhyMode.N or (phy_mode is None and mcs > 13):
        return mcs % 8, nss if nss is not None else mcs // 8 + 1
    return mcs, nss


def dbm_from_windows_percent(percent: float) -> float:
    """dBm from the signal quality Windows prints (docs/probes-and-playbooks.md#thresholds: percent / 2 -
    100).

    Windows maps -100 dBm to 0 % and -50 dBm to 100 % linearly (``WLAN_ASSOCIATION_ATTRIBUTES``,
    ``wlanSignalQuality``).
    """
    return percent / 2 - 100


def dbm_from_networkmanager_percent(percent: float) -> float:
    """dBm from the strength NetworkManager shows for scanned access points.

    ``nm_wifi_utils_level_to_quality`` maps -100 dBm to 0 % and -40 dBm to 100 % linearly, so this
    inverse is exact between those bounds (100 % means "-40 dBm or stronger").
    """
    return round(-100 + percent * 0.6, 1)


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RadioFields:
    """What links and scanned networks have in common. Derived values are filled on creation."""

    interface: str | None = None
    ssid: str | None = None
    ssid_hidden_reason: SsidHiddenReason | None = None
    bssid: str | None = None
    band: Band | None = None
    channel: int | None = None
    """Primary 20 MHz channel."""
    frequency_mhz: int | None = None
    """Centre frequency of the primary channel."""
    width_mhz: int | None = None
    center_mhz: int | None = None
    """Centre frequency of the whole (bonded) channel, where the tool tells it."""
    signal_dbm: float | None = None
    signal_percent: int | None = None
    """The percentage the tool printed (Windows, NetworkManager), kept as evidence."""
    noise_dbm: float | None = None
    snr_db: float | None = None
    phy_mode: PhyMode | None = None
    security: Security = Security.UNKNOWN
    security_raw: str | None = None
    """The tool's own words for it, as evidence (``WPA2-Personal``, ``WPA2(PSK/AES/AES)``)."""
    cipher: str | None = None
    """Pairwise cipher(s) as the tool names them (``CCMP``, ``TKIP CCMP``, ``AES``)."""
    country: str | None = None
    bss_type: BssType | None = None

    def __post_init__(self) -> None:
        """Derive band, channel, frequency and SNR from each other; normalise the BSSID."""
        band, channel, freq = self.band, self.channel, self.frequency_mhz
        if freq is not None and (band is None or channel is None):
            found = frequency_to_channel(freq)
            if found is not None:
                band = band or found[0]
                channel = found[1] if channel is None else channel
        if band is None and channel is not None:
            band = band_for_channel(channel)
        if freq is None and band is not None and channel is not None:
            freq = channel_to_frequency(band, channel)
        snr = self.snr_db
        if snr is None and self.signal_dbm is not None and self.noise_dbm is not None:
            snr = self.signal_dbm - self.noise_dbm
        bssid = self.bssid
        if bssid is not None:
            bssid = normalise_mac(bssid)
            if bssid is None:
                raise ValueError(f"not a BSSID: {self.bssid!r}")
        object.__setattr__(self, "band", band)
        object.__setattr__(self, "channel", channel)
        object.__setattr__(self, "frequency_mhz", freq)
        object.__setattr__(self, "snr_db", snr)
        object.__setattr__(self, "bssid", bssid)


@dataclass(frozen=True, kw_only=True)
class WifiLink(RadioFields):
    """The connection one interface has (or has not) to an access point."""

    state: ConnectionState = ConnectionState.UNKNOWN
    mac: str | None = None
    """The interface's own MAC address."""
    mode: str | None = None
    """Interface mode as the tool names it (``managed``, ``station``, ``STA``)."""
    tx_rate_mbps: float | None = None
    rx_rate_mbps: float | None = None
    max_rate_mbps: float | None = None
    mcs: int | None = None
    """MCS index per spatial stream (0-13); 802.11n indexes 8-31 are split into this and ``nss``."""
    nss: int | None = None
    """Spatial streams in use."""
    guard_interval_ns: int | None = None
    channel_busy_pct: float | None = None
    """Share of time the channel is busy (macOS CCA)."""
    tx_power_dbm: float | None = None
    power_save: bool | None = None
    link_quality_pct: float | None = None
    """The driver's own quality figure (iwconfig ``Link Quality=58/70``) as a percentage."""
    driver: str | None = None
    """Adapter or driver name as the tool shows it."""
    rx_bytes: int | None = None
    tx_bytes: int | None = None
    rx_packets: int | None = None
    tx_packets: int | None = None
    """Traffic counters: a link that carried almost nothing shows idle rates, not its capacity."""
    dtim_period: int | None = None
    beacon_interval_tu: int | None = None
    limitations: tuple[Limitation, ...] = ()

    @property
    def connected(self) -> bool:
        """Whether the interface is associated."""
        return self.state is ConnectionState.CONNECTED

    def merged_with(self, other: WifiLink) -> WifiLink:
        """This link with every missing value taken from ``other`` (another tool's view of it).

        Values this link has win; ``UNKNOWN`` enums count as missing; limitations are combined.
        """
        changes: dict[str, object] = {}
        for item in dataclasses.fields(self):
            mine = getattr(self, item.name)
            theirs = getattr(other, item.name)
            if item.name == "limitations":
                changes[item.name] = tuple(dict.fromkeys((*self.limitations, *other.limitations)))
            elif _missing(mine) and not _missing(theirs):
                changes[item.name] = theirs
        if changes.get("ssid", self.ssid) is not None:
            changes["ssid_hidden_reason"] = None
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def with_network(self, network: WifiNetwork) -> WifiLink:
        """This link completed from the scan entry of its access point (security, width...)."""
        return self.merged_with(
            WifiLink(
                interface=network.interface,
                ssid=network.ssid,
                ssid_hidden_reason=network.ssid_hidden_reason,
                bssid=network.bssid,
                band=network.band,
                channel=network.channel,
                frequency_mhz=network.frequency_mhz,
                width_mhz=network.width_mhz,
                center_mhz=network.center_mhz,
                phy_mode=network.phy_mode,
                security=network.security,
                security_raw=network.security_raw,
                cipher=network.cipher,
                country=network.country,
                bss_type=network.bss_type,
                state=ConnectionState.CONNECTED if network.associated else ConnectionState.UNKNOWN,
            )
        )


def _missing(value: object) -> bool:
    return value is None or value in (Security.UNKNOWN, ConnectionState.UNKNOWN) or value == ()


@dataclass(frozen=True, kw_only=True)
class WifiNetwork(RadioFields):
    """One access point (BSS) seen in a scan."""

    associated: bool = False
    """This is the BSS the scanning interface is connected to."""
    station_count: int | None = None
    channel_utilization_pct: float | None = None
    """Channel busy time the access point announces (BSS Load element), 0-100."""
    max_rate_mbps: float | None = None


@dataclass(frozen=True, kw_only=True)
class WifiScan:
    """The networks one scan saw."""

    networks: tuple[WifiNetwork, ...] = ()
    interface: str | None = None
    reported_count: int | None = None
    """How many networks the tool said it sees (netsh prints a count), where it says it."""
    limitations: tuple[Limitation, ...] = ()

    @property
    def associated(self) -> WifiNetwork | None:
        """The entry of the access point the interface is connected to, if the scan marks one."""
        return next((net for net in self.networks if net.associated), None)


@dataclass(frozen=True, kw_only=True)
class WifiInterface(RadioFields):
    """A wireless interface as ``iw dev`` describes it (name, address, type, current channel)."""

    mac: str | None = None
    mode: str | None = None
    """``managed``, ``AP``, ``monitor``, ``P2P-client``..."""
    phy_index: int | None = None
    ifindex: int | None = None
    tx_power_dbm: float | None = None

    def as_link(self) -> WifiLink:
        """What this says about the link: a managed interface with an SSID is associated."""
        state = ConnectionState.UNKNOWN
        if self.mode == "managed":
            hidden = self.ssid_hidden_reason is SsidHiddenReason.NOT_BROADCAST
            joined = self.ssid is not None or hidden
            state = ConnectionState.CONNECTED if joined else ConnectionState.DISCONNECTED
        return WifiLink(
            interface=self.interface,
            ssid=self.ssid,
            ssid_hidden_reason=self.ssid_hidden_reason,
            band=self.band,
            channel=self.channel,
            frequency_mhz=self.frequency_mhz,
            width_mhz=self.width_mhz,
            center_mhz=self.center_mhz,
            mac=self.mac,
            mode=self.mode,
            tx_power_dbm=self.tx_power_dbm,
            state=state,
        )


@dataclass(frozen=True, kw_only=True)
class WifiStation:
    """A peer in ``iw dev IF station dump``: on a client, the access point it is associated to."""

    mac: str | None
    """None when the tool printed a placeholder instead of the address (``<redacted>``)."""
    interface: str | None = None
    signal_dbm: float | None = None
    signal_avg_dbm: float | None = None
    tx_rate_mbps: float | None = None
    rx_rate_mbps: float | None = None
    phy_mode: PhyMode | None = None
    width_mhz: int | None = None
    mcs: int | None = None
    nss: int | None = None
    guard_interval_ns: int | None = None
    tx_packets: int | None = None
    rx_packets: int | None = None
    tx_retries: int | None = None
    tx_failed: int | None = None
    beacon_loss: int | None = None
    connected_time_s: int | None = None
    inactive_ms: int | None = None
    expected_throughput_mbps: float | None = None
    authorized: bool | None = None
    associated: bool | None = None
    limitations: tuple[Limitation, ...] = ()

    def as_link(self) -> WifiLink:
        """What this says about the link to this peer."""
        return WifiLink(
            interface=self.interface,
            bssid=self.mac,
            signal_dbm=self.signal_avg_dbm if self.signal_avg_dbm is not None else self.signal_dbm,
            tx_rate_mbps=self.tx_rate_mbps,
            rx_rate_mbps=self.rx_rate_mbps,
            phy_mode=self.phy_mode,
            width_mhz=self.width_mhz,
            mcs=self.mcs,
            nss=self.nss,
            guard_interval_ns=self.guard_interval_ns,
            state=ConnectionState.CONNECTED if self.associated else ConnectionState.UNKNOWN,
            limitations=self.limitations,
        )


@dataclass(frozen=True, kw_only=True)
class WifiSnapshot:
    """Links and neighbours from one tool that reports both (``system_profiler``)."""

    links: tuple[WifiLink, ...] = ()
    scan: WifiScan = WifiScan()


@dataclass(frozen=True, kw_only=True)
class WdutilInfo:
    """``wdutil info``: the Wi-Fi link plus the addressing the same output shows."""

    link: WifiLink
    primary_ipv4_interface: str | None = None
    ipv4_address: IPv4Address | None = None
    ipv4_router: IPv4Address | None = None
    dns: tuple[IPv4Address | IPv6Address, ...] = ()
    """Resolvers of the Wi-Fi service (WIFI section)."""
    dns_addresses: tuple[IPv4Address | IPv6Address, ...] = ()
    """Resolvers of the whole system (NETWORK section)."""


def link_from_network(network: WifiNetwork, *, interface: str | None = None) -> WifiLink:
    """A link built from the scan entry marked as associated (``nmcli`` ACTIVE row)."""
    return WifiLink(
        interface=interface or network.interface,
        state=ConnectionState.CONNECTED if network.associated else ConnectionState.UNKNOWN,
        signal_dbm=network.signal_dbm,
        signal_percent=network.signal_percent,
        noise_dbm=network.noise_dbm,
        max_rate_mbps=network.max_rate_mbps,
    ).with_network(network)


def normalise_label(text: str) -> str:
    """A label as a lookup key: NFC, no-break spaces as spaces, straight apostrophes, casefolded."""
    value = unicodedata.normalize("NFC", text)
    value = value.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")
    return " ".join(value.split()).casefold()
