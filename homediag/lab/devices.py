"""The daemons of the home's devices, each in a namespace of its own: an IPP Everywhere printer
(ippeveprinter behind avahi), cast, Hue, HomeKit and Matter devices (avahi announcements and small
servers), an MQTT broker (mosquitto), a DLNA media server, and a hostile device."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from homediag.lab import system
from homediag.lab.avahi import DBUS_ADDRESS, ServiceRecord
from homediag.lab.runtime import DaemonSpec, Runtime
from homediag.lab.scenario import DeviceSpec, Role
from homediag.lab.services import (
    SERVERS,
    all_ready,
    avahi_specs,
    dbus_spec,
    stable_hex,
    stable_uuid,
    tcp_ready,
    telnet_spec,
    udp_ready,
)
from homediag.lab.topology import namespaced_devices

DLNA_PORT = 8200
IPP_BACKEND_PORT = 8631

# --- devices -------------------------------------------------------------------------------------


def device_specs(rt: Runtime) -> list[DaemonSpec]:
    """The daemons of every device that has a namespace of its own."""
    specs: list[DaemonSpec] = []
    for key, dev in namespaced_devices(rt):
        builder = _BUILDERS.get(dev.role)
        if builder is not None:
            specs += builder(rt, key, dev)
    return specs


def _printer(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    ns = rt.ns(key)
    directory = rt.dir(key)
    spool = directory / "spool"
    spool.mkdir(exist_ok=True)
    model = dev.model or dev.name
    maker = _printer_maker(dev)
    uuid = stable_uuid("printer" + dev.mac)
    host = dev.hostname
    txt = (
        ("txtvers", "1"),
        ("qtotal", "1"),
        ("rp", "ipp/print"),
        ("ty", f"{maker} {model}"),
        ("product", f"({model})"),
        ("usb_MFG", maker),
        ("usb_MDL", model),
        ("note", "Office"),
        ("adminurl", f"http://{host}.local./"),
        ("priority", "25"),
        ("pdl", "application/pdf,image/urf,image/pwg-raster"),
        ("Color", "F"),
        ("Duplex", "T"),
        ("kind", "document"),
        ("PaperMax", "legal-A4"),
        ("URF", "W8,CP1,IS1-4,MT1-3-4-5-8-11,OB10,PQ4,RS300-600,V1.4,DM1"),
        ("TLS", "1.2"),
        ("UUID", uuid),
        ("printer-type", "0x480904E"),
    )
    services = [
        ServiceRecord("_ipp._tcp", 631, dev.name, txt, subtypes=("_universal._sub._ipp._tcp",)),
    ]
    system.nft(
        ns,
        f"""
table inet printer {{
    chain input {{
        type filter hook input priority 0; policy accept;
        iifname "eth0" tcp dport {IPP_BACKEND_PORT} reject with tcp reset
    }}
}}
""",
    )
    env = {"DBUS_SYSTEM_BUS_ADDRESS": DBUS_ADDRESS}
    return [
        dbus_spec(rt, key),
        *avahi_specs(rt, key, host, services, dbus=True),
        DaemonSpec(
            f"{key}.ippeveprinter",
            ns,
            [
                "ippeveprinter",
                "-r",
                "off",
                "-p",
                str(IPP_BACKEND_PORT),
                "-d",
                str(spool),
                "-M",
                maker,
                "-m",
                model,
                "-l",
                "Office",
                "-f",
                "application/pdf,image/pwg-raster,image/urf",
                "-s",
                "30",
                "-2",
                dev.name,
            ],
            env=env,
            ready=tcp_ready(IPP_BACKEND_PORT),
            after=f"{key}.avahi",  # ippeveprinter needs avahi's D-Bus API, even with -r off
        ),
        DaemonSpec(
            f"{key}.ippfront",
            ns,
            rt.python(
                f"{SERVERS}.ipp_front",
                "--listen",
                "0.0.0.0:631",
                "--backend",
                f"127.0.0.1:{IPP_BACKEND_PORT}",
                "--state",
                str(directory / "paused"),
                "--public-host",
                f"{host}.local",
            ),
            ready=tcp_ready(631),
        ),
    ]


def _printer_maker(dev: DeviceSpec) -> str:
    for prefix, maker in (("Brother", "Brother"), ("HP", "HP"), ("Seiko Epson", "EPSON"), ("Canon", "Canon")):
        if dev.vendor.startswith(prefix):
            return maker
    return dev.vendor.split(" ")[0]


def _device_web(rt: Runtime, key: str, spec: Mapping[str, object], ready_port: int) -> DaemonSpec:
    path = rt.dir(key) / "web.json"
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return DaemonSpec(
        f"{key}.web",
        rt.ns(key),
        rt.python(f"{SERVERS}.device_web", "--spec", str(path)),
        ready=tcp_ready(ready_port),
    )


def _cast(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    cast_id = stable_hex("cast" + dev.mac, 32)
    model = dev.model or "Chromecast"
    txt = (
        ("id", cast_id),
        ("cd", stable_hex("cd" + dev.mac, 32).upper()),
        ("rm", ""),
        ("ve", "05"),
        ("md", model),
        ("ic", "/setup/icon.png"),
        ("fn", dev.name),
        ("ca", "201221"),
        ("st", "0"),
        ("bs", stable_hex("bs" + dev.mac, 12).upper()),
        ("nf", "1"),
        ("rs", ""),
    )
    services = [ServiceRecord("_googlecast._tcp", 8009, f"{model}-{cast_id}", txt)]
    eureka = {
        "name": dev.name,
        "build_info": {"cast_build_revision": "1.56.500000", "system_build_number": "500000"},
        "device_info": {
            "manufacturer": "Google Inc.",
            "product_name": model.lower(),
            "mac_address": dev.mac.upper(),
        },
        "net": {"ip_address": str(dev.ip)},
        "ssdp_udn": stable_uuid("udn" + dev.mac),
        "uptime": 86400.0,
    }
    desc = (
        '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion>"
        f"<URLBase>http://{dev.ip}:8008</URLBase><device>"
        "<deviceType>urn:dial-multiscreen-org:device:dial:1</deviceType>"
        f"<friendlyName>{escape(dev.name)}</friendlyName><manufacturer>Google Inc.</manufacturer>"
        f"<modelName>{model}</modelName><UDN>uuid:{stable_uuid('udn' + dev.mac)}</UDN>"
        "</device></root>"
    )
    web = {
        "http": [
            {
                "port": 8008,
                "routes": {
                    "/setup/eureka_info": {"type": "application/json", "body": json.dumps(eureka)},
                    "/ssdp/device-desc.xml": {"type": "application/xml", "body": desc},
                },
            }
        ],
        "tcp": [8009],
        # Cast devices also answer DIAL discovery (SSDP), which apps use to find them.
        "ssdp": {
            "ip": str(dev.ip),
            "location": f"http://{dev.ip}:8008/ssdp/device-desc.xml",
            "server": "Linux/3.8.13+, UPnP/1.0, Portable SDK for UPnP devices/1.6.18",
            "uuid": stable_uuid("udn" + dev.mac),
            "types": [
                "upnp:rootdevice",
                "urn:dial-multiscreen-org:device:dial:1",
                "urn:dial-multiscreen-org:service:dial:1",
            ],
        },
    }
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        _device_web(rt, key, web, 8008),
    ]


def _hue(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    mac_hex = dev.mac.replace(":", "")
    bridge_id = (mac_hex[:6] + "fffe" + mac_hex[6:]).upper()
    model = dev.model or "BSB002"
    uuid = f"2f402f80-da50-11e1-9b23-{mac_hex}"
    services = [
        ServiceRecord(
            "_hue._tcp",
            443,
            f"{dev.name} - {bridge_id[-6:]}",
            (("bridgeid", bridge_id.lower()), ("modelid", model)),
        )
    ]
    config = {
        "name": dev.name,
        "datastoreversion": "163",
        "swversion": "1967054020",
        "apiversion": "1.67.0",
        "mac": dev.mac,
        "bridgeid": bridge_id,
        "factorynew": False,
        "replacesbridgeid": None,
        "modelid": model,
        "starterkitid": "",
    }
    desc = (
        '<?xml version="1.0" encoding="UTF-8" ?><root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion>"
        f"<URLBase>http://{dev.ip}:80/</URLBase><device>"
        "<deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>"
        f"<friendlyName>{escape(dev.name)} ({dev.ip})</friendlyName>"
        "<manufacturer>Signify</manufacturer><manufacturerURL>http://www.philips-hue.com</manufacturerURL>"
        "<modelDescription>Philips hue Personal Wireless Lighting</modelDescription>"
        "<modelName>Philips hue bridge 2015</modelName>"
        f"<modelNumber>{model}</modelNumber><serialNumber>{mac_hex}</serialNumber>"
        f"<UDN>uuid:{uuid}</UDN><presentationURL>index.html</presentationURL></device></root>"
    )
    web = {
        "http": [
            {
                "port": 80,
                "routes": {
                    "/api/config": {"type": "application/json", "body": json.dumps(config)},
                    "/api/nouser/config": {"type": "application/json", "body": json.dumps(config)},
                    "/description.xml": {"type": "text/xml", "body": desc},
                },
            }
        ],
        "tcp": [443],
        "ssdp": {
            "ip": str(dev.ip),
            "location": f"http://{dev.ip}:80/description.xml",
            "server": "Hue/1.0 UPnP/1.0 IpBridge/1.67.0",
            "uuid": uuid,
            "types": ["upnp:rootdevice", "urn:schemas-upnp-org:device:basic:1"],
            "headers": {"hue-bridgeid": bridge_id},
        },
    }
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        _device_web(rt, key, web, 80),
    ]


def _homekit(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    device_id = ":".join(stable_hex("hap" + dev.mac, 12).upper()[i : i + 2] for i in range(0, 12, 2))
    txt = (
        ("c#", "4"),
        ("ff", "1"),
        ("id", device_id),
        ("md", dev.model or dev.name),
        ("pv", "1.1"),
        ("s#", "1"),
        ("sf", "0"),
        ("ci", "9"),
        ("sh", "q2Z3Ng=="),
    )
    services = [ServiceRecord("_hap._tcp", 8080, dev.name, txt)]
    web = {
        "http": [
            {
                "port": 8080,
                "routes": {},
                "default": {
                    "status": 470,
                    "type": "application/hap+json",
                    "body": '{"status":-70401}',
                },
            }
        ]
    }
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        _device_web(rt, key, web, 8080),
    ]


def _matter(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    fabric = stable_hex("fabric", 16).upper()
    node = stable_hex("node" + dev.mac, 16).upper()
    services = [
        ServiceRecord(
            "_matter._tcp",
            5540,
            f"{fabric}-{node}",
            (("SII", "5000"), ("SAI", "300"), ("T", "0")),
            subtypes=(f"_I{fabric}._sub._matter._tcp",),
        )
    ]
    return avahi_specs(rt, key, dev.hostname, services, dbus=False)


def mosquitto_conf(rt: Runtime, key: str, *, anonymous: bool) -> Path:
    """mosquitto's config: a password file in the healthy lab, anonymous access as a fault."""
    directory = rt.dir(key)
    passwd = directory / "mosquitto.passwd"
    if not passwd.exists():
        system.run(["mosquitto_passwd", "-b", "-c", str(passwd), "homeassistant", "lab-secret"])
        passwd.chmod(0o600)
    conf = directory / "mosquitto.conf"
    conf.write_text(
        "\n".join(
            [
                "per_listener_settings false",
                "listener 1883 0.0.0.0",
                f"allow_anonymous {'true' if anonymous else 'false'}",
                f"password_file {passwd}",
                "persistence false",
                "log_dest stderr",
                "user root",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return conf


def mosquitto_spec(rt: Runtime, key: str, *, anonymous: bool) -> DaemonSpec:
    """The MQTT broker."""
    conf = mosquitto_conf(rt, key, anonymous=anonymous)
    return DaemonSpec(f"{key}.mosquitto", rt.ns(key), ["mosquitto", "-c", str(conf)], ready=tcp_ready(1883))


def _mqtt(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    services = [ServiceRecord("_mqtt._tcp", 1883, f"Mosquitto on {dev.name}")]
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        mosquitto_spec(rt, key, anonymous=rt.profile.mqtt_anonymous),
    ]


def _dlna(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    directory = rt.dir(key)
    media = directory / "media"
    media.mkdir(exist_ok=True)
    for name, size in (("Holiday 2023.mp3", 4096), ("Garden.jpg", 2048)):
        path = media / name
        if not path.exists():
            path.write_bytes(b"\0" * size)
    (directory / "db").mkdir(exist_ok=True)
    conf = directory / "minidlna.conf"
    conf.write_text(
        "\n".join(
            [
                f"media_dir={media}",
                f"db_dir={directory / 'db'}",
                f"log_dir={directory}",
                f"friendly_name={dev.name}",
                "network_interface=eth0",
                f"port={DLNA_PORT}",
                "inotify=no",
                "notify_interval=30",
                f"serial={stable_hex('dlna' + dev.mac, 12)}",
                f"model_name={dev.model or 'Windows Media Connect compatible (MiniDLNA)'}",
                f"uuid={stable_uuid('dlna' + dev.mac)}",
                "",
            ]
        ),
        encoding="utf-8",
    )
    telnet = [telnet_spec(rt, key, dev.ip)] if rt.profile.telnet == "nas" else []
    return [
        *telnet,
        *avahi_specs(rt, key, dev.hostname, [], dbus=False),
        DaemonSpec(
            f"{key}.minidlna",
            rt.ns(key),
            ["minidlnad", "-f", str(conf), "-P", str(directory / "minidlna.pid"), "-S"],
            ready=all_ready(tcp_ready(DLNA_PORT), udp_ready(1900)),
        ),
    ]


def _hostile(rt: Runtime, key: str, dev: DeviceSpec) -> list[DaemonSpec]:
    """A device that attacks every prober (``homediag.lab.servers.hostile``), announced like any other."""
    markup = '<img src=x onerror="alert(1)">'
    services = [
        ServiceRecord(
            "_ipp._tcp",
            631,
            dev.name,
            (
                ("rp", "ipp/print"),
                ("ty", f"Evil {markup}"),
                ("note", "]]></script><script>alert(2)</script>"),
            ),
        ),
        ServiceRecord(
            "_googlecast._tcp",
            8009,
            f"Chromecast-{stable_hex('evil', 32)}",
            (("fn", markup), ("md", "Chromecast")),
        ),
        ServiceRecord(
            "_hue._tcp", 443, "Evil Hue", (("bridgeid", "ffffffffffffffff"), ("modelid", "BSB002"))
        ),
        ServiceRecord("_mqtt._tcp", 1883, "Evil broker"),
    ]
    return [
        *avahi_specs(rt, key, dev.hostname, services, dbus=False),
        DaemonSpec(
            f"{key}.hostile",
            rt.ns(key),
            rt.python(f"{SERVERS}.hostile", "--ip", str(dev.ip)),
            ready=all_ready(tcp_ready(631), tcp_ready(8008), udp_ready(1900)),
        ),
    ]


_BUILDERS = {
    Role.PRINTER: _printer,
    Role.CAST: _cast,
    Role.HUE: _hue,
    Role.HOMEKIT: _homekit,
    Role.MATTER: _matter,
    Role.MQTT: _mqtt,
    Role.DLNA: _dlna,
    Role.HOSTILE: _hostile,
}


