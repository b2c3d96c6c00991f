"""The person picker of the resource and need forms: choose by scrolling or by typing."""

from __future__ import annotations

import uuid

import pytest
from pytestqt.qtbot import QtBot

from shienapp.core.errors import UserError
from shienapp.gui.widgets.person_picker import NOT_LISTED, PersonPicker

AOKI, SATO, SATO2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
PEOPLE = [("青木 一郎（中居）", AOKI), ("佐藤 花子（八幡）", SATO), ("佐藤 花子（中居）", SATO2)]


@pytest.fixture
def picker(qtbot: QtBot) -> PersonPicker:
    widget = PersonPicker(PEOPLE, "（なし）", "連絡担当者")
    qtbot.addWidget(widget)
    return widget


def test_nobody_is_chosen_at_first_and_a_listed_person_can_be(picker: PersonPicker) -> None:
    assert picker.chosen() is None
    picker.select(SATO2)
    assert picker.currentText() == "佐藤 花子（中居）" and picker.chosen() == SATO2
    picker.select(None)
    assert picker.chosen() is None


def test_typing_part_of_a_name_offers_the_matches(picker: PersonPicker) -> None:
    picker.show()
    completer = picker.completer()
    completer.setCompletionPrefix("花子")  # as typed (QTest cannot type kana)
    offered = [
        completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())
    ]
    assert offered == ["佐藤 花子（八幡）", "佐藤 花子（中居）"]
    picker.lineEdit().setText("青木 一郎（中居）")  # typed out in full
    assert picker.chosen() == AOKI


def test_a_name_not_on_the_list_is_refused_not_swapped(picker: PersonPicker) -> None:
    picker.select(AOKI)
    picker.lineEdit().setText("青木 二郎")
    with pytest.raises(UserError, match="連絡担当者：「青木 二郎」は名簿にありません"):
        picker.chosen()
    picker.lineEdit().setText("")
    assert picker.chosen() is None  # emptied: nobody


def test_someone_no_longer_listed_is_kept_unless_changed(picker: PersonPicker) -> None:
    gone = uuid.uuid4()
    picker.select(gone)
    assert picker.currentText() == NOT_LISTED and picker.chosen() == gone


def test_fifty_thousand_names_are_not_copied_into_qt(qtbot: QtBot) -> None:
    """Built from the Python list as it is (the combo was filled item by item); its speed is
    measured by `shienapp bench`-style scripts, not here."""
    many = [(f"住民{i:05d}", uuid.uuid4()) for i in range(50_000)]
    widget = PersonPicker(many, "（なし）", "相談者")
    qtbot.addWidget(widget)
    widget.select(many[-1][1])
    assert widget.count() == 50_001 and widget.chosen() == many[-1][1]
