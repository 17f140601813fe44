"""The ``Lab``: build, drive and tear down one simulated home network."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from homediag.core.errors import LabError
from homediag.core.i18n import _
from homediag.lab import devices, plan, services, system, topology
from homediag.lab.avahi import DBUS_ADDRESS
from homediag.lab.faults import FAULTS, check_fault
from homediag.lab.home import CLASSIC, Home, HomeView, draw_home
from homediag.lab.names import NETNS_ETC, LabNames, lab_id_from_env, validate_lab_id
from homediag.lab.runtime import LabState, Runtime, load_state
from homediag.lab.scenario import Scenario, check_plain_hosts, load_scenario
from homediag.lab.switches import home_delay, home_line, set_line_rate, wait_client_ipv6

CONFIG_ENV = "HOMEDIAG_CONFIG"
TIMEOUT_EXIT = 124
"""The exit code ``client_exec`` reports for a command it stopped at its timeout."""


@dataclass(frozen=True)
class ProcessStatus:
    """One process of the lab."""

    name: str
    pid: int
    alive: bool


@dataclass(frozen=True)
class LabStatus:
    """What ``lab status`` shows."""

    lab_id: str
    up: bool
    scenario: str | None = None
    faults: tuple[str, ...] = ()
    wan_mode: str | None = None
    client_ip: str | None = None
    namespaces: tuple[str, ...] = ()
    processes: tuple[ProcessStatus, ...] = ()
    config: Path | None = None
    built: bool = False
    home: dict[str, object] | None = None
    """The drawn home (None: the classic home of a scenario)."""
    notes: tuple[str, ...] = ()


def check_environment() -> None:
    """Refuse, with the reason, a machine that cannot build a lab (not Linux, not root, no tools)."""
    if not Path("/proc/self/ns/net").exists():
        raise LabError(_("the lab needs Linux network namespaces"))
    if os.geteuid() != 0:
        raise LabError(_("the lab needs root (it creates network namespaces)"))
    missing = system.missing_binaries(
        [*system.REQUIRED_BINARIES, "dnsmasq", "avahi-daemon", "dbus-daemon", "udhcpc", "openssl"]
    )
    if missing:
        raise LabError(
            _("the lab needs these programs: {names} (see homediag/lab/debian-packages.txt)").format(
                names=", ".join(missing)
            )
        )


class Lab:
    """One lab, named by its lab id (``$HOMEDIAG_LAB_ID``, default ``hd``).

    >>> lab = Lab("t1")
    >>> lab.up("healthy")                      # doctest: +SKIP
    >>> lab.fault_add("printer-paused")        # doctest: +SKIP
    >>> lab.client_exec(["ping", "-c1", "10.77.0.1"]).returncode   # doctest: +SKIP
    0
    >>> lab.down()                             # doctest: +SKIP
    """

    def __init__(self, lab_id: str | None = None) -> None:
        self.names = LabNames(validate_lab_id(lab_id) if lab_id else lab_id_from_env())

    @property
    def lab_id(self) -> str:
        """The lab id."""
        return self.names.lab_id

    @property
    def config_path(self) -> Path:
        """The homediag config that points the internet checks at the lab's internet."""
        return self.names.config_file

    # --- lifecycle -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.names.lock_file.parent.mkdir(parents=True, exist_ok=True)
        with self.names.lock_file.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def is_up(self) -> bool:
        """Whether this lab exists (built or half-built)."""
        return load_state(self.names) is not None or bool(self._namespaces())

    def up(
        self,
        scenario: str | Scenario = "healthy",
        *,
        plain_hosts: int | None = None,
        home: str | Home | None = None,
    ) -> None:
        """Build the lab for ``scenario`` (name or loaded), then switch its faults on; or, with
        ``home`` (a seed or a drawn home), build that home with no fault on.

        Raises ``LabError`` when the lab is already up (call ``down`` first) or cannot be built;
        a failed build is torn down before the error is raised.
        """
        check_environment()
        drawn, loaded = _what_to_build(scenario, plain_hosts, home)
        profile = drawn.profile if drawn is not None else CLASSIC
        with self._locked():
            if self.is_up():
                raise LabError(
                    _("lab {id} is already up; run 'homediag lab down' first").format(id=self.lab_id)
                )
            self.names.state_dir.mkdir(parents=True, exist_ok=True)
            state = LabState(
                scenario=loaded.name,
                plain_hosts=loaded.plain_hosts,
                wan_mode=profile.wan_mode,
                home_seed=drawn.seed if drawn is not None else None,
                home=drawn.to_json() if drawn is not None else None,
            )
            rt = Runtime(self.names, loaded, state, profile)
            rt.save()
            try:
                self._write_config(profile.config())
                _build(rt)
                for name in loaded.faults:
                    self._apply(rt, name)
                state.built = True
                rt.save()
            except BaseException:
                self._teardown()
                raise

    def down(self) -> None:
        """Stop every process of this lab and delete its namespaces and files (idempotent)."""
        with self._locked():
            self._teardown()
            # Labs come and go (the tests use one id per run): leave no lock file behind either.
            self.names.lock_file.unlink(missing_ok=True)

    def _namespaces(self) -> list[str]:
        return [ns for ns in system.list_netns() if self.names.owns_ns(ns)]

    def _teardown(self) -> None:
        try:
            state = load_state(self.names)
        except LabError:
            state = None
        if state is not None:
            system.terminate(list(state.processes.values()), grace=1.0)
        topology.teardown_namespaces(self._namespaces())
        for directory in NETNS_ETC.glob(f"{self.names.prefix}*"):
            if self.names.owns_ns(directory.name):
                shutil.rmtree(directory, ignore_errors=True)
        shutil.rmtree(self.names.state_dir, ignore_errors=True)

    def _runtime(self) -> Runtime:
        state = load_state(self.names)
        if state is None:
            raise LabError(_("lab {id} is not up; run 'homediag lab up SCENARIO'").format(id=self.lab_id))
        if not state.built:
            raise LabError(_("lab {id} is half-built; run 'homediag lab down'").format(id=self.lab_id))
        if state.home_seed is not None:
            home = draw_home(state.home_seed)
            if home.to_json() != state.home:
                raise LabError(
                    _(
                        "the home of seed {seed} draws differently now than when lab {id} was built; "
                        "run 'homediag lab down' and build it again"
                    ).format(seed=state.home_seed, id=self.lab_id)
                )
            return Runtime(self.names, home.scenario, state, home.profile)
        scenario = load_scenario(state.scenario).with_plain_hosts(state.plain_hosts)
        return Runtime(self.names, scenario, state)

    @property
    def scenario(self) -> Scenario:
        """The scenario the running lab was built for (a drawn home's devices, for a home)."""
        return self._runtime().scenario

    @property
    def home(self) -> HomeView:
        """The running lab's home: its profile and devices."""
        rt = self._runtime()
        return HomeView(rt.profile, rt.scenario)

    # --- faults ----------------------------------------------------------------------------------

    def faults(self) -> tuple[str, ...]:
        """The faults that are on, in the order they were switched on."""
        state = load_state(self.names)
        return tuple(state.faults) if state else ()

    def fault_add(self, name: str) -> None:
        """Switch fault ``name`` on (no-op when it is on already)."""
        with self._locked():
            rt = self._runtime()
            if name not in rt.state.faults:
                self._apply(rt, name)

    def fault_remove(self, name: str) -> None:
        """Switch fault ``name`` off (no-op when it is off)."""
        fault = check_fault(name)
        with self._locked():
            rt = self._runtime()
            if name in rt.state.faults:
                fault.revert(rt)
                rt.state.faults.remove(name)
                rt.save()

    def set_faults(self, names: Sequence[str]) -> None:
        """Switch exactly ``names`` on and every other fault off."""
        for name in names:
            check_fault(name)
        for name in reversed(self.faults()):
            if name not in names:
                self.fault_remove(name)
        for name in names:
            self.fault_add(name)

    @staticmethod
    def _apply(rt: Runtime, name: str) -> None:
        fault = check_fault(name)
        clash = sorted(fault.conflicts & set(rt.state.faults))
        if clash:
            raise LabError(
                _("fault {name} cannot be combined with {other}").format(name=name, other=clash[0])
            )
        reason = fault.unavailable(HomeView(rt.profile, rt.scenario))
        if reason is not None:
            raise LabError(
                _("fault {name} cannot apply to this home: {reason}").format(name=name, reason=reason)
            )
        fault.apply(rt)
        rt.state.faults.append(name)
        rt.save()

    def set_line_rate(self, down_mbit: float | None, up_mbit: float | None = None) -> None:
        """Limit the internet line with ``tc`` as ``wan-slow`` does, at ``down_mbit`` / ``up_mbit``
        (``up`` defaults to ``down``); None lifts the limit. Refused while ``wan-slow`` or
        ``bufferbloat`` is on. Not recorded as a fault (benchmarks use it; ``lab down`` clears it)."""
        with self._locked():
            set_line_rate(self._runtime(), down_mbit, up_mbit)

    # --- the client ------------------------------------------------------------------------------

    def client_env(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment of commands in the client: the lab config and the client's system bus."""
        out = dict(os.environ)
        out[CONFIG_ENV] = str(self.config_path)
        out["DBUS_SYSTEM_BUS_ADDRESS"] = DBUS_ADDRESS
        out["HOMEDIAG_LAB_ID"] = self.lab_id
        out["CUPS_SERVER"] = str(services.cups_socket(self.names))
        # The lab CA in place of the public ones' bundle: OpenSSL (Python's ssl, openssl s_client) reads
        # SSL_CERT_FILE; curl reads its own CURL_CA_BUNDLE.
        out["SSL_CERT_FILE"] = out["CURL_CA_BUNDLE"] = str(services.ca_file(self.names))
        if env:
            out.update(env)
        return out

    def client_argv(self, argv: Sequence[str]) -> list[str]:
        """``argv`` wrapped to run inside the client namespace."""
        return system.ns_argv(self.names.ns(topology.CLIENT), argv)

    def client_exec(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
        input_text: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` in the client namespace with ``HOMEDIAG_CONFIG`` set; capture its output.

        A command still running at ``timeout`` is killed and reported with exit code 124.
        """
        if load_state(self.names) is None:
            raise LabError(_("lab {id} is not up").format(id=self.lab_id))
        full = self.client_argv(argv)
        try:
            return subprocess.run(
                full,
                input=input_text,
                capture_output=True,
                text=True,
                errors="replace",  # a device's bytes are not always UTF-8
                timeout=timeout,
                env=self.client_env(env),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else ""
            err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
            return subprocess.CompletedProcess(full, TIMEOUT_EXIT, out, err + "\n(timed out)")
        except FileNotFoundError:
            raise LabError(_("command not found: {cmd}").format(cmd=full[0])) from None

    # --- status ----------------------------------------------------------------------------------

    def status(self) -> LabStatus:
        """The lab's scenario, faults, namespaces and processes."""
        state = load_state(self.names)
        namespaces = tuple(self._namespaces())
        if state is None:
            return LabStatus(lab_id=self.lab_id, up=False, namespaces=namespaces)
        client_ip = None
        lease = self.names.run_dir("client") / "lease"
        with contextlib.suppress(OSError):
            fields = dict(line.split("=", 1) for line in lease.read_text().splitlines() if "=" in line)
            if fields.get("event") == "bound":
                client_ip = fields.get("ip") or None
        return LabStatus(
            lab_id=self.lab_id,
            up=True,
            scenario=state.scenario,
            faults=tuple(state.faults),
            wan_mode=state.wan_mode,
            client_ip=client_ip,
            namespaces=namespaces,
            processes=tuple(
                ProcessStatus(name, rec.pid, system.is_alive(rec))
                for name, rec in sorted(state.processes.items())
            ),
            config=self.config_path,
            built=state.built,
            home=state.home,
            notes=tuple(state.notes),
        )

    def restart_client_avahi(self) -> None:
        """Restart the client's avahi-daemon, which empties its cache (as after reconnecting)."""
        with self._locked():
            rt = self._runtime()
            rt.stop("client.avahi")
            rt.start(services.avahi_specs(rt, "client", plan.CLIENT_HOSTNAME, [], dbus=True))

    def wait_client_lease(self, timeout: float = 10.0) -> bool:
        """Wait until the client holds a DHCP lease."""
        lease = self.names.run_dir("client") / "lease"
        return system.wait_until(lambda: system.file_contains(lease, "event=bound"), timeout=timeout)

    # --- config ----------------------------------------------------------------------------------

    def _write_config(self, extra: Mapping[str, object] | None = None) -> None:
        config = {**lab_config(), **(extra or {})}
        self.config_path.write_text(
            yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )



def _what_to_build(
    scenario: str | Scenario, plain_hosts: int | None, home: str | Home | None
) -> tuple[Home | None, Scenario]:
    """The drawn home (if any) and the scenario to build, checked."""
    drawn = draw_home(home) if isinstance(home, str) else home
    if drawn is not None:
        loaded = drawn.scenario
    else:
        loaded = load_scenario(scenario) if isinstance(scenario, str) else scenario
        unknown = [fault for fault in loaded.faults if fault not in FAULTS]
        if unknown:
            raise LabError(
                _("scenario {name!r}: unknown fault {fault!r}").format(name=loaded.name, fault=unknown[0])
            )
    if plain_hosts is not None:
        loaded = loaded.with_plain_hosts(check_plain_hosts(plain_hosts, loaded.addresses))
    return drawn, loaded


def _build(rt: Runtime) -> None:
    """Namespaces, links and the home's line, then every daemon, healthy (no fault on yet)."""
    topology.build(rt)
    home_line(rt)
    note = home_delay(rt)
    if note:
        rt.state.notes.append(note)
    # The router's DHCP and DNS first (the client needs them), with the internet (miniupnpd asks
    # its STUN server at start); then everything else together.
    rt.start(services.internet_specs(rt) + services.router_specs(rt))
    later = [*devices.device_specs(rt), *services.client_specs(rt)]
    if rt.profile.router.upnp:
        later.insert(0, services.upnp_spec(rt))
    if rt.profile.router.ipv6:
        later.append(services.ra_spec(rt))
    rt.start(later)
    if rt.profile.router.ipv6:
        wait_client_ipv6(rt, timeout=15.0)
    services.client_print_queue(rt)

def lab_config() -> dict[str, object]:
    """The homediag configuration that points every internet check at the lab's internet."""
    return {
        "internet": {
            "ping_targets": [str(ip) for ip in plan.PING_TARGETS],
            "dns_names": ["example.com", "connectivitycheck.gstatic.com"],
            "http_checks": ["http://connectivitycheck.gstatic.com/generate_204"],
            "https_checks": [f"https://{plan.HTTPS_HOST}/"],
            "public_ip_urls": ["http://api.ipify.org"],
            "ipv6_targets": [str(plan.INET_V6)],
            "stun_servers": [f"{plan.STUN_SERVER}:{plan.STUN_PORTS[0]}"],
            "tcp_targets": [f"{plan.WEB_SERVER}:80", f"{plan.WEB_SERVER}:{plan.IPERF_PORT}"],
        },
        "speedtest": {"server": f"http://{plan.SPEEDTEST_HOST}/"},
        # The lab's "public" resolver to time against the home's (1.1.1.1 and 9.9.9.9 outside).
        "probes": {"net.dns": {"compare_servers": [str(plan.DNS_SERVER)]}},
    }


def fault_summaries() -> dict[str, str]:
    """Each fault's one-line summary, in the current language."""
    return {name: _(fault.summary) for name, fault in sorted(FAULTS.items())}


def elapsed(start: float) -> float:
    """Seconds since ``start`` (``time.monotonic``)."""
    return time.monotonic() - start
