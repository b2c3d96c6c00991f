"""Forms for a resource, a person, an organisation and a need.

Each form turns what was typed into the core's input record; a refused save keeps the dialog
open with the reason, and nothing typed is lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.directory import (
    PERSON_ROLES,
    RESOURCE_STATUSES,
    TARGET_GROUPS,
    OrganisationInput,
    OrganisationRow,
    PersonChoice,
    PersonInput,
    PersonRow,
    ResourceInput,
    ResourceRow,
)
from shienapp.core.errors import UserError
from shienapp.core.jpdate import format_wareki, parse_date
from shienapp.core.matching import (
    MATCH_STATUSES,
    NEED_SOURCES,
    NEED_STATUSES,
    MatchRow,
    NeedInput,
    NeedRow,
)
from shienapp.core.schedule import Slot, parse_slot
from shienapp.gui.widgets.combo import select_data
from shienapp.gui.widgets.person_picker import PersonPicker
from shienapp.gui.widgets.wareki_date_edit import WarekiDateEdit

Districts = list[tuple[str, uuid.UUID]]
Vocab = dict[str, list[str]]  # the editable lists by kind (category, skill, …)


def slots_from_text(text: str, label: str) -> tuple[Slot, ...]:
    """One slot per line (or per 、): 毎週火曜 14:00～16:00 / 第2・第4木曜 午後."""
    slots: list[Slot] = []
    for number, line in enumerate(text.replace("、", "\n").splitlines(), start=1):
        if line.strip():
            try:
                slots.append(parse_slot(line))
            except UserError as exc:
                raise UserError(f"{label} {number} 行目：{exc.message}") from None
    return tuple(slots)


def slots_text(slots: tuple[Slot, ...]) -> str:
    return "\n".join(slot.describe() for slot in slots)


class _Form(QDialog):
    """A scrolling form with a message line and 保存 / キャンセル."""

    def __init__(self, title: str, save: Callable[[Any], None], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 720)
        self._save = save
        self.form = QFormLayout()
        inner = QWidget()
        inner.setLayout(self.form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def value(self) -> Any:
        raise NotImplementedError

    def _on_save(self) -> None:
        try:
            self._save(self.value())
        except UserError as exc:
            self.message.setText("\n".join([exc.message, *exc.details[:8]]))
            return
        self.accept()


def _checks(
    options: tuple[str, ...] | list[str], chosen: tuple[str, ...], columns: int = 3
) -> QWidget:
    """Check boxes for a list; a word the record holds that the list no longer has stays
    offered (and ticked), so saving never drops it."""
    options = [*options, *(c for c in chosen if c not in options)]
    box = QWidget()
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    for i, option in enumerate(options):
        check = QCheckBox(option)
        check.setChecked(option in chosen)
        grid.addWidget(check, i // columns, i % columns)
    return box


def _checked(box: QWidget) -> tuple[str, ...]:
    return tuple(c.text() for c in box.findChildren(QCheckBox) if c.isChecked())


def _district_combo(districts: Districts, current: uuid.UUID | None, empty: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem(empty, None)
    for name, district_id in districts:
        combo.addItem(name, district_id)
    select_data(combo, current)
    return combo


def _editable_combo(options: tuple[str, ...] | list[str], current: str) -> QComboBox:
    """A list the city extends: pick one or type a new one."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(["", *options])
    if current and current not in options:
        combo.addItem(current)
    combo.setCurrentText(current)
    return combo


def _person_label(p: PersonRow | PersonChoice) -> str:
    return f"{p.name}（{p.district_name}）" if p.district_name else p.name


def _person_picker(
    people: Sequence[PersonRow | PersonChoice], none_label: str, field: str
) -> PersonPicker:
    return PersonPicker([(_person_label(p), p.id) for p in people], none_label, field)


def _checked_ids(widget: QListWidget) -> tuple[uuid.UUID, ...]:
    return tuple(
        widget.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    )


def _date_or_error(edit: WarekiDateEdit, label: str) -> date | None:
    if not edit.is_valid():
        raise UserError(f"{label}：{edit.error()}")
    return edit.date()


class ResourceDialog(_Form):
    def __init__(
        self,
        districts: Districts,
        organisations: list[OrganisationRow],
        people: Sequence[PersonRow | PersonChoice],
        vocab: Vocab,
        row: ResourceRow | None,
        save: Callable[[ResourceInput], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("活動・資源の編集" if row else "活動・資源を追加", save, parent)
        self.name = QLineEdit(row.name if row else "")
        self.reading = QLineEdit(row.reading if row else "")
        self.category = _editable_combo(vocab["category"], row.category if row else "")
        self.targets = _checks(TARGET_GROUPS, row.target_groups if row else ())
        self.district = _district_combo(districts, row.district_id if row else None, "（市全体）")
        self.venue = QLineEdit(row.venue if row else "")
        self.schedule = QPlainTextEdit(slots_text(row.schedule) if row else "")
        self.schedule.setPlaceholderText("1行に1つ。例：毎週火曜 14:00～16:00 / 第2・第4木曜 午後")
        self.schedule.setFixedHeight(80)
        self.fee = QLineEdit(row.fee if row else "")
        self.fee.setPlaceholderText("例：100円、無料")
        self.capacity = QLineEdit(str(row.capacity) if row and row.capacity is not None else "")
        self.operator = QComboBox()
        self.operator.addItem("（なし）", None)
        for org in organisations:
            self.operator.addItem(org.name, org.id)
        if row:
            select_data(self.operator, row.operator_id)
        self.contact_person = _person_picker(people, "（なし）", "連絡担当者")
        if row:
            self.contact_person.select(row.contact_person_id)
        # Helpers: the volunteers, and anyone already recorded as helping.
        helper_ids = set(row.helper_ids) if row else set()
        self.helpers = QListWidget()
        self.helpers.setFixedHeight(110)
        # Those already helping first, so they are seen without scrolling; only the volunteers
        # and them are sorted (not 50,000 people), and ids are hashed only when someone helps.
        offered = [p for p in people if p.is_volunteer or (helper_ids and p.id in helper_ids)]
        for p in sorted(offered, key=lambda p: p.id not in helper_ids):
            item = QListWidgetItem(_person_label(p))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if p.id in helper_ids else Qt.CheckState.Unchecked
            )
            self.helpers.addItem(item)
        self.public_contact = QLineEdit(row.public_contact if row else "")
        self.public_contact.setPlaceholderText(
            "住民向けの連絡先（団体の電話など。個人の番号は書かない）"
        )
        self.status = QComboBox()
        self.status.addItems(list(RESOURCE_STATUSES))
        self.status.setCurrentText(row.status if row else "活動中")
        self.started_on = WarekiDateEdit()
        self.started_on.setDate(row.started_on if row else None)
        self.note = QPlainTextEdit(row.note if row else "")
        self.note.setFixedHeight(70)
        for label, widget in (
            ("名称", self.name),
            ("フリガナ", self.reading),
            ("分類", self.category),
            ("対象", self.targets),
            ("地区", self.district),
            ("会場", self.venue),
            ("日時", self.schedule),
            ("費用", self.fee),
            ("定員", self.capacity),
            ("運営団体", self.operator),
            ("連絡担当者（職員用）", self.contact_person),
            ("協力している担い手", self.helpers),
            ("公開連絡先", self.public_contact),
            ("状態", self.status),
            ("開始日", self.started_on),
            ("備考", self.note),
        ):
            self.form.addRow(label, widget)

    def value(self) -> ResourceInput:
        capacity_text = self.capacity.text().strip()
        try:
            capacity = int(capacity_text) if capacity_text else None
        except ValueError:
            raise UserError(f"定員「{capacity_text}」は数字で入力してください。") from None
        return ResourceInput(
            name=self.name.text(),
            reading=self.reading.text(),
            category=self.category.currentText().strip(),
            target_groups=_checked(self.targets),
            district_id=self.district.currentData(),
            venue=self.venue.text(),
            schedule=slots_from_text(self.schedule.toPlainText(), "日時"),
            fee=self.fee.text(),
            capacity=capacity,
            operator_id=self.operator.currentData(),
            contact_person_id=self.contact_person.chosen(),
            helper_ids=_checked_ids(self.helpers),
            public_contact=self.public_contact.text(),
            status=self.status.currentText(),
            started_on=_date_or_error(self.started_on, "開始日"),
            note=self.note.toPlainText(),
        )


class PersonDialog(_Form):
    def __init__(
        self,
        districts: Districts,
        vocab: Vocab,
        row: PersonRow | None,
        save: Callable[[PersonInput], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("人の編集" if row else "人を追加", save, parent)
        self.name = QLineEdit(row.name if row else "")
        self.reading = QLineEdit(row.reading if row else "")
        self.district = _district_combo(districts, row.district_id if row else None, "（なし）")
        self.organisation = QLineEdit(row.organisation if row else "")
        self.roles = _checks(PERSON_ROLES, row.roles if row else ())
        self.postal_code = QLineEdit(row.postal_code if row else "")
        self.address = QLineEdit(row.address if row else "")
        self.phone = QLineEdit(row.phone if row else "")
        self.email = QLineEdit(row.email if row else "")
        self.consent_on = WarekiDateEdit()
        self.consent_on.setDate(row.consent_on if row else None)
        self.consent_scope = QLineEdit(row.consent_scope if row else "")
        self.consent_scope.setPlaceholderText("例：協議体・社協内での連絡に限る")
        self.volunteer_status = QComboBox()
        self.volunteer_status.addItems(["（担い手ではない）", "活動中", "休止"])
        if row and row.volunteer_status:
            self.volunteer_status.setCurrentText(row.volunteer_status)
        self.skills = _checks(vocab["skill"], row.skills if row else ())
        self.availability = QPlainTextEdit(slots_text(row.availability) if row else "")
        self.availability.setPlaceholderText("1行に1つ。例：毎週火曜 午前")
        self.availability.setFixedHeight(70)
        self.covered = QListWidget()
        self.covered.setFixedHeight(110)
        for name, district_id in districts:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, district_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            covered = row is not None and district_id in row.covered_district_ids
            item.setCheckState(Qt.CheckState.Checked if covered else Qt.CheckState.Unchecked)
            self.covered.addItem(item)
        self.trainings = QPlainTextEdit(
            "\n".join(f"{n} {format_wareki(d)}".strip() for n, d in row.trainings) if row else ""
        )
        self.trainings.setPlaceholderText(
            "1行に1つ。例：生活支援コーディネーター養成研修 令和6年7月3日"
        )
        self.trainings.setFixedHeight(60)
        self.note = QPlainTextEdit(row.note if row else "")
        self.note.setFixedHeight(60)
        for label, widget in (
            ("氏名", self.name),
            ("フリガナ", self.reading),
            ("地区", self.district),
            ("所属", self.organisation),
            ("役割", self.roles),
            ("郵便番号", self.postal_code),
            ("住所", self.address),
            ("電話", self.phone),
            ("メール", self.email),
            ("同意した日", self.consent_on),
            ("同意の範囲", self.consent_scope),
            ("担い手", self.volunteer_status),
            ("できること", self.skills),
            ("活動できる日時", self.availability),
            ("担当する地区", self.covered),
            ("研修", self.trainings),
            ("備考", self.note),
        ):
            self.form.addRow(label, widget)

    def value(self) -> PersonInput:
        trainings: list[tuple[str, date | None]] = []
        for line in self.trainings.toPlainText().splitlines():
            name, _, when = line.strip().rpartition(" ")
            if not line.strip():
                continue
            try:
                trainings.append((name, parse_date(when)) if name else (line.strip(), None))
            except ValueError:
                trainings.append((line.strip(), None))
        status = self.volunteer_status.currentText()
        return PersonInput(
            name=self.name.text(),
            reading=self.reading.text(),
            organisation=self.organisation.text(),
            district_id=self.district.currentData(),
            postal_code=self.postal_code.text(),
            address=self.address.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            roles=_checked(self.roles),
            consent_on=_date_or_error(self.consent_on, "同意した日"),
            consent_scope=self.consent_scope.text(),
            volunteer_status=status if status in ("活動中", "休止") else "",
            skills=_checked(self.skills),
            availability=slots_from_text(self.availability.toPlainText(), "活動できる日時"),
            covered_district_ids=_checked_ids(self.covered),
            trainings=tuple(trainings),
            note=self.note.toPlainText(),
        )


class OrganisationDialog(_Form):
    def __init__(
        self,
        districts: Districts,
        vocab: Vocab,
        row: OrganisationRow | None,
        save: Callable[[OrganisationInput], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("組織・団体の編集" if row else "組織・団体を追加", save, parent)
        self.resize(560, 460)
        self.name = QLineEdit(row.name if row else "")
        self.reading = QLineEdit(row.reading if row else "")
        self.kind = _editable_combo(vocab["organisation_kind"], row.kind if row else "")
        self.district = _district_combo(districts, row.district_id if row else None, "（なし）")
        self.postal_code = QLineEdit(row.postal_code if row else "")
        self.address = QLineEdit(row.address if row else "")
        self.phone = QLineEdit(row.phone if row else "")
        self.email = QLineEdit(row.email if row else "")
        self.note = QPlainTextEdit(row.note if row else "")
        for label, widget in (
            ("名称", self.name),
            ("フリガナ", self.reading),
            ("種別", self.kind),
            ("地区", self.district),
            ("郵便番号", self.postal_code),
            ("住所", self.address),
            ("電話", self.phone),
            ("メール", self.email),
            ("備考", self.note),
        ):
            self.form.addRow(label, widget)

    def value(self) -> OrganisationInput:
        return OrganisationInput(
            name=self.name.text(),
            reading=self.reading.text(),
            kind=self.kind.currentText().strip(),
            district_id=self.district.currentData(),
            postal_code=self.postal_code.text(),
            address=self.address.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            note=self.note.toPlainText(),
        )


class NeedDialog(_Form):
    def __init__(
        self,
        districts: Districts,
        people: Sequence[PersonRow | PersonChoice],
        vocab: Vocab,
        row: NeedRow | None,
        save: Callable[[NeedInput], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("ニーズの編集" if row else "ニーズを受け付ける", save, parent)
        self.resize(600, 560)
        self.summary = QPlainTextEdit(row.summary if row else "")
        self.summary.setPlaceholderText(
            "例：木曜の朝、ごみ出しを手伝ってほしい（80代男性、一人暮らし）"
        )
        self.summary.setFixedHeight(70)
        self.received_on = WarekiDateEdit(allow_empty=False)
        self.received_on.setDate(row.received_on if row else date.today())
        self.source = QComboBox()
        self.source.addItems(list(NEED_SOURCES))
        self.source.setCurrentText(row.source if row else "本人")
        self.person = _person_picker(people, "（名簿にない・選ばない）", "相談者")
        if row:
            self.person.select(row.person_id)
        self.source_note = QLineEdit(row.source_note if row else "")
        self.source_note.setPlaceholderText("名簿にない相談者の名前、調査の名前など")
        self.district = _district_combo(districts, row.district_id if row else None, "（なし）")
        self.category = _editable_combo(vocab["category"], row.category if row else "")
        self.skill = _editable_combo(vocab["skill"], row.skill if row else "")
        self.needed = QPlainTextEdit(slots_text(row.needed) if row else "")
        self.needed.setPlaceholderText("1行に1つ。例：毎週木曜 8:00～9:30")
        self.needed.setFixedHeight(60)
        self.status = QComboBox()
        self.status.addItems(list(NEED_STATUSES))
        self.status.setCurrentText(row.status if row else "受付")
        self.note = QPlainTextEdit(row.note if row else "")
        self.note.setFixedHeight(60)
        hint = QLabel(
            "活動・資源を探すときは「分類」、担い手を探すときは「できること」を選びます。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        for label, widget in (
            ("困りごと", self.summary),
            ("受付日", self.received_on),
            ("受付の経路", self.source),
            ("相談者", self.person),
            ("相談者（名簿外）", self.source_note),
            ("地区", self.district),
            ("分類", self.category),
            ("できること", self.skill),
            ("必要な日時", self.needed),
            ("状態", self.status),
            ("備考", self.note),
        ):
            self.form.addRow(label, widget)
        self.form.addRow(hint)

    def value(self) -> NeedInput:
        received = _date_or_error(self.received_on, "受付日")
        assert received is not None
        return NeedInput(
            summary=self.summary.toPlainText(),
            received_on=received,
            source=self.source.currentText(),
            person_id=self.person.chosen(),
            source_note=self.source_note.text(),
            district_id=self.district.currentData(),
            category=self.category.currentText().strip(),
            skill=self.skill.currentText().strip(),
            needed=slots_from_text(self.needed.toPlainText(), "必要な日時"),
            status=self.status.currentText(),
            note=self.note.toPlainText(),
        )


class OutcomeDialog(_Form):
    """How a match turned out: 成立, 終了 or 不成立, with a note of what happened."""

    def __init__(
        self,
        match: MatchRow,
        save: Callable[[str, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("マッチの結果", lambda v: save(*v), parent)
        self.resize(480, 320)
        self.status = QComboBox()
        self.status.addItems(list(MATCH_STATUSES))
        self.status.setCurrentText(match.status)
        self.outcome = QPlainTextEdit(match.outcome)
        self.outcome.setPlaceholderText("例：毎週木曜に訪問することになった／時間が合わず不成立")
        self.form.addRow("相手", QLabel(f"{match.partner_name}（{match.kind_label}）"))
        self.form.addRow("マッチした日", QLabel(format_wareki(match.matched_on)))
        self.form.addRow("状態", self.status)
        self.form.addRow("結果", self.outcome)

    def value(self) -> tuple[str, str]:
        return self.status.currentText(), self.outcome.toPlainText()
