"""net.nat on recorded IGD and public-address answers, and the GetExternalIPAddress SOAP codec."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from homediag.core.config import Config, InternetConfig
from homediag.core.http import HttpError, HttpResponse
from homediag.core.model import Outcome
from homediag.net.upnp.igd import (
    ActionReply,
    ExternalAddressReply,
    build_action,
    build_request,
    control_url_allowed,
    parse_action_response,
    parse_external_ip_response,
)
from homediag.net.upnp.safe_xml import UpnpXmlError
from homediag.probes.net.nat import NatProbe
from homediag.testing import ProbeOutcome, http_response, run_probe

FIXTURES = Path(__file__).parent.parent / "parsers" / "fixtures" / "upnp"
CONTROL = "http://192.0.2.1:5000/ctl/IPConn"
PUBLIC_URL = "http://192.0.2.53/ip"
WAN_IP = "urn:schemas-upnp-org:service:WANIPConnection:1"


def soap(address: str, service: str = WAN_IP) -> bytes:
    return (
        '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
        f'<u:GetExternalIPAddressResponse xmlns:u="{service}">'
        f"<NewExternalIPAddress>{address}</NewExternalIPAddress>"
        "</u:GetExternalIPAddressResponse></s:Body></s:Envelope>\r\n"
    ).encode()


FAULT_501 = (
    b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    b"<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
    b'<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>501</errorCode>'
    b"<errorDescription>Action Failed</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>"
)

IGD_FACTS: dict[str, object] = {
    "upnp.igd_present": True,
    "upnp.igd_address": "192.0.2.1",
    "upnp.igd_wan_services": [{"service_type": WAN_IP, "control_url": CONTROL}],
    "interface.subnet": "192.0.2.0/24",
}


def config(*urls: str) -> Config:
    return Config(internet=InternetConfig(public_ip_urls=urls))


def run_nat(
    answers: dict[str, HttpResponse | Exception],
    facts: dict[str, object] | None = None,
    urls: tuple[str, ...] = (PUBLIC_URL,),
) -> ProbeOutcome:
    return asyncio.run(
        run_probe(
            NatProbe, facts=facts if facts is not None else IGD_FACTS, http=answers, config=config(*urls)
        )  # type: ignore[arg-type]
    )


# --- SOAP codec -----------------------------------------------------------------------------------


def test_request_is_the_read_only_action_for_the_service() -> None:
    body, headers = build_request("urn:schemas-upnp-org:service:WANPPPConnection:1")
    assert b"<u:GetExternalIPAddress " in body
    assert b"AddPortMapping" not in body and b"DeletePortMapping" not in body
    assert headers["SOAPAction"] == '"urn:schemas-upnp-org:service:WANPPPConnection:1#GetExternalIPAddress"'


@pytest.mark.parametrize(
    "service",
    [
        "urn:schemas-upnp-org:service:Layer3Forwarding:1",
        'x"><evil/>',
        "urn:schemas-upnp-org:service:WANIPConnection:1\r\nX: y",
    ],
)
def test_request_refuses_other_service_types(service: str) -> None:
    with pytest.raises(ValueError):
        build_request(service)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(soap("203.0.113.7"), ExternalAddressReply("203.0.113.7"), id="address"),
        pytest.param(soap(" 100.64.3.4 \n"), ExternalAddressReply("100.64.3.4"), id="address-with-space"),
        pytest.param(
            (FIXTURES / "miniupnpd-2.3.1-GetExternalIPAddress-none.xml").read_bytes(),
            ExternalAddressReply(""),
            id="real-miniupnpd-without-external-address",
        ),
        pytest.param(FAULT_501, ExternalAddressReply(None, 501, "Action Failed"), id="upnp-error-501"),
    ],
)
def test_soap_answers(data: bytes, expected: ExternalAddressReply) -> None:
    assert parse_external_ip_response(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<html>login</html>", id="not-an-envelope"),
        pytest.param(b'<s:Envelope xmlns:s="x"><s:Body/></s:Envelope>', id="empty-body"),
        pytest.param(b'<!DOCTYPE s [<!ENTITY a "b">]><s:Envelope xmlns:s="x"/>', id="entity"),
        pytest.param(b"<Envelope>" + b"<a>" * 100 + b"</a>" * 100 + b"</Envelope>", id="deep"),
        pytest.param(b"<Envelope>" + b" " * (65 * 1024) + b"</Envelope>", id="over-64-kib"),
    ],
)
def test_bad_soap_answers_are_refused(data: bytes) -> None:
    with pytest.raises(UpnpXmlError):
        parse_external_ip_response(data)


def test_only_read_only_actions_of_the_right_service_are_built() -> None:
    body, headers = build_action(
        "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1", "GetCommonLinkProperties"
    )
    assert b"<u:GetCommonLinkProperties " in body
    assert headers["SOAPAction"].endswith('#GetCommonLinkProperties"')
    assert build_action(WAN_IP, "GetExternalIPAddress") == build_request(WAN_IP)
    for service, action in [
        (WAN_IP, "AddPortMapping"),  # changes the router: never built
        (WAN_IP, "ForceTermination"),
        (WAN_IP, "GetCommonLinkProperties"),  # an action of another service
        ("urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1", "GetStatusInfo"),
    ]:
        with pytest.raises(ValueError):
            build_action(service, action)


def test_action_answers_give_their_output_arguments_or_the_fault() -> None:
    answer = (
        b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<u:GetStatusInfoResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">'
        b"<NewConnectionStatus>Connected</NewConnectionStatus><NewLastConnectionError>ERROR_NONE"
        b"</NewLastConnectionError><NewUptime> 4242 </NewUptime></u:GetStatusInfoResponse>"
        b"</s:Body></s:Envelope>"
    )
    reply = parse_action_response(answer, "GetStatusInfo")
    assert reply.ok and reply.values == {
        "NewConnectionStatus": "Connected",
        "NewLastConnectionError": "ERROR_NONE",
        "NewUptime": "4242",
    }
    assert parse_action_response(FAULT_501, "GetStatusInfo") == ActionReply(
        fault_code=501, fault_description="Action Failed"
    )
    with pytest.raises(UpnpXmlError):
        parse_action_response(answer, "GetCommonLinkProperties")  # the answer to another action


# --- the probe ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wan", "public", "wan_class", "public_class", "private", "equal"),
    [
        pytest.param("203.0.113.7", "203.0.113.7", "public", "public", False, True, id="plain-nat"),
        pytest.param("192.168.178.20", "203.0.113.7", "private", "public", True, False, id="double-nat"),
        pytest.param("100.64.3.4", "203.0.113.7", "cgnat", "public", False, False, id="cgnat"),
        pytest.param("10.1.2.3", "100.64.9.9", "private", "cgnat", True, False, id="double-nat-behind-cgnat"),
    ],
)
def test_wan_and_public_classes(
    wan: str, public: str, wan_class: str, public_class: str, private: bool, equal: bool
) -> None:
    outcome = run_nat(
        {
            CONTROL: http_response(CONTROL, body=soap(wan)),
            PUBLIC_URL: http_response(PUBLIC_URL, body=public + "\n"),
        }
    )
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("nat.wan_address") == wan
    assert outcome.value("nat.wan_class") == wan_class
    assert outcome.value("nat.wan_is_private") is private
    assert outcome.value("nat.public_address") == public
    assert outcome.value("nat.public_class") == public_class
    assert outcome.value("nat.wan_equals_public") is equal


def test_addresses_are_dropped_from_shared_reports() -> None:
    outcome = run_nat(
        {
            CONTROL: http_response(CONTROL, body=soap("203.0.113.7")),
            PUBLIC_URL: http_response(PUBLIC_URL, body="203.0.113.7"),
        }
    )
    sensitive = {o.fact for o in outcome.result.observations if o.sensitive}
    assert sensitive == {"nat.wan_address", "nat.public_address", "nat.upstream_address"}
    assert all("203.0.113.7" not in (o.evidence or "") for o in outcome.result.observations)


def test_an_igd_without_external_address_is_class_none() -> None:
    outcome = run_nat(
        {
            CONTROL: http_response(
                CONTROL, body=(FIXTURES / "miniupnpd-2.3.1-GetExternalIPAddress-none.xml").read_bytes()
            ),
            PUBLIC_URL: http_response(PUBLIC_URL, body="203.0.113.7"),
        }
    )
    assert outcome.value("nat.wan_address") is None
    assert outcome.value("nat.wan_class") == "none"
    assert outcome.value("nat.wan_is_private") is None
    assert outcome.value("nat.wan_equals_public") is None


def test_no_igd_means_no_wan_measurement_but_the_public_address_is_still_read() -> None:
    outcome = run_nat(
        {PUBLIC_URL: http_response(PUBLIC_URL, body="203.0.113.7")},
        facts={
            "upnp.igd_present": False,
            "upnp.igd_address": None,
            "upnp.igd_wan_services": [],
            "interface.subnet": "192.0.2.0/24",
        },
    )
    assert outcome.value("nat.wan_class") is None
    assert "no UPnP IGD" in (outcome.observations("nat.wan_address")[0].evidence or "")
    assert outcome.value("nat.public_class") == "public"


def test_a_fault_on_the_first_service_falls_back_to_the_second() -> None:
    ppp = "http://192.0.2.1:5000/ctl/PPPConn"
    facts = {
        **IGD_FACTS,
        "upnp.igd_wan_services": [
            {"service_type": WAN_IP, "control_url": CONTROL},
            {"service_type": "urn:schemas-upnp-org:service:WANPPPConnection:1", "control_url": ppp},
        ],
    }
    outcome = run_nat(
        {
            CONTROL: http_response(CONTROL, 500, FAULT_501),
            ppp: http_response(ppp, body=soap("100.64.0.9")),
            PUBLIC_URL: http_response(PUBLIC_URL, body="203.0.113.7"),
        },
        facts=facts,
    )
    assert outcome.value("nat.wan_class") == "cgnat"


def test_every_service_failing_is_not_measured_with_the_reasons() -> None:
    outcome = run_nat(
        {CONTROL: http_response(CONTROL, 500, FAULT_501), PUBLIC_URL: HttpError("connection refused")}
    )
    assert outcome.value("nat.wan_class") is None
    assert "501" in (outcome.observations("nat.wan_address")[0].evidence or "")
    assert outcome.value("nat.public_class") is None
    assert "connection refused" in (outcome.observations("nat.public_address")[0].evidence or "")


def test_a_control_url_on_another_host_is_never_called() -> None:
    facts = {
        **IGD_FACTS,
        "upnp.igd_wan_services": [{"service_type": WAN_IP, "control_url": "http://198.51.100.9/ctl"}],
    }
    outcome = run_nat({PUBLIC_URL: http_response(PUBLIC_URL, body="203.0.113.7")}, facts=facts)
    assert outcome.result.outcome is Outcome.OK  # an unrecorded request would have failed the run
    assert outcome.value("nat.wan_class") is None


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        pytest.param(CONTROL, True, id="igd-address"),
        pytest.param("http://192.0.2.2:5000/ctl", False, id="other-lan-host"),
        pytest.param("http://127.0.0.1:5000/ctl", False, id="loopback"),
        pytest.param("http://router.lan/ctl", False, id="name"),
        pytest.param("ftp://192.0.2.1/ctl", False, id="scheme"),
        pytest.param("http://x@192.0.2.1/ctl", False, id="credentials"),
    ],
)
def test_control_url_rules(url: str, allowed: bool) -> None:
    assert control_url_allowed(url, "192.0.2.1", "192.0.2.0/24") is allowed


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param("<html>blocked</html>", 200, id="html-page"),
        pytest.param("203.0.113.7", 403, id="forbidden"),
        pytest.param("", 200, id="empty"),
        pytest.param("203.0.113.7, 198.51.100.1", 200, id="two-addresses"),
    ],
)
def test_public_address_must_be_one_plain_address(body: str, status: int) -> None:
    second = "http://192.0.2.54/ip"
    outcome = run_nat(
        {
            CONTROL: http_response(CONTROL, body=soap("203.0.113.7")),
            PUBLIC_URL: http_response(PUBLIC_URL, status, body),
            second: http_response(second, body="198.51.100.20"),
        },
        urls=(PUBLIC_URL, second),
    )
    assert outcome.value("nat.public_address") == "198.51.100.20", "the next URL is asked"
    assert outcome.value("nat.wan_equals_public") is False


def test_no_public_ip_urls_configured() -> None:
    outcome = run_nat({CONTROL: http_response(CONTROL, body=soap("203.0.113.7"))}, urls=())
    assert outcome.value("nat.public_address") is None
    assert outcome.value("nat.wan_class") == "public"


def test_a_failed_ssdp_search_is_not_reported_as_no_igd() -> None:
    outcome = run_nat({PUBLIC_URL: http_response(PUBLIC_URL, body="203.0.113.7")}, facts={})
    assert outcome.value("nat.wan_class") is None
    assert "did not run" in (outcome.observations("nat.wan_address")[0].evidence or "")
