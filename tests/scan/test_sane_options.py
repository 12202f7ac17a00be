"""Device options: scanimage's option listing read, and dsd's settings mapped onto each backend's own names.

The live listing comes from SANE's test backend. The other listings are in scanimage's `-A` format with the option
names and values that the named backends define (sane-backends' fujitsu, epson2, kvs20xx; HPLIP's hpaio;
Brother's brscan4), because the test backend offers no duplex and names things one way only."""

from __future__ import annotations

import subprocess

import pytest

from dsd_cli.errors import UsageError
from dsd_cli.scan.sane_options import (
    DeviceSettings,
    ScanSettings,
    check_extra_names,
    choose_settings,
    choose_source,
    parse_device_option,
    parse_option_line,
    parse_options,
)

FUJITSU = """\
All options specific to device `fujitsu:fi-7160:1234':
  Standard:
    --source Flatbed|ADF Front|ADF Back|ADF Duplex [ADF Front]
        Selects the scan source (such as a document-feeder).
    --mode Lineart|Halftone|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 50..600dpi (in steps of 1) [600]
        Sets the resolution of the scanned image.
  Geometry:
    -x 0..215.872mm (in steps of 0.0211639) [215.872]
        Width of scan-area.
  Enhancement:
    --swdeskew[=(yes|no)] [no]
        Request driver to rotate skewed pages digitally.
    --swskip 0..100% (in steps of 0.100006) [0]
        Request driver to discard pages with low percentage of dark pixels
  Sensors:
    --cover-open[=(yes|no)] [no] [hardware]
        Cover open
"""
EPSON2_BEFORE = """\
All options specific to device `epson2:libusb:001:004':
  Scan Mode:
    --mode Binary|Gray|Color [Binary]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 75|150|300|600|1200dpi [75]
        Sets the resolution of the scanned image.
  Optional equipment:
    --source Flatbed|Automatic Document Feeder [Flatbed]
        Selects the scan source (such as a document-feeder).
    --adf-mode Simplex|Duplex [inactive]
        Selects the ADF mode (simplex/duplex)
"""
EPSON2_ADF = EPSON2_BEFORE.replace("[Flatbed]", "[Automatic Document Feeder]").replace(
    "--adf-mode Simplex|Duplex [inactive]", "--adf-mode Simplex|Duplex [Simplex]")
KVS20XX = """\
All options specific to device `kvs20xx:libusb:002:003':
  Standard:
    --mode Lineart|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 100|150|200|300|400|500|600dpi [100]
        Sets the resolution of the scanned image.
    --duplex[=(yes|no)] [no]
        Enable Duplex (Dual-Sided) Scanning
    --feeder-mode single|continuous [single]
        Sets the feeding mode
"""
HPAIO = """\
All options specific to device `hpaio:/usb/Officejet_Pro_8600?serial=CN1234':
  Scan mode:
    --mode Lineart|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 75|100|150|200|300|600|1200dpi [75]
        Sets the resolution of the scanned image.
  Advanced:
    --source Flatbed|ADF|Duplex [Flatbed]
        Selects the scan source (such as a document-feeder).
"""
BROTHER = """\
All options specific to device `brother4:net1;dev0':
  Mode:
    --mode Black & White|Gray[Error Diffusion]|True Gray|24bit Color|24bit Color[Fast] [24bit Color]
        Select the scan mode
    --resolution 100|150|200|300|400|600|1200|2400|4800|9600dpi [200]
        Sets the resolution of the scanned image.
    --source FlatBed|Automatic Document Feeder(left aligned)|Automatic Document Feeder(centrally aligned)\
|Automatic Document Feeder(left aligned,Duplex)|Automatic Document Feeder(centrally aligned,Duplex) \
[Automatic Document Feeder(left aligned)]
        Selects the scan source (such as a document-feeder).
"""


def settings_for(listing: str, settings: ScanSettings, after_source: str | None = None) -> dict[str, str]:
    options = parse_options("dev", listing)
    source = choose_source(options, settings)
    return choose_settings(parse_options("dev", after_source or listing), settings, source).as_dict()


def test_the_test_backends_own_listing_is_read(sane_env):
    proc = subprocess.run(["scanimage", "-d", "test:0", "-A"], capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin", **sane_env})
    options = parse_options("test:0", proc.stdout)
    source, mode, resolution = options.get("source"), options.get("mode"), options.get("resolution")
    assert source is not None and source.values == ("Flatbed", "Automatic Document Feeder")
    assert mode is not None and mode.values == ("Gray", "Color") and mode.current == "Gray"
    assert resolution is not None and (resolution.minimum, resolution.maximum, resolution.step) == (1, 1200, 1)
    assert options.options["three-pass"].active is False  # "[inactive]"
    assert options.get("three-pass") is None
    assert options.options["depth"].values == ("1", "8", "16")
    # The grey test device cannot do line art by name, but 1-bit grey is line art.
    assert settings_for(proc.stdout, ScanSettings(mode="lineart", dpi=150)) == {
        "source": "Automatic Document Feeder", "mode": "Gray", "depth": "1", "resolution": "150"}


@pytest.mark.parametrize(("line", "kind", "values", "current", "active"), [
    ("    --source Flatbed|ADF Front|ADF Duplex [ADF Front]", "list", ("Flatbed", "ADF Front", "ADF Duplex"),
     "ADF Front", True),
    ("    --resolution 75|150|300dpi [75]", "list", ("75", "150", "300"), "75", True),
    ("    --duplex[=(yes|no)] [no]", "bool", ("yes", "no"), "no", True),
    ("    --adf-mode Simplex|Duplex [inactive]", "list", ("Simplex", "Duplex"), "", False),
    ("    --gamma-table 0..255,... (in steps of 1) [advanced]", "free", (), "", True),
])
def test_option_lines(line, kind, values, current, active):
    option = parse_option_line(line)
    assert option is not None
    assert (option.kind, option.values, option.current, option.active) == (kind, values, current, active)


def test_read_only_sensor_is_not_settable():
    options = parse_options("fujitsu", FUJITSU)
    assert options.options["cover-open"].settable is False
    assert options.get("cover-open") is None
    assert options.options["x"].accepts("100.5") and not options.options["x"].accepts("300")
    assert options.options["swskip"].accepts("0")
    even = parse_option_line("    --int-constraint-range 4..192pel (in steps of 2) [inactive]")
    assert even is not None and even.accepts("6") and not even.accepts("7")


def test_fujitsu_names_duplex_as_a_source():
    assert settings_for(FUJITSU, ScanSettings(duplex=True, mode="color", dpi=300)) == {
        "source": "ADF Duplex", "mode": "Color", "resolution": "300"}
    assert settings_for(FUJITSU, ScanSettings(mode="lineart", dpi=200)) == {
        "source": "ADF Front", "mode": "Lineart", "resolution": "200"}
    assert settings_for(FUJITSU, ScanSettings(source="flatbed", dpi=600))["source"] == "Flatbed"


def test_epson2_duplex_is_a_feeder_mode_offered_once_the_feeder_is_chosen():
    assert settings_for(EPSON2_BEFORE, ScanSettings(duplex=True, dpi=300), after_source=EPSON2_ADF) == {
        "source": "Automatic Document Feeder", "adf-mode": "Duplex", "mode": "Gray", "resolution": "300"}
    simplex = settings_for(EPSON2_BEFORE, ScanSettings(mode="lineart", dpi=150), after_source=EPSON2_ADF)
    assert simplex == {"source": "Automatic Document Feeder", "adf-mode": "Simplex", "mode": "Binary",
                       "resolution": "150"}


def test_kvs20xx_duplex_is_a_switch_and_there_is_no_source_option():
    assert settings_for(KVS20XX, ScanSettings(duplex=True, dpi=300)) == {
        "duplex": "yes", "mode": "Gray", "resolution": "300"}
    assert settings_for(KVS20XX, ScanSettings(dpi=200)) == {"mode": "Gray", "resolution": "200"}


def test_hpaio_duplex_source_and_a_resolution_list():
    assert settings_for(HPAIO, ScanSettings(duplex=True, dpi=300))["source"] == "Duplex"
    assert settings_for(HPAIO, ScanSettings(dpi=300))["source"] == "ADF"
    with pytest.raises(UsageError, match=r"no resolution of 250 dpi.*75\|100\|150\|200\|300\|600\|1200"):
        settings_for(HPAIO, ScanSettings(dpi=250))


def test_brother_names_everything_its_own_way():
    assert settings_for(BROTHER, ScanSettings(duplex=True, mode="gray", dpi=300)) == {
        "source": "Automatic Document Feeder(left aligned,Duplex)", "mode": "True Gray", "resolution": "300"}
    assert settings_for(BROTHER, ScanSettings(mode="color", dpi=200)) == {
        "source": "Automatic Document Feeder(left aligned)", "mode": "24bit Color", "resolution": "200"}
    assert settings_for(BROTHER, ScanSettings(mode="lineart", dpi=200))["mode"] == "Black & White"
    assert settings_for(BROTHER, ScanSettings(source="flatbed", dpi=200))["source"] == "FlatBed"


def test_what_a_device_lacks_is_said_clearly():
    with pytest.raises(UsageError, match="cannot scan both sides: its sources are Flatbed\\|Automatic Document "
                                         "Feeder, it has no duplex source"):
        settings_for(EPSON2_BEFORE.replace("    --adf-mode Simplex|Duplex [inactive]\n", ""),
                     ScanSettings(duplex=True))
    with pytest.raises(UsageError, match="no document feeder"):
        settings_for(FUJITSU.replace("ADF Front|ADF Back|ADF Duplex", "Transparency"), ScanSettings())
    with pytest.raises(UsageError, match="no flatbed"):
        settings_for(HPAIO.replace("Flatbed|", ""), ScanSettings(source="flatbed"))
    with pytest.raises(UsageError, match="the flatbed"):
        settings_for(FUJITSU, ScanSettings(source="flatbed", duplex=True))
    with pytest.raises(UsageError, match="no color mode"):
        settings_for(KVS20XX.replace("|Color", ""), ScanSettings(mode="color"))


def test_device_options_by_name_are_checked():
    fujitsu = parse_options("fujitsu", FUJITSU)
    source = choose_source(fujitsu, ScanSettings())

    def with_extra(*extra: tuple[str, str]) -> DeviceSettings:
        return choose_settings(fujitsu, ScanSettings(extra=extra), source)

    assert with_extra(("swdeskew", "yes"), ("swskip", "2.5")).as_dict()["swskip"] == "2.5"
    with pytest.raises(UsageError, match="has no option 'swdespeck'"):
        with_extra(("swdespeck", "2"))
    with pytest.raises(UsageError, match="does not take 'maybe'"):
        with_extra(("swdeskew", "maybe"))
    with pytest.raises(UsageError, match="cannot be set now"):
        with_extra(("cover-open", "yes"))
    with pytest.raises(UsageError, match="dsd's own option"):
        check_extra_names(ScanSettings(extra=(("source", "ADF Back"),)))
    assert parse_device_option("--swdeskew=yes") == ("swdeskew", "yes")
    for bad in ("swdeskew", "=yes", "a b=1", "x=\x1b[31m"):
        with pytest.raises(UsageError):
            parse_device_option(bad)


def test_arguments_for_scanimage():
    settings = DeviceSettings((("source", "ADF Duplex"), ("x", "210"), ("resolution", "300")))
    assert settings.arguments() == ["--source=ADF Duplex", "-x", "210", "--resolution=300"]
