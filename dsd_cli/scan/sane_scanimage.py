"""SANE's `scanimage`, the one program dsd drives scanners with: devices, their options, versions.

Errors are mapped here to dsd's error tree: scanimage missing -> MissingToolError (6); a device that cannot be
opened -> InputError (4); an option value the device refuses -> UsageError (2). scanimage's own words are kept in
the messages (they name the device, never a person). The environment passes through as it is, so SANE_CONFIG_DIR
chooses the SANE configuration (the tests use one with only the `test` backend).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from dsd_cli.errors import InputError, MissingToolError, UsageError
from dsd_cli.scan.sane_options import DeviceOptions, parse_options

# Device discovery can wait for network scanners; opening a USB scanner takes a few seconds.
LIST_TIMEOUT = 120.0
OPTIONS_TIMEOUT = 60.0
_FIELD = "\x1f"


@dataclass(frozen=True)
class SaneDevice:
    """A scanner as SANE lists it."""

    name: str
    """The device name to pass to `--device`, e.g. `fujitsu:fi-7160:1234` or `test:0`."""
    vendor: str
    model: str
    type: str

    @property
    def backend(self) -> str:
        """The SANE backend: the part of the name before the first colon (`fujitsu`, `net`, `test`)."""
        return self.name.split(":", 1)[0]

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "vendor": self.vendor, "model": self.model, "type": self.type,
                "backend": self.backend}


@dataclass(frozen=True)
class SaneVersion:
    frontend: str
    """scanimage's version (sane-backends), e.g. `1.1.1-debian`."""
    backend: str
    """The version the SANE library reports for the backends, e.g. `1.1.1`."""

    @property
    def tool(self) -> str:
        return f"scanimage {self.frontend}".strip()


def scanimage() -> str:
    path = shutil.which("scanimage")
    if path is None:
        raise MissingToolError("scanimage (SANE's command-line scanner program) is not installed",
                               hint="apt-get install sane-utils")
    return path


def run_scanimage(args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([scanimage(), *args], capture_output=True, text=True, timeout=timeout, check=False,
                              errors="replace")
    except subprocess.TimeoutExpired:
        raise InputError(f"scanimage did not answer within {timeout:.0f} s", reason="device-timeout") from None
    except OSError as exc:
        raise MissingToolError(f"scanimage cannot be started: {exc.strerror}") from None


def tool_words(stderr: str) -> str:
    """scanimage's messages without its chatter (output format notices), as one line."""
    lines = [line.strip() for line in stderr.splitlines()
             if line.strip() and not line.startswith("Output format is not set")]
    return "; ".join(line.removeprefix("scanimage: ") for line in lines)


def list_devices() -> list[SaneDevice]:
    """The scanners SANE finds (`scanimage -f`), in SANE's order."""
    fmt = _FIELD.join(("%d", "%v", "%m", "%t")) + "%n"
    proc = run_scanimage(["-f", fmt], LIST_TIMEOUT)
    if proc.returncode != 0:
        raise InputError(f"SANE could not list devices: {tool_words(proc.stderr) or 'no message'}",
                         reason="sane-failed")
    devices = []
    for line in proc.stdout.splitlines():
        parts = line.split(_FIELD)
        if len(parts) == 4 and parts[0]:
            devices.append(SaneDevice(*parts))
    return devices


def find_device(name: str) -> SaneDevice:
    """The listed device of that name; a device SANE does not list (network, unlisted) by its name alone."""
    for device in list_devices():
        if device.name == name:
            return device
    return SaneDevice(name=name, vendor="", model="", type="")


def device_error(device: str, stderr: str) -> InputError | UsageError:
    words = tool_words(stderr) or "no message"
    if re.search(r"setting of option --?\S+ failed|unrecognized option|invalid argument for option", words,
                 re.IGNORECASE):
        return UsageError(f"device {device} refused a setting: {words}")
    return InputError(f"device {device} cannot be used: {words}", reason="device-unavailable",
                      hint="dsd scan --list shows the devices SANE finds")


def read_options(device: str, preset: Sequence[str] = ()) -> DeviceOptions:
    """The device's options (`scanimage -d DEVICE [PRESET] -A`), as they are once `preset` is set."""
    proc = run_scanimage(["-d", device, *preset, "-A"], OPTIONS_TIMEOUT)
    if proc.returncode != 0:
        raise device_error(device, proc.stderr)
    return parse_options(device, proc.stdout)


def sane_version() -> SaneVersion:
    proc = run_scanimage(["-V"], OPTIONS_TIMEOUT)
    match = re.search(r"sane-backends\)\s+(\S+?);?\s+backend version\s+(\S+)", proc.stdout)
    if not match:
        match = re.search(r"scanimage.*?([\d.]+\S*)", proc.stdout)
        return SaneVersion(frontend=match.group(1).rstrip(";") if match else "", backend="")
    return SaneVersion(frontend=match.group(1), backend=match.group(2))


def image_format(version: SaneVersion) -> str:
    """The lossless page format: PNG, which scanimage writes since sane-backends 1.0.28 (with the resolution in
    it), else TIFF. Asked of the version: `scanimage --help` would open a device."""
    numbers = [int(n) for n in re.findall(r"\d+", version.frontend)[:3]]
    return "png" if not numbers or tuple(numbers) >= (1, 0, 28) else "tiff"
