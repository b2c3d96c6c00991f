"""担い手・社会資源 through DirectoryService: search folding, CRUD, validation, stale edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from shienapp.core.context import AppContext
from shienapp.core.directory import (
    OrganisationInput,
    PersonInput,
    ResourceInput,
    person_problems,
)
from shienapp.core.errors import NotFoundError, StaleEditError, UserError
from shienapp.core.text import fold

SALONS = ("ｻﾛﾝ中居", "さろん八幡", "サロン本町")


def _names(rows: list[Any], query: str) -> set[str]:
    """As the GUI filters: the folded query inside each row's search key."""
    return {r.name for r in rows if fold(query) in r.search_key}


def test_kana_and_width_fold_when_searching_resources(ctx: AppContext) -> None:
    for name in (*SALONS, "体操教室８"):
        ctx.directory.create_resource(ResourceInput(name))
    rows = ctx.directory.list_resources()
    for query in ("ｻﾛﾝ", "さろん", "サロン"):
        assert _names(rows, query) == set(SALONS), query
    for query in ("8", "８"):
        assert _names(rows, query) == {"体操教室８"}, query
    assert _names(rows, "中居") == {"ｻﾛﾝ中居"}
    # Names are stored as typed; only the key is folded.
    assert {r.name for r in rows} == {*SALONS, "体操教室８"}


def test_a_reading_is_searchable_in_either_kana(ctx: AppContext) -> None:
    ctx.directory.create_resource(ResourceInput("寿会館", reading="コトブキカイカン"))
    ctx.directory.create_resource(ResourceInput("本町公民館", reading="ほんまちこうみんかん"))
    rows = ctx.directory.list_resources()
    for query in ("ことぶき", "コトブキ", "ｺﾄﾌﾞｷ"):
        assert _names(rows, query) == {"寿会館"}, query
    ctx.directory.create_person(PersonInput("山田 太郎", reading="ヤマダ タロウ"))
    assert _names(ctx.directory.list_people(), "やまだ たろう") == {"山田 太郎"}


def test_people_are_created_updated_and_deleted(ctx: AppContext) -> None:
    person_id, _ = ctx.directory.create_person(
        PersonInput("  青木 一郎 ", reading="あおき いちろう", roles=("担い手",))
    )
    row = ctx.directory.get_person(person_id)
    assert (row.name, row.version, row.roles) == ("青木 一郎", 1, ("担い手",))
    ctx.directory.update_person(person_id, 1, PersonInput("青木 一朗", reading="あおき いちろう"))
    row = ctx.directory.get_person(person_id)
    assert (row.name, row.version, row.roles) == ("青木 一朗", 2, ())
    ctx.directory.delete_person(person_id, 2)
    assert ctx.directory.list_people() == []
    with pytest.raises(NotFoundError):
        ctx.directory.get_person(person_id)


def test_organisations_are_created_and_updated(ctx: AppContext) -> None:
    # Deleting an organisation is tested below (refused while it runs an activity).
    org_id, _ = ctx.directory.create_organisation(
        OrganisationInput("中居自治会", reading="なかいじちかい", kind="自治会")
    )
    [row] = ctx.directory.list_organisations()
    assert (row.id, row.kind, row.version) == (org_id, "自治会", 1)
    ctx.directory.update_organisation(
        org_id, 1, OrganisationInput("中居町内会", reading="なかいちょうないかい", kind="自治会")
    )
    [row] = ctx.directory.list_organisations()
    assert (row.name, row.version) == ("中居町内会", 2)
    assert fold("チョウナイ") in row.search_key


def test_resources_are_created_updated_and_deleted(ctx: AppContext) -> None:
    resource_id, _ = ctx.directory.create_resource(
        ResourceInput("中居サロン", category="居場所・サロン", capacity=20)
    )
    row = ctx.directory.get_resource(resource_id)
    assert (row.capacity, row.status, row.version) == (20, "活動中", 1)
    ctx.directory.update_resource(
        resource_id, 1, ResourceInput("中居サロン", category="居場所・サロン", status="休止")
    )
    row = ctx.directory.get_resource(resource_id)
    assert (row.capacity, row.status, row.version) == (None, "休止", 2)
    with pytest.raises(StaleEditError):
        ctx.directory.delete_resource(resource_id, 1)
    ctx.directory.delete_resource(resource_id, 2)
    assert ctx.directory.list_resources() == []
    with pytest.raises(NotFoundError):
        ctx.directory.get_resource(resource_id)


def test_people_are_listed_in_reading_order(ctx: AppContext) -> None:
    for name, reading in (
        ("渡辺 花子", "わたなべ はなこ"),
        ("垣内 進", "かきうち すすむ"),
        ("名無し", ""),
        ("加賀 誠", "カガ マコト"),
        ("阿部 次郎", "あべ じろう"),
    ):
        ctx.directory.create_person(PersonInput(name, reading=reading))
    names = [r.name for r in ctx.directory.list_people()]
    # かが before かきうち (dakuten set aside); no reading sorts after all kana.
    assert names == ["阿部 次郎", "加賀 誠", "垣内 進", "渡辺 花子", "名無し"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (PersonInput(" "), "氏名を入力してください"),
        (PersonInput("青木 一郎", reading="abc"), "フリガナはひらがなかカタカナ"),
        (PersonInput("青木 一郎", phone="abc"), "電話番号「abc」"),
        (PersonInput("青木 一郎", phone="123-4567"), "10桁か11桁"),
        (PersonInput("青木 一郎", consent_scope="名簿"), "同意した日も入力"),
        (PersonInput("青木 一郎", roles=("社長",)), "役割「社長」は選べません"),
        (PersonInput("青木 一郎", volunteer_status="引退"), "担い手の状態「引退」"),
    ],
)
def test_bad_people_are_refused_and_nothing_is_written(
    ctx: AppContext, data: PersonInput, fragment: str
) -> None:
    assert any(fragment in p for p in person_problems(data))
    with pytest.raises(UserError) as caught:
        ctx.directory.create_person(data)
    assert fragment in caught.value.full_text()
    assert ctx.directory.list_people() == []


def test_a_bad_update_keeps_what_was_stored(ctx: AppContext) -> None:
    good = PersonInput("青木 一郎", phone="099-111-2222")
    person_id, _ = ctx.directory.create_person(good)
    with pytest.raises(UserError):
        ctx.directory.update_person(person_id, 1, replace(good, phone="電話なし"))
    with pytest.raises(UserError):
        ctx.directory.create_organisation(OrganisationInput("", reading="xyz"))
    with pytest.raises(UserError):
        ctx.directory.create_resource(ResourceInput("教室", status="不明"))
    row = ctx.directory.get_person(person_id)
    assert (row.phone, row.version) == ("099-111-2222", 1)
    assert ctx.directory.list_organisations() == []
    assert ctx.directory.list_resources() == []


def test_a_stale_update_is_refused_and_the_first_write_kept(ctx: AppContext) -> None:
    person_id, _ = ctx.directory.create_person(PersonInput("青木 一郎"))
    ctx.directory.update_person(person_id, 1, PersonInput("青木 一郎", note="先に保存"))
    with pytest.raises(StaleEditError) as caught:
        ctx.directory.update_person(person_id, 1, PersonInput("青木 一郎", note="古い画面"))
    assert "青木 一郎さんの記録" in caught.value.message
    row = ctx.directory.get_person(person_id)
    assert (row.note, row.version) == ("先に保存", 2)
    org_id, _ = ctx.directory.create_organisation(OrganisationInput("中居自治会"))
    ctx.directory.update_organisation(org_id, 1, OrganisationInput("中居自治会", note="一"))
    with pytest.raises(StaleEditError):
        ctx.directory.update_organisation(org_id, 1, OrganisationInput("中居自治会", note="二"))
    assert ctx.directory.list_organisations()[0].note == "一"


@pytest.mark.parametrize(
    ("data", "flagged"),
    [
        (PersonInput("青木 一郎", phone="099-111-2222"), True),
        (PersonInput("青木 一郎", address="中居1-2-3"), True),
        (PersonInput("青木 一郎", email="aoki@example.jp"), True),
        (PersonInput("青木 一郎", phone="099-111-2222", consent_on=date(2024, 4, 1)), False),
        (PersonInput("青木 一郎"), False),
    ],
)
def test_contact_without_consent_is_flagged(
    ctx: AppContext, data: PersonInput, flagged: bool
) -> None:
    person_id, _ = ctx.directory.create_person(data)
    assert ctx.directory.get_person(person_id).needs_consent_flag is flagged


def test_an_organisation_running_an_activity_is_not_deleted(ctx: AppContext) -> None:
    d = ctx.directory
    org, _ = d.create_organisation(OrganisationInput(name="中居自治会"))
    idle, _ = d.create_organisation(OrganisationInput(name="解散した会"))
    salon, _ = d.create_resource(ResourceInput(name="中居サロン", operator_id=org))
    with pytest.raises(UserError, match="1 件の活動の運営団体です（中居サロン）"):
        d.delete_organisation(org, 1)
    d.delete_organisation(idle, 1)
    assert [o.name for o in d.list_organisations()] == ["中居自治会"]
    d.delete_resource(salon, 1)
    d.delete_organisation(org, 1)
    assert d.list_organisations() == []
