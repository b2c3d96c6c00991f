"""Drafts of edits in progress, written to the data folder as the user types.

Minutes are transcribed for an hour from a paper sheet; a crash, a flat laptop battery or a
killed process must not take that hour with it. The editor writes its whole state here every
few seconds; a successful save or an explicit discard removes the draft; the next start offers
any draft left behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from shienapp import config
from shienapp.core.files import write_bytes_atomically


@dataclass(frozen=True, slots=True)
class Draft:
    key: str
    saved_at: datetime
    title: str
    payload: dict[str, Any]


class DraftStore:
    """One JSON file per draft; written atomically so a crash mid-write keeps the previous one."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or config.data_dir() / "drafts"

    def _path(self, key: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in key)
        return self.folder / f"{safe}.json"

    def save(self, key: str, title: str, payload: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        document = {
            "key": key,
            "title": title,
            "saved_at": datetime.now().astimezone().isoformat(),
            "payload": payload,
        }
        data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
        write_bytes_atomically(self._path(key), data)

    def load(self, key: str) -> Draft | None:
        return _read(self._path(key))

    def discard(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def pending(self) -> list[Draft]:
        """Drafts left behind, newest first; unreadable files are skipped, never deleted."""
        if not self.folder.is_dir():
            return []
        drafts = [d for p in self.folder.glob("*.json") if (d := _read(p)) is not None]
        return sorted(drafts, key=lambda d: d.saved_at, reverse=True)


def _read(path: Path) -> Draft | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return Draft(
            key=str(document["key"]),
            saved_at=datetime.fromisoformat(document["saved_at"]),
            title=str(document.get("title", "")),
            payload=dict(document["payload"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
