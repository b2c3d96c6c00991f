"""Encrypting a database for a laptop that leaves the building, and undoing it.

In place, the plain file is first backed up through the backup service, then an encrypted copy
is written beside it, verified and renamed over it (``storage/cipher.py``). A plain copy of an
encrypted laptop database would defeat the purpose, so the plain backups are not left among the
rotating ones: the one just taken and the older ones of this database (pre-migration copies
too) are moved together into ``<backup folder>/unencrypted``, which the user is told to delete
or keep somewhere safe. From then on every backup of the database is encrypted.

The passphrase cannot be recovered: there is no reset and no master key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shienapp.core.backups import BackupService, glob_escape
from shienapp.core.errors import UserError
from shienapp.storage import cipher, integrity
from shienapp.storage.errors import DatabaseError

MIN_PASSPHRASE = 8
PLAIN_FOLDER = "unencrypted"


@dataclass(frozen=True)
class EncryptionResult:
    database: Path
    plain_folder: Path | None = None  # where the plain copies went (in place only)
    plain_backup: Path | None = None  # the copy taken just before
    moved: list[Path] = field(default_factory=list)  # older plain backups moved beside it

    def describe(self) -> str:
        """What happened, and where the plain copies are, in the words shown to the user."""
        if self.plain_folder is None:
            return f"{self.database} を暗号化しました。"
        lines = [f"{self.database} を暗号化しました。以後のバックアップも暗号化されます。"]
        if self.plain_backup is not None:
            lines.append(f"暗号化する前の（暗号化されていない）コピー: {self.plain_backup}")
        if self.moved:
            lines.append(
                f"これまでの暗号化されていないバックアップ {len(self.moved)} 件も同じフォルダ"
                f"（{self.plain_folder}）に移しました。"
            )
        lines.append(
            "これらは誰でも読めます。パソコンから持ち出す前に削除するか、"
            "事務所の安全な場所に保管してください。"
        )
        return "\n".join(lines)


def check_passphrase(passphrase: str, again: str | None = None) -> str:
    """The passphrase if it can be used: 8 characters or more, and the same twice when asked
    twice."""
    if again is not None and passphrase != again:
        raise UserError("2 回入力したパスフレーズが一致しません。")
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(f"パスフレーズは {MIN_PASSPHRASE} 文字以上にしてください。")
    if passphrase != passphrase.strip():
        raise UserError("パスフレーズの最初と最後に空白は使えません。")
    if "\x00" in passphrase:
        raise UserError("パスフレーズに使えない文字が含まれています。")
    return passphrase


def is_encrypted(path: Path) -> bool:
    return cipher.looks_encrypted(Path(path))


def _sound_plain(path: Path) -> None:
    if not path.is_file():
        raise UserError(f"データベースが見つかりません: {path}")
    if cipher.looks_encrypted(path):
        raise UserError(f"{path} はすでに暗号化されています。")
    if not integrity.is_sqlite_file(path):
        raise UserError(f"{path} は SQLite のデータベースではありません。")
    problems = integrity.check(path)
    if problems:
        raise UserError("データベースが壊れているため、暗号化しません。", problems)


def _unlock(path: Path, key: str) -> None:
    if not path.is_file():
        raise UserError(f"データベースが見つかりません: {path}")
    if not cipher.looks_encrypted(path):
        raise UserError(f"{path} は暗号化されていません。")
    try:
        cipher.check_key(path, key)
    except cipher.WrongKey as exc:
        raise UserError(f"パスフレーズが違います。{path} は変更していません。") from exc


def _new_file(out: Path) -> Path:
    out = Path(out)
    if out.exists():
        raise UserError(f"{out} はすでにあります。別の名前を指定してください。")
    return out


def encrypt_copy(database: Path, key: str, out: Path) -> EncryptionResult:
    """An encrypted copy of the plain ``database`` in ``out``; the database is not changed."""
    database, out = Path(database), _new_file(out)
    check_passphrase(key)
    _sound_plain(database)
    _convert(cipher.encrypt_file, database, out, key)
    return EncryptionResult(out)


def encrypt_database(database: Path, key: str, *, backup_folder: Path) -> EncryptionResult:
    """Encrypt ``database`` in place (close it first, in every copy of the app).

    A plain backup is taken first; it and the database's older plain backups are moved into
    ``backup_folder/unencrypted`` (see the module's docstring). The file is replaced only after
    the encrypted copy is verified."""
    database = Path(database)
    check_passphrase(key)
    _sound_plain(database)
    service = BackupService(database, backup_folder)
    before = service.create("pre-encrypt").path
    _convert(cipher.encrypt_file, database, database, key)
    cipher.remember(database, key)
    plain_folder = Path(backup_folder) / PLAIN_FOLDER
    moved: list[Path] = []
    plain_backup = None
    for path in _plain_backups(service):
        target = _move(path, plain_folder)
        if path == before:
            plain_backup = target
        else:
            moved.append(target)
    return EncryptionResult(database, plain_folder, plain_backup, moved)


def decrypt_copy(database: Path, key: str, out: Path) -> Path:
    """A plain copy of the encrypted ``database`` in ``out``; the database stays encrypted."""
    database, out = Path(database), _new_file(out)
    _unlock(database, key)
    _convert(cipher.decrypt_file, database, out, key)
    return out


def decrypt_database(database: Path, key: str, *, backup_folder: Path) -> Path:
    """Remove the encryption of ``database`` in place (close it first). An encrypted backup is
    taken first; the existing backups stay encrypted and need this passphrase to restore."""
    database = Path(database)
    _unlock(database, key)
    BackupService(database, backup_folder, key=key).create("pre-decrypt")
    _convert(cipher.decrypt_file, database, database, key)
    cipher.forget(database)
    return database


def _convert(
    convert: Callable[[Path, Path, str], Path], source: Path, target: Path, key: str
) -> None:
    try:
        convert(source, target, key)
    except DatabaseError as exc:
        raise UserError(exc.message) from exc


def _plain_backups(service: BackupService) -> list[Path]:
    """This database's backups that are not encrypted: the rotating ones and pre-migration."""
    found = [b.path for b in service.list()]
    pre = service.folder / "pre-migration"
    if pre.is_dir():
        found += sorted(pre.glob(f"{glob_escape(service.database.stem)}-*.sqlite3"))
    return [p for p in found if integrity.is_sqlite_file(p)]


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    path.replace(target)
    side = path.with_suffix(".json")
    if side.exists():
        side.replace(target.with_suffix(".json"))
    return target
