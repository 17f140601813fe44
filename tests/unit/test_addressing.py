"""Address classes for NAT classification, and the scan-safety check."""

from __future__ import annotations

import ipaddress

import pytest

from homediag.core.errors import ScanRefused
from homediag.net.addressing import (
    AddressClass,
    check_scan_target,
    classify_address,
    classify_text,
    parse_address,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("203.0.113.7", AddressClass.PUBLIC, id="documentation-range-counts-as-public"),
        pytest.param("198.51.100.1", AddressClass.PUBLIC, id="test-net-2-public"),
        pytest.param("192.0.2.200", AddressClass.PUBLIC, id="test-net-1-public"),
        pytest.param("8.8.8.8", AddressClass.PUBLIC, id="global-unicast"),
        pytest.param("192.168.1.5", AddressClass.PRIVATE, id="rfc1918-192-168"),
        pytest.param("10.0.0.1", AddressClass.PRIVATE, id="rfc1918-10"),
        pytest.param("172.31.255.254", AddressClass.PRIVATE, id="rfc1918-172-16-12-upper-end"),
        pytest.param("172.32.0.1", AddressClass.PUBLIC, id="just-outside-172-16-12"),
        pytest.param("100.64.0.1", AddressClass.CGNAT, id="cgnat-lower-end"),
        pytest.param("100.127.255.254", AddressClass.CGNAT, id="cgnat-upper-end"),
        pytest.param("100.128.0.1", AddressClass.PUBLIC, id="just-outside-cgnat"),
        pytest.param("169.254.10.20", AddressClass.LINK_LOCAL, id="apipa"),
        pytest.param("127.0.0.1", AddressClass.LOOPBACK, id="loopback"),
        pytest.param("0.0.0.0", AddressClass.NONE, id="unspecified-is-none"),
        pytest.param("224.0.0.1", AddressClass.RESERVED, id="multicast"),
        pytest.param("240.0.0.1", AddressClass.RESERVED, id="class-e"),
        pytest.param("198.18.0.1", AddressClass.RESERVED, id="benchmarking"),
        pytest.param("2001:db8::1", AddressClass.PUBLIC, id="ipv6-documentation-public"),
        pytest.param("2606:4700:4700::1111", AddressClass.PUBLIC, id="ipv6-global"),
        pytest.param("fd00::1", AddressClass.PRIVATE, id="ipv6-ula"),
        pytest.param("fe80::1%eth0", AddressClass.LINK_LOCAL, id="ipv6-link-local-with-zone"),
        pytest.param("::1", AddressClass.LOOPBACK, id="ipv6-loopback"),
        pytest.param("::", AddressClass.NONE, id="ipv6-unspecified"),
        pytest.param("ff02::1", AddressClass.RESERVED, id="ipv6-multicast"),
        pytest.param("::ffff:100.64.1.1", AddressClass.CGNAT, id="ipv4-mapped-follows-ipv4"),
        pytest.param("", AddressClass.NONE, id="empty"),
        pytest.param("  ", AddressClass.NONE, id="blank"),
        pytest.param("not an address", AddressClass.NONE, id="junk-is-none"),
        pytest.param("127.1", AddressClass.NONE, id="short-form-is-not-an-address"),
        pytest.param("2130706433", AddressClass.NONE, id="integer-form-is-not-an-address"),
    ],
)
def test_address_classes(text: str, expected: AddressClass) -> None:
    assert classify_text(text) is expected


def test_none_is_class_none() -> None:
    assert classify_address(None) is AddressClass.NONE


def test_parse_address_refuses_junk_and_accepts_surrounding_space() -> None:
    assert parse_address(" 203.0.113.7\n") == ipaddress.IPv4Address("203.0.113.7")
    assert parse_address("") is None
    with pytest.raises(ValueError):
        parse_address("203.0.113.7.1")
    with pytest.raises(ValueError):
        parse_address("1" * 100)


@pytest.mark.parametrize(
    ("network", "allow_large", "expected"),
    [
        pytest.param("192.168.1.0/24", False, "192.168.1.0/24", id="home-slash-24"),
        pytest.param("192.168.1.23/24", False, "192.168.1.0/24", id="host-bits-ignored"),
        pytest.param(ipaddress.IPv4Interface("10.1.2.3/22"), False, "10.1.0.0/22", id="interface-slash-22"),
        pytest.param("172.16.5.0/24", False, "172.16.5.0/24", id="rfc1918-172"),
        pytest.param("192.0.2.0/24", False, "192.0.2.0/24", id="documentation-allowed-as-test-range"),
        pytest.param("203.0.113.128/25", False, "203.0.113.128/25", id="documentation-subnet"),
        pytest.param("10.0.0.0/16", True, "10.0.0.0/16", id="slash-16-with-allow-large"),
        pytest.param(ipaddress.IPv4Network("192.168.0.0/23"), False, "192.168.0.0/23", id="network-object"),
    ],
)
def test_scan_targets_allowed(network: object, allow_large: bool, expected: str) -> None:
    assert check_scan_target(network, allow_large=allow_large) == ipaddress.IPv4Network(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("network", "allow_large", "fragment"),
    [
        pytest.param("8.8.8.0/24", False, "not a private subnet", id="public-refused"),
        pytest.param("100.64.0.0/24", False, "carrier-grade NAT", id="cgnat-refused"),
        pytest.param("100.64.0.0/10", True, "carrier-grade NAT", id="cgnat-refused-even-when-large-allowed"),
        pytest.param("127.0.0.0/24", False, "not a private subnet", id="loopback-refused"),
        pytest.param("169.254.0.0/16", True, "not a private subnet", id="link-local-refused"),
        pytest.param("10.0.0.0/16", False, "--allow-large-subnet", id="slash-16-needs-allow-large"),
        pytest.param("192.168.0.0/21", False, "--allow-large-subnet", id="slash-21-needs-allow-large"),
        pytest.param("10.0.0.0/8", True, "never scanned", id="slash-8-always-refused"),
        pytest.param("10.0.0.0/15", True, "never scanned", id="slash-15-always-refused"),
        pytest.param("192.168.0.0/15", True, "not a private subnet", id="straddles-rfc1918-block"),
        pytest.param("2001:db8::/64", False, "IPv6", id="ipv6-never-swept"),
        pytest.param("fd00::/64", False, "IPv6", id="ipv6-ula-never-swept"),
        pytest.param("garbage", False, "not a subnet", id="junk"),
    ],
)
def test_scan_targets_refused(network: str, allow_large: bool, fragment: str) -> None:
    with pytest.raises(ScanRefused, match=fragment):
        check_scan_target(network, allow_large=allow_large)


def test_max_prefix_is_configurable() -> None:
    assert check_scan_target("10.0.0.0/20", max_prefix=20) == ipaddress.IPv4Network("10.0.0.0/20")
    with pytest.raises(ScanRefused):
        check_scan_target("10.0.0.0/24", max_prefix=25)
    with pytest.raises(ScanRefused, match="between"):
        check_scan_target("10.0.0.0/24", max_prefix=4)
