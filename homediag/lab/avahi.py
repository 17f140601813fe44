"""avahi-daemon for one lab device, and its static service files.

Each device runs its own avahi-daemon in its own namespace. The daemon gets a private mount namespace
(``ip netns exec`` makes one) in which the device's config directory is bind-mounted over
``/etc/avahi`` and a tmpfs over ``/run`` gives it its own ``/run/avahi-daemon`` (PID file, socket).
Devices whose programs talk to avahi over D-Bus (the client's avahi-browse, ippeveprinter) get a
private system bus on an abstract socket, which is per network namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

DBUS_ADDRESS = "unix:abstract=homediag-lab-system-bus"
"""The system bus of a namespace (abstract sockets belong to the network namespace)."""

_DBUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>{address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
"""

_AVAHI_CONF = """[server]
host-name={host}
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=eth0
enable-dbus={dbus}
ratelimit-interval-usec=1000000
ratelimit-burst=1000

[wide-area]
enable-wide-area=no

[publish]
publish-hinfo=no
publish-workstation=no
publish-addresses=yes

[reflector]

[rlimits]
"""

_LAUNCH = (
    'mount --bind "$0" /etc/avahi && mount -t tmpfs -o mode=755 homediag-lab /run '
    "&& mkdir -p /run/avahi-daemon "
    "&& exec avahi-daemon --no-chroot --no-drop-root --no-rlimits -f /etc/avahi/avahi-daemon.conf"
)


MAX_LABEL_BYTES = 63
"""A DNS label (a DNS-SD instance name) holds at most 63 bytes; avahi refuses a longer one."""


def instance_label(name: str) -> str:
    """``name`` cut to the 63 bytes of a DNS label, as a device cuts a long user-given name (never in
    the middle of a character)."""
    raw = name.encode()
    if len(raw) <= MAX_LABEL_BYTES:
        return name
    return raw[:MAX_LABEL_BYTES].decode("utf-8", errors="ignore").rstrip()


@dataclass(frozen=True)
class ServiceRecord:
    """One DNS-SD service a device announces."""

    type: str
    """``_ipp._tcp``."""
    port: int
    name: str
    txt: tuple[tuple[str, str], ...] = ()
    subtypes: tuple[str, ...] = ()

    def to_xml(self) -> str:
        """An avahi ``.service`` file."""
        lines = [
            '<?xml version="1.0" standalone="no"?>',
            '<!DOCTYPE service-group SYSTEM "avahi-service.dtd">',
            "<service-group>",
            f"  <name>{escape(instance_label(self.name))}</name>",
            "  <service>",
            f"    <type>{escape(self.type)}</type>",
        ]
        lines += [f"    <subtype>{escape(sub)}</subtype>" for sub in self.subtypes]
        lines.append(f"    <port>{self.port}</port>")
        lines += [f"    <txt-record>{escape(k)}={escape(v)}</txt-record>" for k, v in self.txt]
        lines += ["  </service>", "</service-group>", ""]
        return "\n".join(lines)


def write_avahi_dir(directory: Path, *, host: str, services: list[ServiceRecord], dbus: bool) -> None:
    """Write the config directory bind-mounted over ``/etc/avahi`` for one device."""
    (directory / "services").mkdir(parents=True, exist_ok=True)
    (directory / "avahi-daemon.conf").write_text(
        _AVAHI_CONF.format(host=host, dbus="yes" if dbus else "no"), encoding="utf-8"
    )
    (directory / "hosts").write_text("", encoding="utf-8")
    for index, service in enumerate(services):
        (directory / "services" / f"s{index}.service").write_text(service.to_xml(), encoding="utf-8")


def avahi_argv(directory: Path) -> list[str]:
    """The command that starts avahi-daemon with ``directory`` as its ``/etc/avahi``."""
    return ["sh", "-c", _LAUNCH, str(directory)]


def write_dbus_conf(path: Path) -> None:
    """A permissive system bus config listening on the namespace's abstract socket."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_DBUS_CONF.format(address=DBUS_ADDRESS), encoding="utf-8")


def dbus_argv(conf: Path) -> list[str]:
    """The command that starts the namespace's system bus."""
    return ["dbus-daemon", f"--config-file={conf}", "--nofork", "--nopidfile"]
