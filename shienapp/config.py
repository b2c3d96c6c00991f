"""Where things live: the one paths module.

Every path the app writes goes through here, so tests can point it at a temporary folder with
one environment variable (``SHIENAPP_DATA_DIR``) and no test ever touches a real user folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shienapp import APP_NAME

ENV_DATABASE_URL = "SHIENAPP_DATABASE_URL"
ENV_DATA_DIR = "SHIENAPP_DATA_DIR"
# The passphrase of an encrypted database, for scripts and scheduled jobs (see cipher.py).
ENV_DB_KEY = "SHIENAPP_DB_KEY"


def data_dir() -> Path:
    """The user's data folder (platformdirs), or ``SHIENAPP_DATA_DIR`` when set."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_path

        path = user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings_path() -> Path:
    return data_dir() / "settings.json"


def load_settings() -> dict[str, object]:
    """This computer's settings (the backup folder, …); an unreadable file counts as empty."""
    import json

    try:
        loaded = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def save_settings(settings: dict[str, object]) -> None:
    import json

    target = settings_path()
    partial = target.with_name(target.name + ".tmp")
    partial.write_text(json.dumps(settings, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(target)


def backup_dir() -> Path:
    """Where backups go: the folder chosen in the settings (a second drive, a USB stick), else
    ``backups`` in the data folder."""
    chosen = load_settings().get("backup_folder")
    path = Path(str(chosen)) if chosen else data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "shienapp.sqlite3"


def database_url(db: str | os.PathLike[str] | None = None) -> str:
    """Choose the database: ``--db`` first, then ``SHIENAPP_DATABASE_URL``, then the data folder.

    ``--db`` takes a file path or any SQLAlchemy URL.
    """
    if db is not None:
        text = os.fspath(db)
        if "://" in text:
            return text
        return sqlite_url(Path(text))
    env = os.environ.get(ENV_DATABASE_URL)
    if env:
        return env
    return sqlite_url(default_database_path())


def database_key_from_env() -> str | None:
    """The passphrase in ``SHIENAPP_DB_KEY``, if set (an empty value counts as unset)."""
    return os.environ.get(ENV_DB_KEY) or None


def sqlite_url(path: Path) -> str:
    """A SQLite URL for a file path, escaped so that %, ? and # in folder names stay literal."""
    from sqlalchemy.engine import URL

    url = URL.create("sqlite", database=str(path.expanduser().resolve()))
    return url.render_as_string(hide_password=False)


def resources_dir() -> Path:
    """The shipped resources (fonts, templates), wherever the app runs from.

    A source checkout has them at the top of the tree; ``pip install .`` puts them in
    ``shienapp/resources``; a PyInstaller build unpacks them under ``sys._MEIPASS``.
    """
    here = Path(__file__).resolve().parent
    candidates = [here / "resources", here.parent / "resources"]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.insert(0, Path(frozen) / "shienapp" / "resources")
    for candidate in candidates:
        if (candidate / "fonts").is_dir():
            return candidate
    raise FileNotFoundError("resources/ が見つかりません: " + ", ".join(map(str, candidates)))


def font_path() -> Path:
    return resources_dir() / "fonts" / "ipaexg.ttf"


def template_path(name: str) -> Path:
    return resources_dir() / "templates" / name
