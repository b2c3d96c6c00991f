"""Where the database file lives: on this computer's disk, or in a folder on the network.

SQLite's WAL mode keeps its index in shared memory beside the file, which works only when every
program using the file runs on the same computer; on a network share (NFS, SMB/CIFS, ...) WAL
can corrupt the file or fail to open it. :func:`journal_mode_for` says which journal mode to use
for a path and, for a network folder, gives the Japanese message to show the user.

Detection is best effort and never raises: when the filesystem cannot be told, the path counts
as local.

- Linux: the longest mount point in ``/proc/self/mounts`` that holds the path, and its type.
- Windows: a UNC path (``\\\\server\\share``) or a drive letter whose ``GetDriveTypeW`` is
  ``DRIVE_REMOTE``.
- macOS: the output of ``mount`` (one short subprocess), parsed the same way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path, PurePath

PROC_MOUNTS = Path("/proc/self/mounts")

# Filesystem types that live on another computer. Linux names as /proc/self/mounts gives them
# (a FUSE filesystem shows as "fuse.<name>"), and macOS names as `mount` gives them.
NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "fuse.sshfs",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "davfs",
        # macOS
        "afpfs",
        "webdav",
    }
)

DRIVE_REMOTE = 4  # GetDriveTypeW: a network drive

NETWORK_JOURNAL_MESSAGE = (
    "データベースがネットワーク上のフォルダにあるため、WAL ではなく従来のジャーナル方式"
    "（DELETE）で開きました。WAL はネットワーク越しには正しく働かず、ファイルが壊れるおそれが"
    "あるためです。複数の人が同時に使うと遅くなることがあります。"
    "できればこのパソコンのディスクに置いてください。"
)

_UNC = re.compile(r"^(?:\\\\|//)(?![?.][\\/])[^\\/]+[\\/][^\\/]+")
_UNC_LONG = re.compile(r"^\\\\\?\\UNC\\[^\\]+\\[^\\]+", re.IGNORECASE)
# `mount` on macOS: "//user@server/share on /Volumes/share (smbfs, nodev, nosuid, ...)".
_MACOS_MOUNT_LINE = re.compile(r"^(?P<device>.+?) on (?P<point>.+) \((?P<type>[^,()]+)")


def journal_mode_for(path: Path, *, mounts_file: Path | None = None) -> tuple[str, str | None]:
    """``("WAL", None)`` on a local disk; ``("DELETE", message)`` in a network folder.

    The message is Japanese, says which journal mode was used instead of WAL and why, and is
    meant to be shown to the user once when the database is opened.
    """
    if is_network_path(path, mounts_file=mounts_file):
        return "DELETE", NETWORK_JOURNAL_MESSAGE
    return "WAL", None


def is_network_path(path: Path, *, mounts_file: Path | None = None) -> bool:
    """True when ``path`` (or, if it does not exist yet, its nearest existing parent folder) is
    on a network filesystem.

    ``mounts_file`` is a file in the format of ``/proc/self/mounts``; when given it is used on
    any platform (tests pass a fake one). Without it: ``/proc/self/mounts`` on Linux,
    ``GetDriveTypeW`` and the UNC form on Windows, the output of ``mount`` on macOS. On any other
    system, or when the information cannot be read, the answer is False (local).
    """
    raw = Path(path)
    if sys.platform == "win32" and is_unc_path(str(raw)):
        return True
    target = nearest_existing(raw)
    if mounts_file is not None:
        return _on_network_mount(target, _read_mounts(mounts_file))
    if sys.platform == "win32":
        # resolve() turns a mapped drive into its UNC path when Windows can tell.
        return is_unc_path(str(target)) or _windows_drive_is_remote(raw, target)
    if sys.platform == "darwin":
        return _on_network_mount(target, _macos_mounts())
    if sys.platform.startswith("linux"):
        return _on_network_mount(target, _read_mounts(PROC_MOUNTS))
    return False


def is_unc_path(text: str) -> bool:
    """True for a Windows network path: ``\\\\server\\share\\...``, ``//server/share/...`` or
    ``\\\\?\\UNC\\server\\share\\...``. ``\\\\?\\C:\\...`` and ``\\\\.\\...`` are not UNC."""
    return bool(_UNC.match(text) or _UNC_LONG.match(text))


def nearest_existing(path: Path) -> Path:
    """``path`` made absolute with symbolic links resolved; if it does not exist, its nearest
    existing parent folder (a database about to be created is judged by its folder)."""
    try:
        candidate = Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        candidate = Path(os.path.abspath(path))
    for folder in (candidate, *candidate.parents):
        try:
            if folder.exists():
                return folder
        except OSError:
            continue
    return candidate


# --- mount tables ----------------------------------------------------------------------------


def parse_mounts(text: str) -> list[tuple[str, str]]:
    """``(mount point, filesystem type)`` pairs from text in the ``/proc/self/mounts`` format.

    The kernel writes a space, tab, newline or backslash in a mount point as an octal escape
    (``\\040`` for a space); those are decoded.
    """
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            mounts.append((_unescape_octal(fields[1]), fields[2]))
    return mounts


def parse_macos_mount_output(text: str) -> list[tuple[str, str]]:
    """``(mount point, filesystem type)`` pairs from the output of ``mount`` on macOS."""
    mounts = []
    for line in text.splitlines():
        match = _MACOS_MOUNT_LINE.match(line.strip())
        if match:
            mounts.append((match["point"], match["type"].strip()))
    return mounts


def mount_type_for(path: PurePath, mounts: Iterable[tuple[str, str]]) -> str | None:
    """The filesystem type of the longest mount point that holds ``path`` (None if none does).

    A later line for the same mount point wins, as a later mount hides an earlier one.
    """
    best: tuple[int, str] | None = None
    for point, fstype in mounts:
        mount_point = type(path)(point)
        if mount_point == path or mount_point in path.parents:
            depth = len(mount_point.parts)
            if best is None or depth >= best[0]:
                best = (depth, fstype)
    return best[1] if best else None


def _on_network_mount(path: Path, mounts: list[tuple[str, str]]) -> bool:
    fstype = mount_type_for(path, mounts)
    return fstype is not None and fstype.lower() in NETWORK_FS_TYPES


def _read_mounts(mounts_file: Path) -> list[tuple[str, str]]:
    try:
        text = Path(mounts_file).read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return []
    return parse_mounts(text)


def _unescape_octal(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _macos_mounts() -> list[tuple[str, str]]:
    try:
        result = subprocess.run(
            ["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_macos_mount_output(result.stdout) if result.returncode == 0 else []


# --- Windows ---------------------------------------------------------------------------------


def _windows_drive_is_remote(*paths: Path) -> bool:
    """True when the drive letter of any of ``paths`` is a mapped network drive."""
    if sys.platform != "win32":
        return False
    import ctypes

    for path in paths:
        drive = PurePath(path).drive
        if len(drive) == 2 and drive[1] == ":":
            try:
                kind = ctypes.windll.kernel32.GetDriveTypeW(f"{drive}\\")
            except (AttributeError, OSError):
                continue
            if kind == DRIVE_REMOTE:
                return True
    return False
