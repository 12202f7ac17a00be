from pathlib import Path

import pytest

from dsd_cli.errors import UnsafePathError
from dsd_cli.safepaths import child_path, dossier_folder_name, dossier_from_folder_name, dossier_path

HOSTILE = ["../../etc", "SD/2019/0456", "/etc/passwd", "..", ".", "CON", "nul", "a:b", "C:\\Windows", "~root",
           "dossier\\..\\x", "Düren-ß 12", "e\u0301", "x" * 120, "trailing. ", "%2e%2e", "a~41"]


@pytest.mark.parametrize("dossier", HOSTILE)
def test_dossier_numbers_never_leave_the_archive(tmp_path: Path, dossier: str):
    archive = tmp_path / "archive"
    archive.mkdir()
    folder = dossier_path(archive, dossier)
    assert folder.parent == archive
    assert folder.resolve().parent == archive.resolve()
    name = folder.name
    assert "/" not in name and "\\" not in name and ":" not in name and name not in (".", "..")
    assert name.upper().split(".")[0] not in {"CON", "NUL", "PRN", "AUX"}
    assert dossier_from_folder_name(name) == dossier_from_folder_name(dossier_folder_name(dossier))


def test_mapping_is_injective_and_reversible():
    names = {dossier_folder_name(d) for d in HOSTILE}
    assert len(names) == len(HOSTILE)
    assert dossier_from_folder_name(dossier_folder_name("SD/2019/0456")) == "SD/2019/0456"
    assert dossier_folder_name("SD/2019/0456") == "SD~2F2019~2F0456"
    # NFC and NFD forms of the same number are the same dossier
    assert dossier_folder_name("e\u0301") == dossier_folder_name("\u00e9")


@pytest.mark.parametrize("bad", ["", "   ", "x" * 121, "a\nb", "a\x00b"])
def test_unusable_dossier_numbers_are_refused(bad: str):
    with pytest.raises(UnsafePathError):
        dossier_folder_name(bad)


def test_child_path_refuses_escapes(tmp_path: Path):
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "link").symlink_to(tmp_path)
    for part in ("..", "a/b", "/abs", "", "a\\b"):
        with pytest.raises(UnsafePathError):
            child_path(tmp_path / "inside", part)
    with pytest.raises(UnsafePathError):
        child_path(tmp_path / "inside", "link")  # a symlink in the archive pointing outside is not followed
