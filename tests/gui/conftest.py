"""GUI tests open new databases: the first-run wizard would wait for a person there."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from shienapp.gui.safety.accounts import FirstRunDialog


@pytest.fixture(autouse=True)
def _no_accounts_on_first_run(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """The wizard answers "アカウントを使わない" by itself, as a city without accounts would,
    unless a test is about the wizard (marked ``real_first_run``)."""
    if request.node.get_closest_marker("real_first_run"):
        return

    def answer(dialog: FirstRunDialog) -> int:
        dialog.no_accounts.setChecked(True)
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(FirstRunDialog, "exec", answer)
