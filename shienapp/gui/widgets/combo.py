"""Choosing a combo box item by its data."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox


def find_data(combo: QComboBox, value: Any) -> int:
    """The index whose item data equals ``value``, or -1.

    ``QComboBox.findData`` compares Python objects by identity, so a UUID read in another
    query (equal, but another object) is not found and the first item would be chosen: a
    record would silently move to another block or council. This compares with ``==``.
    """
    for index in range(combo.count()):
        if combo.itemData(index) == value:
            return index
    return -1


def select_data(combo: QComboBox, value: Any) -> bool:
    """Make the item holding ``value`` current; False (and no change) when there is none."""
    index = find_data(combo, value)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0
