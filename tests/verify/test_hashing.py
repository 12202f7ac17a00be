"""The hashing of `dsd verify`: files of every size give the digests hashlib gives, read or mapped."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from dsd_cli.verify import hashing


@pytest.mark.parametrize("size", [0, 1, hashing.BLOCK - 1, hashing.BLOCK, hashing.BLOCK + 1,
                                  hashing.MAP_CHUNK + 12345])
def test_digests_equal_hashlib_below_and_above_the_mapped_size(tmp_path: Path, size: int):
    path = tmp_path / "payload.bin"
    data = os.urandom(min(size, 1 << 20)) * (size // (1 << 20) + 1)
    path.write_bytes(data[:size])
    counted: list[int] = []
    digests = hashing.hash_file(path, ("sha256", "sha512"), counted.append)
    assert digests == {"sha256": hashlib.sha256(data[:size]).hexdigest(),
                       "sha512": hashlib.sha512(data[:size]).hexdigest()}
    assert sum(counted) == size, "progress counts every byte once"
