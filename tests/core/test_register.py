import datetime as dt
from pathlib import Path

import pytest

from dsd_cli.errors import ConfigError
from dsd_cli.register import load_register, valid_nrn


def nrn(birth: str, serial: str, after_2000: bool = False) -> str:
    base = int(("2" if after_2000 else "") + birth + serial)
    return f"{birth}{serial}{97 - base % 97:02d}"


def test_nrn_check_digits_before_and_after_2000():
    assert valid_nrn(nrn("850730", "033"))
    assert valid_nrn(nrn("010203", "123", after_2000=True))
    assert valid_nrn("85.07.30-033." + nrn("850730", "033")[-2:])
    wrong = nrn("850730", "033")
    assert not valid_nrn(wrong[:-1] + str((int(wrong[-1]) + 1) % 10))
    assert not valid_nrn("123")


def test_register_reads_dates_holds_and_semicolons(tmp_path: Path):
    csv = tmp_path / "register.csv"
    csv.write_text("dossier;client;closed;legal_hold;nrn\n"
                   f"SD/2019/0456;Familie Peeters;2020-03-31;nee;{nrn('850730', '033')}\n"
                   "BB-1;;;ja;\n", encoding="utf-8")
    reg = load_register(csv)
    assert len(reg) == 2
    entry = reg.lookup(" SD/2019/0456 ")
    assert entry and entry.closed == dt.date(2020, 3, 31) and not entry.legal_hold
    assert reg.lookup("BB-1").legal_hold is True
    assert "Peeters" not in repr(entry) and entry.nrn not in repr(entry)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("client\nx\n", "needs a 'dossier' column"),
        ("dossier,colour\nA,red\n", "unknown register column"),
        ("dossier,closed\nA,31/03/2020\n", "line 2, column closed"),
        ("dossier,legal_hold\nA,maybe\n", "not yes/no"),
        ("dossier\nA\nA\n", "appears twice"),
        ("dossier,nrn\nA,85073003300\n", "not a valid national register number"),
        ("dossier,opened,closed\nA,2020-01-02,2019-01-01\n", "before opened"),
    ],
)
def test_bad_registers_name_the_line(tmp_path: Path, body: str, message: str):
    csv = tmp_path / "r.csv"
    csv.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_register(csv)
    assert "85073003300" not in str(info.value)
