"""A SANE device's options as `scanimage -A` lists them, and the device values for dsd's scan settings.

Backends name the same thing differently: the feeder is `Automatic Document Feeder`, `ADF`, `ADF Front` or
`Automatic Document Feeder(left aligned)`; duplex is a source (`ADF Duplex`, `Duplex`), a switch (`--duplex`) or a
feeder mode (`--adf-mode Duplex`); grey is `Gray`, `Grayscale` or `True Gray`; line art is `Lineart`, `Binary` or
`Black & White`. `choose_settings` reads what the device offers and picks the matching values, or says clearly what
the device lacks. Pure functions over text: `dsd_cli.scan.sane_scanimage` runs the program.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dsd_cli.errors import UsageError

SOURCES = ("adf", "flatbed")
MODES = ("gray", "color", "lineart")

_OPTION_LINE = re.compile(r"^ {4}(--?[A-Za-z0-9][\w-]*)(.*)$")
_RANGE = re.compile(r"^(-?[\d.]+)\.\.(-?[\d.]+)([a-z%]*)(?: \(in steps of ([\d.]+)\))?$")
_UNIT = re.compile(r"(dpi|mm|pel|bit|us|%)$")


@dataclass(frozen=True)
class DeviceOption:
    """One option of a device, as `scanimage -A` shows it."""

    name: str
    """Without the leading dashes: `source`, `mode`, `resolution`, `l`."""
    kind: str
    """'bool', 'list' (a choice of values), 'range', or 'free' (any value of a type, or an array)."""
    values: tuple[str, ...] = ()
    """The choices of a list (units removed), or ('yes', 'no') for a switch."""
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    unit: str = ""
    current: str = ""
    active: bool = True
    settable: bool = True

    def accepts(self, value: str) -> bool:
        if self.kind in ("list", "bool"):
            return value in self.values
        if self.kind == "range":
            try:
                number = float(value)
            except ValueError:
                return False
            assert self.minimum is not None and self.maximum is not None
            if not self.minimum <= number <= self.maximum:
                return False
            # Whole-number ranges (dpi, pixels) must be met on their steps; fixed-point ones (mm, %) are rounded
            # by the backend to its nearest step.
            if self.step and all(float(v).is_integer() for v in (self.minimum, self.maximum, self.step)):
                steps = (number - self.minimum) / self.step
                return math.isclose(steps, round(steps), abs_tol=1e-6)
            return True
        return True

    def describe(self) -> str:
        if self.kind in ("list", "bool"):
            return "|".join(self.values)
        if self.kind == "range":
            step = f" in steps of {_number(self.step)}" if self.step else ""
            return f"{_number(self.minimum)}..{_number(self.maximum)}{self.unit}{step}"
        return "any value"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@dataclass(frozen=True)
class DeviceOptions:
    """Every option of one device, by name."""

    device: str
    options: Mapping[str, DeviceOption]

    def get(self, name: str) -> DeviceOption | None:
        option = self.options.get(name)
        return option if option is not None and option.active and option.settable else None


def _split_flags(rest: str) -> tuple[str, list[str]]:
    """`Gray|Color [Gray]` -> ('Gray|Color', ['Gray']); bracket groups at the end are current value and flags."""
    flags: list[str] = []
    while True:
        match = re.search(r" \[([^\[\]]*)\]$", rest)
        if not match:
            return rest.strip(), flags
        flags.insert(0, match.group(1))
        rest = rest[: match.start()]


def parse_option_line(line: str) -> DeviceOption | None:
    match = _OPTION_LINE.match(line)
    if not match:
        return None
    name, rest = match.group(1).lstrip("-"), match.group(2)
    settable = True
    if rest.startswith("[=("):  # a switch: --duplex[=(yes|no)] [no]
        close = rest.index(")]")
        choices = tuple(rest[3:close].split("|"))
        spec, flags = _split_flags(rest[close + 2:])
        values = tuple(v for v in choices if v in ("yes", "no")) or choices
        current = next((f for f in flags if f in choices), "")
        active = "inactive" not in flags
        settable = "read-only" not in flags and "hardware" not in flags
        return DeviceOption(name, "bool", values, current=current, active=active, settable=settable)
    spec, flags = _split_flags(rest)
    active = "inactive" not in flags
    settable = "read-only" not in flags and "hardware" not in flags
    current = next((f for f in flags if f not in ("inactive", "advanced", "read-only", "hardware",
                                                   "emulated", "automatic")), "")
    if not spec or spec.startswith("<") or ",..." in spec:
        return DeviceOption(name, "free", current=current, active=active, settable=settable)
    ranged = _RANGE.match(spec)
    if ranged:
        return DeviceOption(name, "range", minimum=float(ranged.group(1)), maximum=float(ranged.group(2)),
                            step=float(ranged.group(4)) if ranged.group(4) else None, unit=ranged.group(3),
                            current=_UNIT.sub("", current), active=active, settable=settable)
    values = spec.split("|")
    unit_match = _UNIT.search(values[-1]) if re.fullmatch(r"-?[\d.]+[a-z%]+", values[-1]) else None
    unit = unit_match.group(1) if unit_match else ""
    if unit:
        values = [_UNIT.sub("", v) if re.fullmatch(r"-?[\d.]+[a-z%]*", v) else v for v in values]
    return DeviceOption(name, "list", tuple(values), unit=unit, current=_UNIT.sub("", current) if unit else current,
                        active=active, settable=settable)


def parse_options(device: str, text: str) -> DeviceOptions:
    """The options in `scanimage -d DEVICE -A` output."""
    options: dict[str, DeviceOption] = {}
    for line in text.splitlines():
        option = parse_option_line(line)
        if option is not None and option.name not in options:
            options[option.name] = option
    return DeviceOptions(device, options)


# Choosing values -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScanSettings:
    """What the operator asked for, in dsd's words."""

    source: str = "adf"
    duplex: bool = False
    mode: str = "gray"
    dpi: int = 300
    extra: tuple[tuple[str, str], ...] = ()
    """Further device options (`--device-option NAME=VALUE`), passed on as they are after a check."""


@dataclass(frozen=True)
class DeviceSettings:
    """The device's own option values for a ScanSettings, in the order scanimage must set them."""

    values: tuple[tuple[str, str], ...]

    def arguments(self) -> list[str]:
        """scanimage's arguments: `--name=value`, and `-x value` for the one-letter geometry options."""
        args: list[str] = []
        for name, value in self.values:
            args += [f"-{name}", value] if len(name) == 1 else [f"--{name}={value}"]
        return args

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)


# Words backends use, matched case-insensitively; exact names first, then words a value contains.
_FLATBED = ("flatbed", "normal", "document table", "platen")
_FEEDER = ("automatic document feeder", "adf", "adf front", "document feeder", "feeder", "simplex", "adf simplex")
_GRAY = ("gray", "grey", "grayscale", "greyscale", "true gray", "8bit gray", "gray8")
_COLOR = ("color", "colour", "24bit color", "rgb", "true color", "color24")
_LINEART = ("lineart", "line art", "binary", "black & white", "black and white", "bw", "monochrome", "mono",
            "blackandwhite1")


def _pick(values: Sequence[str], exact: Sequence[str], words: Sequence[str],
          avoid: Sequence[str] = ()) -> str | None:
    lowered = [(v, " ".join(v.lower().split())) for v in values]
    for wanted in exact:
        for value, low in lowered:
            if low == wanted:
                return value
    for value, low in lowered:
        if any(w in low for w in words) and not any(a in low for a in avoid):
            return value
    return None


def _lacks(device: str, what: str, option: DeviceOption | None, hint: str = "") -> UsageError:
    offered = f" (it offers: {option.describe()})" if option is not None else ""
    return UsageError(f"device {device} has no {what}{offered}", hint=hint or None)


def _choose_source(options: DeviceOptions, settings: ScanSettings) -> list[tuple[str, str]]:
    source = options.get("source")
    if settings.source == "flatbed" and settings.duplex:
        raise UsageError("--duplex needs the document feeder (--source adf), not the flatbed")
    if source is None or source.kind != "list":
        return []  # a device with one way of taking paper: nothing to choose
    if settings.source == "flatbed":
        value = _pick(source.values, _FLATBED, ("flatbed", "platen", "table"))
        if value is None:
            raise _lacks(options.device, "flatbed", source)
        return [("source", value)]
    if settings.duplex:
        # A duplex source ("ADF Duplex", "Duplex") when there is one; else the feeder, with a switch set later.
        value = _pick(source.values, ("adf duplex", "duplex"), ("duplex",), avoid=("card",))
        if value is not None:
            return [("source", value)]
    value = _pick(source.values, _FEEDER, ("feeder", "adf", "simplex"), avoid=("duplex", "back", "card"))
    if value is None:
        raise _lacks(options.device, "document feeder", source)
    return [("source", value)]


def choose_source(options: DeviceOptions, settings: ScanSettings) -> DeviceSettings:
    """The device values that select the paper source (and duplex, when it is part of the source)."""
    return DeviceSettings(tuple(_choose_source(options, settings)))


def choose_settings(options: DeviceOptions, settings: ScanSettings, source: DeviceSettings) -> DeviceSettings:
    """Every device value for `settings`, read from the options the device lists once its source is set.

    Raises UsageError naming what the device lacks and what it offers instead."""
    device = options.device
    values: list[tuple[str, str]] = list(source.values)
    picked_duplex = any(name == "source" and "duplex" in value.lower() for name, value in values)
    if settings.duplex and not picked_duplex:
        switch, adf_mode = options.get("duplex"), options.get("adf-mode")
        if switch is not None and switch.kind == "bool":
            values.append(("duplex", "yes"))
        elif adf_mode is not None and adf_mode.kind == "list":
            value = _pick(adf_mode.values, ("duplex",), ("duplex",))
            if value is None:
                raise _lacks(device, "duplex feeder mode", adf_mode)
            values.append(("adf-mode", value))
        else:
            sources = options.options.get("source")
            listed = f"its sources are {sources.describe()}, " if sources is not None else ""
            raise UsageError(f"device {device} cannot scan both sides: {listed}it has no duplex source, "
                             "no duplex switch and no duplex feeder mode",
                             hint="scan without --duplex, or use a scanner with a duplex feeder")
    elif not settings.duplex:
        adf_mode = options.get("adf-mode")
        if adf_mode is not None and adf_mode.kind == "list" and settings.source == "adf":
            simplex = _pick(adf_mode.values, ("simplex",), ("simplex",))
            if simplex is not None:
                values.append(("adf-mode", simplex))
        switch = options.get("duplex")
        if switch is not None and switch.kind == "bool" and switch.current == "yes":
            values.append(("duplex", "no"))
    values += _choose_mode(options, settings.mode)
    values += _choose_resolution(options, settings.dpi)
    values += _check_extra(options, settings.extra, {name for name, _ in values})
    return DeviceSettings(tuple(values))


def _choose_mode(options: DeviceOptions, mode: str) -> list[tuple[str, str]]:
    option = options.get("mode")
    if option is None or option.kind != "list":
        raise _lacks(options.device, "scan mode option", None)
    avoid = ("error diffusion", "halftone", "dither", "16", "48")
    if mode == "gray":
        value = _pick(option.values, _GRAY, ("gray", "grey"), avoid)
    elif mode == "color":
        value = _pick(option.values, _COLOR, ("color", "colour"), avoid)
    else:
        value = _pick(option.values, _LINEART, ("lineart", "binary", "black"), ("halftone", "dither"))
        if value is None:  # some backends make line art as 1-bit grey
            gray, depth = _pick(option.values, _GRAY, ("gray", "grey"), avoid), options.get("depth")
            if gray is not None and depth is not None and depth.accepts("1"):
                return [("mode", gray), ("depth", "1")]
    if value is None:
        raise _lacks(options.device, f"{mode} mode", option)
    return [("mode", value)]


def _choose_resolution(options: DeviceOptions, dpi: int) -> list[tuple[str, str]]:
    option = options.get("resolution")
    if option is not None:
        if not option.accepts(str(dpi)):
            raise _lacks(options.device, f"resolution of {dpi} dpi", option)
        return [("resolution", str(dpi))]
    x, y = options.get("x-resolution"), options.get("y-resolution")
    if x is not None:
        if not x.accepts(str(dpi)) or (y is not None and not y.accepts(str(dpi))):
            raise _lacks(options.device, f"resolution of {dpi} dpi", x)
        return [("x-resolution", str(dpi))] + ([("y-resolution", str(dpi))] if y is not None else [])
    raise _lacks(options.device, "resolution option", None)


RESERVED = frozenset({"source", "mode", "resolution", "x-resolution", "y-resolution", "duplex", "adf-mode",
                      "d", "device-name", "format", "batch", "o", "output-file"})


def check_extra_names(settings: ScanSettings) -> None:
    """Device options given by name must not be ones dsd sets from its own options: the scan record would no
    longer say what was done."""
    for name, _ in settings.extra:
        if name in RESERVED:
            raise UsageError(f"--device-option {name}: set this with dsd's own option "
                             "(--source, --duplex, --mode, --dpi)")


def _check_extra(options: DeviceOptions, extra: Sequence[tuple[str, str]], taken: set[str]) -> list[tuple[str, str]]:
    """Device options given by name: each must exist, be settable (in the listing made with them set: one option
    can make another active) and accept the value."""
    checked: list[tuple[str, str]] = []
    for name, value in extra:
        if name in RESERVED or name in taken:
            raise UsageError(f"--device-option {name}: set this with dsd's own option "
                             "(--source, --duplex, --mode, --dpi)")
        option = options.options.get(name)
        if option is None:
            raise UsageError(f"device {options.device} has no option {name!r}",
                             hint=f"list its options with: scanimage -d '{options.device}' -A")
        if not option.active or not option.settable:
            raise UsageError(f"device {options.device}: option {name!r} cannot be set now"
                             f"{' (inactive)' if not option.active else ' (read-only)'}")
        if not option.accepts(value):
            raise UsageError(f"device {options.device}: option {name!r} does not take {value!r} "
                             f"(it takes: {option.describe()})")
        checked.append((name, value))
    return checked


def parse_device_option(text: str) -> tuple[str, str]:
    """`NAME=VALUE` from the command line (leading dashes allowed in NAME)."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("-")
    if not sep or not re.fullmatch(r"[A-Za-z0-9][\w-]*", name):
        raise UsageError(f"--device-option {text!r}: expected NAME=VALUE, e.g. --device-option swdeskew=yes")
    if any(ord(ch) < 32 for ch in value):
        raise UsageError(f"--device-option {name}: the value contains control characters")
    return name, value
