"""Fixtures for probes that send packets: a throwaway home LAN in network namespaces per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.netns import Topology, require_netns


@pytest.fixture
def lan() -> Iterator[Topology]:
    """``router`` (bridge 192.0.2.1/24) and ``client`` (192.0.2.10/24); deleted after the test."""
    require_netns()
    topology = Topology()
    try:
        topology.home_lan()
        yield topology
    finally:
        topology.close()
