"""Where the database lives decides the journal mode: WAL on this computer's disk, DELETE (with a
Japanese explanation) in a folder on the network. The mount tables here are fake files."""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath

import pytest

from shienapp.storage.location import (
    NETWORK_FS_TYPES,
    NETWORK_JOURNAL_MESSAGE,
    is_network_path,
    is_unc_path,
    journal_mode_for,
    mount_type_for,
    nearest_existing,
    parse_macos_mount_output,
    parse_mounts,
)


def mount_point(path: Path) -> str:
    """A path as the kernel writes it in /proc/self/mounts (space, tab, newline, backslash
    escaped in octal)."""
    text = str(path)
    for char in "\\ \t\n":
        text = text.replace(char, f"\\{ord(char):03o}")
    return text


def fake_mounts(tmp_path: Path, *mounts: tuple[Path | str, str]) -> Path:
    lines = ["proc /proc proc rw,relatime 0 0", "/dev/vda / ext4 rw,relatime 0 0"]
    for point, fstype in mounts:
        device = "//nas/share" if fstype == "cifs" else "/dev/sdb1"
        lines.append(f"{device} {mount_point(Path(point))} {fstype} rw,relatime 0 0")
    target = tmp_path / "mounts"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


def test_a_file_on_a_local_disk_uses_wal(tmp_path: Path) -> None:
    mounts = fake_mounts(tmp_path, (tmp_path, "ext4"))
    database = tmp_path / "shienapp.sqlite3"
    database.touch()

    assert not is_network_path(database, mounts_file=mounts)
    assert journal_mode_for(database, mounts_file=mounts) == ("WAL", None)


def test_a_file_in_a_cifs_share_uses_the_delete_journal_and_says_why(
    tmp_path: Path, share: Path
) -> None:
    mounts = fake_mounts(tmp_path, (share, "cifs"))
    database = share / "shienapp.sqlite3"
    database.touch()

    assert is_network_path(database, mounts_file=mounts)
    mode, message = journal_mode_for(database, mounts_file=mounts)
    assert mode == "DELETE"
    assert message == NETWORK_JOURNAL_MESSAGE
    assert "ネットワーク上のフォルダ" in message
    assert "WAL ではなく従来のジャーナル方式" in message
    assert "このパソコンのディスクに置いてください" in message


@pytest.mark.parametrize(
    "fstype", ["nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "fuse.sshfs", "afs", "ceph"]
)
def test_every_network_filesystem_type_counts(tmp_path: Path, share: Path, fstype: str) -> None:
    mounts = fake_mounts(tmp_path, (share, fstype))
    assert journal_mode_for(share / "a.sqlite3", mounts_file=mounts)[0] == "DELETE"


@pytest.mark.parametrize("fstype", ["ext4", "xfs", "btrfs", "tmpfs", "overlay", "fuse.ntfs-3g"])
def test_local_filesystem_types_do_not(tmp_path: Path, share: Path, fstype: str) -> None:
    mounts = fake_mounts(tmp_path, (share, fstype))
    assert journal_mode_for(share / "a.sqlite3", mounts_file=mounts) == ("WAL", None)


def test_the_longest_mount_point_wins(tmp_path: Path, share: Path) -> None:
    # tmp_path plays /mnt (a local disk) and tmp_path/share plays /mnt/share (a cifs share).
    mounts = fake_mounts(tmp_path, (tmp_path, "ext4"), (share, "cifs"))
    beside = tmp_path / "share-local"  # a sibling whose name starts the same: not in the share
    beside.mkdir()

    assert is_network_path(share / "a.sqlite3", mounts_file=mounts)
    assert not is_network_path(tmp_path / "a.sqlite3", mounts_file=mounts)
    assert not is_network_path(beside / "a.sqlite3", mounts_file=mounts)

    # The other way round: a local disk mounted inside a network share.
    inner = share / "usb"
    inner.mkdir()
    mounts = fake_mounts(tmp_path, (share, "nfs4"), (inner, "ext4"))
    assert not is_network_path(inner / "a.sqlite3", mounts_file=mounts)
    assert is_network_path(share / "a.sqlite3", mounts_file=mounts)


def test_a_database_not_yet_created_is_judged_by_its_folder(tmp_path: Path, share: Path) -> None:
    mounts = fake_mounts(tmp_path, (tmp_path, "ext4"), (share, "cifs"))
    missing = share / "new folder" / "deeper" / "shienapp.sqlite3"
    assert not missing.exists()

    assert nearest_existing(missing) == share.resolve()
    assert journal_mode_for(missing, mounts_file=mounts) == ("DELETE", NETWORK_JOURNAL_MESSAGE)
    assert journal_mode_for(tmp_path / "nope" / "a.sqlite3", mounts_file=mounts) == ("WAL", None)


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_symbolic_link_into_a_share_is_followed(tmp_path: Path, share: Path) -> None:
    mounts = fake_mounts(tmp_path, (tmp_path, "ext4"), (share, "smb3"))
    link = tmp_path / "desktop-link"
    link.symlink_to(share, target_is_directory=True)

    assert is_network_path(link / "shienapp.sqlite3", mounts_file=mounts)


def test_a_mount_point_with_a_space_is_decoded(tmp_path: Path) -> None:
    folder = tmp_path / "共有 フォルダ"
    folder.mkdir()
    mounts = fake_mounts(tmp_path, (tmp_path, "ext4"), (folder, "cifs"))
    assert "\\040" in mounts.read_text(encoding="utf-8")

    assert is_network_path(folder / "a.sqlite3", mounts_file=mounts)


def test_an_unreadable_mounts_file_means_local(tmp_path: Path) -> None:
    assert journal_mode_for(tmp_path / "a.sqlite3", mounts_file=tmp_path / "missing") == (
        "WAL",
        None,
    )


def test_parse_mounts_and_longest_prefix_without_files() -> None:
    mounts = parse_mounts(
        "/dev/vda / ext4 rw 0 0\n"
        "/dev/vdb /mnt ext4 rw 0 0\n"
        "//nas/share /mnt/share cifs rw 0 0\n"
        "server:/export /mnt/my\\040nfs nfs4 rw 0 0\n"
        "short line\n"
    )
    assert mounts == [
        ("/", "ext4"),
        ("/mnt", "ext4"),
        ("/mnt/share", "cifs"),
        ("/mnt/my nfs", "nfs4"),
    ]
    assert mount_type_for(PurePosixPath("/mnt/share/db.sqlite3"), mounts) == "cifs"
    assert mount_type_for(PurePosixPath("/mnt/share"), mounts) == "cifs"
    assert mount_type_for(PurePosixPath("/mnt/shared/db.sqlite3"), mounts) == "ext4"
    assert mount_type_for(PurePosixPath("/mnt/my nfs/x"), mounts) == "nfs4"
    assert mount_type_for(PurePosixPath("/home/a"), mounts) == "ext4"
    assert mount_type_for(PurePosixPath("/home/a"), []) is None


def test_parse_macos_mount_output() -> None:
    output = (
        "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
        "/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)\n"
        "//taro@nas._smb._tcp.local/共有 on /Volumes/共有 フォルダ (smbfs, nodev, nosuid, "
        "mounted by taro)\n"
        "nas:/export on /Volumes/export (nfs, asynchronous)\n"
    )
    mounts = parse_macos_mount_output(output)
    assert mounts == [
        ("/", "apfs"),
        ("/System/Volumes/Data", "apfs"),
        ("/Volumes/共有 フォルダ", "smbfs"),
        ("/Volumes/export", "nfs"),
    ]
    assert mount_type_for(PurePosixPath("/Volumes/共有 フォルダ/a.sqlite3"), mounts) == "smbfs"
    assert mount_type_for(PurePosixPath("/Users/taro/a.sqlite3"), mounts) == "apfs"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\\server\share\shienapp.sqlite3", True),
        (r"\\server\share", True),
        ("//server/share/shienapp.sqlite3", True),
        (r"\\?\UNC\server\share\shienapp.sqlite3", True),
        (r"\\?\C:\Users\taro\shienapp.sqlite3", False),
        (r"\\.\pipe\something", False),
        (r"\\server", False),
        (r"C:\Users\taro\shienapp.sqlite3", False),
        ("/home/taro/shienapp.sqlite3", False),
        ("shienapp.sqlite3", False),
    ],
)
def test_unc_paths_are_recognised(text: str, expected: bool) -> None:
    assert is_unc_path(text) is expected


@pytest.mark.skipif(sys.platform != "win32", reason="UNC paths are a Windows thing")
def test_a_unc_path_on_windows_uses_the_delete_journal() -> None:
    assert journal_mode_for(Path(r"\\server\share\shienapp.sqlite3")) == (
        "DELETE",
        NETWORK_JOURNAL_MESSAGE,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/mounts")
def test_this_machines_temporary_folder_is_judged_from_the_real_mount_table(
    tmp_path: Path,
) -> None:
    # Whatever the machine: the answer agrees with the real table, and asking never raises.
    expected = mount_type_for(tmp_path.resolve(), parse_mounts(_real_mounts()))
    mode, message = journal_mode_for(tmp_path / "a.sqlite3")
    assert (mode == "DELETE") is (expected in NETWORK_FS_TYPES)
    assert (message is None) is (mode == "WAL")


def _real_mounts() -> str:
    with open("/proc/self/mounts", encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def test_nearest_existing_of_an_existing_file_is_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "a.sqlite3"
    database.touch()
    monkeypatch.chdir(tmp_path)
    assert nearest_existing(database) == database.resolve()
    assert nearest_existing(Path("a.sqlite3")) == database.resolve()
    assert nearest_existing(Path("missing") / "b.sqlite3") == tmp_path.resolve()
