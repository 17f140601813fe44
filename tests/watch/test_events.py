"""Events found in samples: where, when, and nothing from noise."""

from __future__ import annotations

from homediag.watch.events import Event, EventKind, Location, detect
from homediag.watch.samples import Kind, Sample, info_of
from homediag.watch.windows import windows
from tests.watch.history import GATEWAY, T0, path_samples


def _kinds(samples: list[Sample]) -> list[tuple[str, str]]:
    return [(e.kind.value, e.location.value) for e in detect(samples)]


def _own(samples: list[Sample]) -> list[Event]:
    """The events of their own (not lookups that failed because a loss event lost their packets)."""
    return [e for e in detect(samples) if e.during is None]


def test_a_healthy_path_has_no_event() -> None:
    assert detect(path_samples(T0, 300)) == []


def test_a_single_lost_echo_is_noise_not_an_event() -> None:
    samples = path_samples(T0, 60)
    lost = next(i for i, s in enumerate(samples) if s.subject == GATEWAY and s.t > T0 + 30)
    samples[lost] = Sample(samples[lost].t, Kind.PING, GATEWAY, False)
    assert detect(samples) == []


def test_loss_to_the_gateway_is_located_between_this_computer_and_the_router_within_5_s() -> None:
    everything = detect(path_samples(T0, 180, lan_loss=[(60, 100)]))
    found = _own(path_samples(T0, 180, lan_loss=[(60, 100)]))
    assert [(e.kind, e.location) for e in found] == [(EventKind.LOSS, Location.LAN)]
    # lookups whose packets the loss took are listed with it, at its place
    assert {(e.kind, e.location) for e in everything if e.during is not None} <= {
        (EventKind.DNS_FAILURE, Location.LAN)
    }
    assert abs(found[0].start - (T0 + 60)) < 5 and abs(found[0].end - (T0 + 100)) < 5


def test_loss_beyond_a_clean_gateway_is_located_beyond_the_router() -> None:
    found = detect(path_samples(T0, 180, wan_loss=[(30, 90)]))
    assert [(e.kind, e.location) for e in found] == [(EventKind.LOSS, Location.WAN)]


def test_every_echo_lost_is_an_outage() -> None:
    found = _own(path_samples(T0, 120, lan_loss=[(40, 60)], loss_share=1.0))
    assert [(e.kind, e.location) for e in found] == [(EventKind.OUTAGE, Location.LAN)]
    assert abs(found[0].duration_s - 20) < 2


def test_slow_dns_alone_is_dns_only_and_slow_dns_during_loss_belongs_to_the_loss() -> None:
    alone = detect(path_samples(T0, 180, dns_slow=[(100, 140)]))
    assert [(e.kind, e.location) for e in alone] == [(EventKind.DNS_SLOW, Location.DNS)]
    assert abs(alone[0].start - (T0 + 100)) < 5 and abs(alone[0].end - (T0 + 140)) < 5
    during = detect(path_samples(T0, 180, lan_loss=[(50, 150)], dns_slow=[(80, 120)]))
    dns = [e for e in during if e.kind in (EventKind.DNS_SLOW, EventKind.DNS_FAILURE)]
    assert dns and all(e.location is Location.LAN and e.during is not None for e in dns)
    assert [w.complaint for w in windows(during)] == ["unstable-connection"]


def test_lookups_lost_in_a_loss_do_not_stretch_the_slow_dns_that_follows() -> None:
    found = _own(path_samples(T0, 180, lan_loss=[(60, 100)], dns_slow=[(100, 140)]))
    slow = [e for e in found if e.kind is EventKind.DNS_SLOW]
    assert len(slow) == 1 and slow[0].location is Location.DNS
    assert abs(slow[0].start - (T0 + 100)) < 5


def test_wifi_roams_disconnects_weak_signal_and_the_os_log() -> None:
    samples = []
    for i in range(60):
        t = T0 + 5 * i
        bssid = "02:00:00:00:00:01" if i < 20 else "02:00:00:00:00:02"
        connected = not 30 <= i < 33
        signal = -75.0 if 40 <= i < 46 else -55.0
        samples.append(
            Sample(
                t,
                Kind.WIFI,
                "if:wlan0",
                connected,
                signal if connected else None,
                info_of({"bssid": bssid}) if connected else None,
            )
        )
    samples.append(Sample(T0 + 280, Kind.OSLOG, "if:wlan0", False, info=info_of({"event": "disconnected"})))
    samples.append(Sample(T0 + 283, Kind.OSLOG, "if:wlan0", True, info=info_of({"event": "connected"})))
    kinds = _kinds(sorted(samples, key=lambda s: s.t))
    assert ("wifi-roam", "wifi") in kinds
    assert kinds.count(("wifi-disconnect", "wifi")) == 2
    assert ("wifi-weak", "wifi") in kinds


def test_a_new_address_or_gateway_is_a_lease_change() -> None:
    link = [
        Sample(
            T0, Kind.LINK, "if:eth0", True, info=info_of({"gateway": "192.0.2.1", "ipv4": ["192.0.2.10"]})
        ),
        Sample(
            T0 + 60,
            Kind.LINK,
            "if:eth0",
            True,
            info=info_of({"gateway": "192.0.2.1", "ipv4": ["192.0.2.11"]}),
        ),
    ]
    assert _kinds(link) == [("lease-change", "lan")]


def test_slow_lookups_with_good_ones_between_are_no_event() -> None:
    # A cold cache makes the first lookup of each run slow: two runs a few seconds apart are not DNS
    # trouble while good answers come between them.
    samples = path_samples(T0, 60)
    lookups = [i for i, s in enumerate(samples) if s.kind is Kind.DNS]
    for i in (lookups[0], lookups[4]):
        samples[i] = Sample(samples[i].t, Kind.DNS, samples[i].subject, True, 728.0)
    assert detect(samples) == []
