"""Names and paths of one lab, all derived from its lab id.

Several labs can exist at once on one machine (developers and the test suite run their own): every
namespace is called ``<lab id>-<role>``, and the lab's state lives in ``/run/homediag-lab/<lab id>/``.
Interfaces live only inside the lab's namespaces, never in the root namespace, so their names (at most
15 characters) need no lab id. A lab id cannot contain ``-``, so the namespaces of lab ``hd`` (``hd-*``)
never match those of lab ``hd2`` (``hd2-*``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from homediag.core.errors import LabError
from homediag.core.i18n import _

LAB_ID_ENV = "HOMEDIAG_LAB_ID"
DEFAULT_LAB_ID = "hd"
STATE_ROOT = Path("/run/homediag-lab")
NETNS_ETC = Path("/etc/netns")
"""``ip netns exec NS`` bind-mounts the files of ``/etc/netns/NS/`` over those of ``/etc``."""

_LAB_ID = re.compile(r"^[a-z][a-z0-9]{0,7}$")
_ROLE = re.compile(r"^[a-z][a-z0-9]{0,14}$")
IFNAMSIZ = 15


def lab_id_from_env() -> str:
    """The lab id from ``$HOMEDIAG_LAB_ID``, else ``hd``."""
    return validate_lab_id(os.environ.get(LAB_ID_ENV) or DEFAULT_LAB_ID)


def validate_lab_id(lab_id: str) -> str:
    """Check a lab id: 1 to 8 lowercase letters and digits, starting with a letter."""
    if not _LAB_ID.match(lab_id):
        raise LabError(_("invalid lab id {id!r}: use 1 to 8 lowercase letters and digits").format(id=lab_id))
    return lab_id


def check_ifname(name: str) -> str:
    """Refuse an interface name the kernel would refuse (longer than 15 characters)."""
    if not name or len(name) > IFNAMSIZ:
        raise LabError(_("interface name {name!r} is longer than 15 characters").format(name=name))
    return name


@dataclass(frozen=True)
class LabNames:
    """Every name and path of the lab ``lab_id``."""

    lab_id: str

    def ns(self, role: str) -> str:
        """The namespace of ``role`` (``client``, ``router``, a device name...)."""
        if not _ROLE.match(role):
            raise LabError(_("invalid namespace role {role!r}").format(role=role))
        return f"{self.lab_id}-{role}"

    @property
    def prefix(self) -> str:
        """The prefix every namespace of this lab starts with."""
        return f"{self.lab_id}-"

    def owns_ns(self, name: str) -> bool:
        """Whether the namespace ``name`` belongs to this lab."""
        return name.startswith(self.prefix) and bool(_ROLE.match(name[len(self.prefix) :]))

    @property
    def state_dir(self) -> Path:
        """Where the lab keeps its state, configs, logs and PIDs."""
        return STATE_ROOT / self.lab_id

    @property
    def state_file(self) -> Path:
        """The JSON record of the running lab."""
        return self.state_dir / "state.json"

    @property
    def config_file(self) -> Path:
        """The homediag configuration that points the internet checks at the lab's internet."""
        return self.state_dir / "homediag.yaml"

    @property
    def lock_file(self) -> Path:
        """Serialises commands on one lab (``up`` and ``fault add`` from two shells)."""
        return STATE_ROOT / f".{self.lab_id}.lock"

    def netns_etc(self, role: str) -> Path:
        """``/etc/netns/<ns>``: files bind-mounted over ``/etc`` inside the namespace."""
        return NETNS_ETC / self.ns(role)

    def resolv_conf(self, role: str) -> Path:
        """The resolver file processes in the namespace see as ``/etc/resolv.conf``."""
        return self.netns_etc(role) / "resolv.conf"

    def run_dir(self, name: str) -> Path:
        """A private directory for one daemon or device (configs, pid files, sockets)."""
        return self.state_dir / name
