"""Writing files so that a failure never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from shienapp.core.errors import UserError


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, flush to disk, then rename over ``path``."""
    if not path.parent.exists():
        raise UserError(f"保存先のフォルダ {path.parent} がありません。")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"{path} に保存できませんでした: {exc.strerror or exc}") from exc
