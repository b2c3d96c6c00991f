"""The demo city's councils at work: members, three years of meetings, minutes and 宿題.

Shaped like seed 000 (about 300 meetings held a year across the districts, mostly 定例会) and
seed 001 (見守り, 居場所, お助け隊 on the agendas). Every person is invented.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shienapp.core.jpdate import fiscal_year_of
from shienapp.storage.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Council,
    CouncilMember,
    Decision,
    District,
    Meeting,
    Person,
)

_SURNAMES = (
    ("青木", "あおき"), ("石川", "いしかわ"), ("上田", "うえだ"), ("遠藤", "えんどう"),
    ("大野", "おおの"), ("加藤", "かとう"), ("木村", "きむら"), ("小林", "こばやし"),
    ("斉藤", "さいとう"), ("清水", "しみず"), ("須藤", "すどう"), ("関口", "せきぐち"),
    ("高木", "たかぎ"), ("千葉", "ちば"), ("土屋", "つちや"), ("中村", "なかむら"),
    ("西田", "にしだ"), ("野口", "のぐち"), ("橋本", "はしもと"), ("平野", "ひらの"),
    ("福田", "ふくだ"), ("本田", "ほんだ"), ("松本", "まつもと"), ("宮崎", "みやざき"),
    ("村上", "むらかみ"), ("森", "もり"), ("山口", "やまぐち"), ("吉田", "よしだ"),
    ("渡辺", "わたなべ"), ("﨑山", "さきやま"),
)  # fmt: skip
_GIVEN = (
    ("一郎", "いちろう"), ("和子", "かずこ"), ("清", "きよし"), ("恵子", "けいこ"),
    ("茂", "しげる"), ("節子", "せつこ"), ("隆", "たかし"), ("千代", "ちよ"),
    ("俊夫", "としお"), ("直美", "なおみ"), ("博", "ひろし"), ("文子", "ふみこ"),
    ("正", "まさし"), ("美智子", "みちこ"), ("勇", "いさむ"), ("洋子", "ようこ"),
    ("良子", "よしこ"), ("亮", "りょう"), ("健太", "けんた"), ("さくら", "さくら"),
)  # fmt: skip
_ORGANISATIONS = (
    "自治会長", "民生委員・児童委員", "老人クラブ", "地区社協", "ボランティア",
    "婦人会", "PTA", "商店会", "介護事業所", "住民",
)  # fmt: skip
# The directory role (人の役割) each seat's 所属 implies.
_ROLE_OF = {
    "自治会長": "自治会長",
    "民生委員・児童委員": "民生委員",
    "介護事業所": "専門職",
}
# (kind, weight): most meetings are the council's own 定例会.
_KINDS = (
    ("定例会", 60), ("住民企画会議", 8), ("事業推進会議", 8), ("部会", 8),
    ("座談会", 5), ("勉強会", 5), ("情報交換会", 3), ("研修", 3),
)  # fmt: skip
_AGENDA = (
    (
        "見守り活動の報告",
        "散歩コースでの声かけを続けている。冬は日没が早いので時間を見直す。"
        "「声をかけてもらえると一日が明るくなる」と話す方がいた。",
    ),
    (
        "居場所（サロン）の運営",
        "参加者が増え、会場が手狭になってきた。曜日を増やす案が出た。"
        "参加者から「ここに来ると一週間の張りが出る」との声。",
    ),
    ("お助け隊の依頼状況", "ごみ出しと電球交換の依頼が多い。担い手が足りない曜日がある。"),
    ("地区の高齢化率の共有", "SCから最新の地区別高齢化率の説明があった。"),
    ("防災と安心・安全情報キット", "配布先の名簿の更新方法を話し合った。"),
    (
        "ニーズ調査の結果",
        "買い物と通院の移動手段に困っている声が多い。"
        "「バスの本数が減って病院に行くのが大変になった」という声があった。",
    ),
    ("担い手の募集", "広報紙での呼びかけと、老人クラブへの声かけを行う。"),
    (
        "好事例の紹介",
        "他地区の団地カフェの取組を紹介した。"
        "委員から「うちの地区でも空き店舗でやってみたい」との声。",
    ),
)
_DECISIONS = (
    "次回は住民向けの座談会とする。",
    "サロンを月2回に増やす。",
    "見守りの担当表を作り直す。",
    "広報紙に担い手募集の記事を載せる。",
    "地区の集いの場マップを作る。",
)
_ACTIONS = (
    "チラシの原案を作る",
    "公民館の予約をする",
    "民生委員の会で報告する",
    "参加者名簿を整理する",
    "他地区の事例を調べる",
    "自治会の回覧に載せる",
)
# The demo's coordinators (see demo.py) with their readings, so they sort by 五十音順 too.
_SC_READINGS = {
    "架空 春子": "かくう はるこ",
    "架空 夏男": "かくう なつお",
    "見本 秋子": "みほん あきこ",
    "例示 冬美": "れいじ ふゆみ",
    "例示 大地": "れいじ だいち",
    "試験 空": "しけん そら",
    "仮名 海斗": "かめい かいと",
    "仮名 みどり": "かめい みどり",
}
MEETINGS_PER_YEAR = (6, 10)  # per council: the 39 districts hold about 300 a year


@dataclass(frozen=True, slots=True)
class MeetingsSummary:
    people: int
    meetings_held: int
    meetings_planned: int
    open_actions: int


class _Batch:
    """Rows to insert, kept per table: the models have no relationships, so the unit of work
    cannot order the inserts; they are flushed parents first."""

    ORDER = (Council, Person, CouncilMember, Meeting, Attendance, AgendaItem, Decision, ActionItem)

    def __init__(self) -> None:
        self.rows: dict[type, list[object]] = {model: [] for model in self.ORDER}

    def add(self, row: object) -> None:
        self.rows[type(row)].append(row)

    def flush(self, s: Session) -> None:
        for model in self.ORDER:
            s.add_all(self.rows[model])
            s.flush()


@dataclass(slots=True)
class _Seat:
    person_id: uuid.UUID
    name: str
    role: str


def build_demo_meetings(s: Session, rng: random.Random, today: date) -> MeetingsSummary:
    """Members, meetings and minutes for every set-up council, inside the demo's transaction."""
    first_year = fiscal_year_of(today) - 2
    councils = list(s.scalars(select(Council).where(Council.status == "設置済")))
    districts = {d.id: d for d in s.scalars(select(District))}
    city = Council(
        id=uuid.uuid4(),
        tier="第1層",
        name="みどり野市 第1層協議体",
        status="設置済",
        established_on=date(2016, 4, 1),
        coordinator_name="架空 春子",
        domains=["全世代"],
        note="市全体の生活支援体制整備推進会議",
    )
    batch = _Batch()
    batch.add(city)
    used_names: set[str] = set()
    coordinators: dict[str, uuid.UUID] = {}
    people = held = planned = open_actions = 0
    for council in [city, *sorted(councils, key=lambda c: c.name)]:
        seats = _seat_members(batch, rng, council, used_names, coordinators)
        people += len(seats)
        district = districts.get(council.district_id) if council.district_id else None
        venue = f"{district.name}公民館" if district else "市役所 会議室"
        per_year = (3, 5) if council.tier == "第1層" else MEETINGS_PER_YEAR
        start = max(date(first_year, 4, 1), council.established_on or date(first_year, 4, 1))
        regular: dict[int, int] = {}  # 定例会 are numbered within each 年度: 第3回定例会
        for day in _meeting_days(rng, start, today + timedelta(days=60), per_year):
            kind = "定例会" if council.tier == "第1層" else _weighted(rng, _KINDS)
            if kind == "定例会":
                regular[fiscal_year_of(day)] = number = regular.get(fiscal_year_of(day), 0) + 1
            status = "予定" if day >= today else ("中止" if rng.random() < 0.03 else "開催済")
            meeting = Meeting(
                id=uuid.uuid4(),
                council_id=council.id,
                kind=kind,
                title=f"第{number}回{kind}" if kind == "定例会" else "",
                held_on=day,
                starts_at=time(rng.choice((10, 13, 14, 18, 19)), rng.choice((0, 30))),
                venue=venue,
                chair=seats[0].name,
                recorder=seats[-1].name,
                status=status,
                note="",
            )
            end = datetime.combine(day, meeting.starts_at) + timedelta(minutes=90)
            meeting.ends_at = end.time()
            batch.add(meeting)
            if status == "予定":
                planned += 1
            elif status == "開催済":
                held += 1
                open_actions += _minutes(batch, rng, meeting, seats, today)
    batch.flush(s)
    return MeetingsSummary(people, held, planned, open_actions)


def _seat_members(
    s: _Batch,
    rng: random.Random,
    council: Council,
    used: set[str],
    coordinators: dict[str, uuid.UUID],
) -> list[_Seat]:
    count = rng.randint(8, 14) if council.tier == "第1層" else rng.randint(5, 12)
    roles = ["会長", "副会長", *["委員"] * (count - 2)]
    if rng.random() < 0.4:
        roles[-1] = "事務局"
    seats: list[_Seat] = []
    for role in roles:
        name, reading = _new_name(rng, used)
        organisation = "会長" if role == "会長" else rng.choice(_ORGANISATIONS)
        person = Person(
            id=uuid.uuid4(),
            name=name,
            reading=reading,
            organisation="",
            district_id=council.district_id,
            roles=[_ROLE_OF.get(organisation, "住民")],
            note="",
        )
        s.add(person)
        s.add(
            CouncilMember(
                council_id=council.id,
                person_id=person.id,
                role=role,
                organisation=organisation,
                from_on=council.established_on,
            )
        )
        seats.append(_Seat(person.id, name, role))
    # The SC sits in as observer (オブザーバー), as seed 000 describes.
    # One coordinator is one person, sitting in several councils.
    sc_name = council.coordinator_name or "架空 春子"
    if sc_name not in coordinators:
        sc = Person(
            id=uuid.uuid4(),
            name=sc_name,
            reading=_SC_READINGS.get(sc_name, ""),
            organisation="地域包括支援センター",
            roles=["専門職"],
            note="生活支援コーディネーター",
        )
        s.add(sc)
        coordinators[sc_name] = sc.id
    s.add(
        CouncilMember(
            council_id=council.id,
            person_id=coordinators[sc_name],
            role="オブザーバー",
            organisation="生活支援コーディネーター",
            from_on=council.established_on,
        )
    )
    seats.append(_Seat(coordinators[sc_name], sc_name, "オブザーバー"))
    return seats


def _minutes(
    s: _Batch, rng: random.Random, meeting: Meeting, seats: list[_Seat], today: date
) -> int:
    """Attendance, agenda, decisions and 宿題 of a held meeting; returns the open 宿題 count."""
    for seat in seats:
        if seat.role == "オブザーバー":
            status, proxy = "オブザーバー", ""
        else:
            roll = rng.random()
            status = "出席" if roll < 0.8 else "欠席" if roll < 0.94 else "代理"
            proxy = f"{seat.name.split()[0]} 家族" if status == "代理" else ""
        s.add(
            Attendance(
                meeting_id=meeting.id, person_id=seat.person_id, status=status, proxy_name=proxy
            )
        )
    if rng.random() < 0.15:
        s.add(Attendance(meeting_id=meeting.id, guest_name="見学者", status="出席"))
    for position, (title, notes) in enumerate(rng.sample(_AGENDA, rng.randint(1, 3))):
        s.add(AgendaItem(meeting_id=meeting.id, position=position, title=title, notes=notes))
    for position, text in enumerate(rng.sample(_DECISIONS, rng.randint(0, 2))):
        s.add(Decision(meeting_id=meeting.id, position=position, text=text))
    still_open = 0
    for position, text in enumerate(rng.sample(_ACTIONS, rng.randint(0, 2))):
        due = meeting.held_on + timedelta(days=rng.randint(14, 45))
        # Most 宿題 are done within a month of their due date; a few drag on (overdue).
        done_share = 0.97 if due < today - timedelta(days=30) else 0.5 if due < today else 0.15
        if rng.random() < done_share:
            status, done_on = "完了", min(due, today)
        else:
            status, done_on = rng.choice(("未着手", "対応中")), None
        still_open += status != "完了"
        owner = rng.choice([seat.name for seat in seats if seat.role != "オブザーバー"])
        s.add(
            ActionItem(
                meeting_id=meeting.id,
                position=position,
                text=text,
                owner=owner,
                due_on=due,
                status=status,
                completed_on=done_on,
            )
        )
    return still_open


def _meeting_days(
    rng: random.Random, start: date, end: date, per_year: tuple[int, int]
) -> list[date]:
    days: list[date] = []
    fiscal_year = fiscal_year_of(start)
    while date(fiscal_year, 4, 1) <= end:
        count = rng.randint(*per_year)
        for month_index in sorted(rng.sample(range(12), count)):
            month = (month_index + 3) % 12 + 1
            year = fiscal_year + (1 if month <= 3 else 0)
            day = date(year, month, rng.randint(1, 28))
            if start <= day <= end:
                days.append(day)
        fiscal_year += 1
    return days


def _new_name(rng: random.Random, used: set[str]) -> tuple[str, str]:
    for _ in range(50):
        (surname, s_reading), (given, g_reading) = rng.choice(_SURNAMES), rng.choice(_GIVEN)
        name = f"{surname} {given}"
        if name not in used:
            used.add(name)
            return name, f"{s_reading} {g_reading}"
    # Past 600 people the names repeat, as they do in a real city.
    return name, f"{s_reading} {g_reading}"


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]
