"""The journal must live on a local disk: SQLite's locks and its WAL shared memory do not work over NFS or SMB.

On a network file system two machines can both believe they hold the archive's lock, and a commit that returned
may not be on the server yet when the power goes: exactly the failures the journal exists to survive. dsd
therefore refuses to run an archive whose state folder (ARCHIVE/.dsd) is on a network file system. Which file system
a folder is on comes from the kernel's mount table (/proc/self/mounts): the longest mount point above it.
"""

from __future__ import annotations

import os
from pathlib import Path

from dsd_cli.errors import ArchiveError

NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs", "lustre", "gpfs",
    "fuse.sshfs", "fuse.glusterfs", "fuse.cephfs", "fuse.s3fs", "fuse.rclone", "davfs", "fuse.davfs2",
})
MOUNTS = Path("/proc/self/mounts")


def _unescape(field: str) -> str:
    """Mount points in /proc/mounts escape space, tab, newline and backslash as octal (\\040 ...)."""
    out, i = [], 0
    while i < len(field):
        code = field[i + 1:i + 4]
        if field[i] == "\\" and len(code) == 3 and code.isdigit():
            out.append(chr(int(code, 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def filesystem_of(path: Path, mounts_text: str | None = None) -> tuple[str, str]:
    """(file system type, mount point) of the mount that holds `path` (its nearest existing folder)."""
    if mounts_text is None:
        try:
            mounts_text = MOUNTS.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "", ""
    target = Path(os.path.realpath(path))
    best = ("", "")
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point, fs_type = _unescape(fields[1]), fields[2]
        mount = Path(mount_point)
        if (target == mount or mount in target.parents) and len(mount_point) >= len(best[1]):
            best = (fs_type, mount_point)
    return best


def require_local_journal(state_dir: Path, mounts_text: str | None = None) -> None:
    """ArchiveError when `state_dir` (where the journal lives) is on a network file system."""
    fs_type, mount_point = filesystem_of(state_dir, mounts_text)
    if fs_type in NETWORK_FILESYSTEMS or fs_type.startswith(("nfs", "smb", "cifs")):
        raise ArchiveError(
            f"the archive's journal ({state_dir}) would live on a network file system ({fs_type} at {mount_point}): "
            "SQLite's locking and write-ahead log are not safe there, and a crash could lose or duplicate pages",
            hint="keep the archive on the coordinator's local disk; workers never need to see it")
