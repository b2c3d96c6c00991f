"""The demo city's 担い手 and 社会資源: organisations, volunteers, activities and open needs.

Shaped like seed 001 (サロン, 見守り, お助け隊, 子ども食堂 run by 自治会 and volunteers) and
seed 002 (a weekly timetable of activities at 公民館 and 集会所). Every person, number and
address is invented: phone numbers use the 099 prefix, which no Japanese area uses.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shienapp.core.directory import DEFAULT_SKILLS
from shienapp.core.schedule import parse_slot
from shienapp.storage.models import District, Match, Need, Organisation, Person, Resource

_SURNAMES = (
    ("相川", "あいかわ"), ("井上", "いのうえ"), ("内田", "うちだ"), ("江口", "えぐち"),
    ("小川", "おがわ"), ("川口", "かわぐち"), ("菊池", "きくち"), ("久保", "くぼ"),
    ("小松", "こまつ"), ("佐野", "さの"), ("島田", "しまだ"), ("杉山", "すぎやま"),
    ("瀬戸", "せと"), ("田村", "たむら"), ("辻", "つじ"), ("徳永", "とくなが"),
    ("永井", "ながい"), ("新田", "にった"), ("沼田", "ぬまた"), ("野村", "のむら"),
    ("原田", "はらだ"), ("樋口", "ひぐち"), ("藤井", "ふじい"), ("堀", "ほり"),
    ("前田", "まえだ"), ("三浦", "みうら"), ("武藤", "むとう"), ("安田", "やすだ"),
)  # fmt: skip
_GIVEN = (
    ("明", "あきら"), ("いずみ", "いずみ"), ("修", "おさむ"), ("香織", "かおり"),
    ("京子", "きょうこ"), ("悟", "さとる"), ("静江", "しずえ"), ("進", "すすむ"),
    ("孝子", "たかこ"), ("勉", "つとむ"), ("智子", "ともこ"), ("信子", "のぶこ"),
    ("春美", "はるみ"), ("昌子", "まさこ"), ("実", "みのる"), ("由美", "ゆみ"),
    ("義男", "よしお"), ("翔太", "しょうた"), ("美咲", "みさき"), ("大輔", "だいすけ"),
)  # fmt: skip
_CITY_ORGANISATIONS = (
    ("みどり野市 高齢福祉課", "みどりのし こうれいふくしか", "行政"),
    ("みどり野市 地域福祉課", "みどりのし ちいきふくしか", "行政"),
    ("みどり野市社会福祉協議会", "みどりのししゃかいふくしきょうぎかい", "社協"),
    ("みどり野市民生委員児童委員協議会", "みどりのしみんせいいいんじどういいんきょうぎかい",
     "民生委員協議会"),
    ("NPO法人 ささえあいネットみどり", "えぬぴーおーほうじん ささえあいねっとみどり", "NPO"),
    ("NPO法人 こどもの居場所ひだまり", "えぬぴーおーほうじん こどものいばしょひだまり", "NPO"),
    ("NPO法人 移動サービスあおば", "えぬぴーおーほうじん いどうさーびすあおば", "NPO"),
    ("社会福祉法人 みどり会", "しゃかいふくしほうじん みどりかい", "社会福祉法人"),
    ("社会福祉法人 若竹福祉会", "しゃかいふくしほうじん わかたけふくしかい", "社会福祉法人"),
    ("医療法人 若葉会 みどり野クリニック", "いりょうほうじん わかばかい みどりのくりにっく",
     "医療法人"),
    ("みどり野タクシー株式会社", "みどりのたくしーかぶしきがいしゃ", "企業"),
    ("みどり野生活協同組合", "みどりのせいかつきょうどうくみあい", "企業"),
    ("みどり野中央商店会", "みどりのちゅうおうしょうてんかい", "商店"),
    ("みどり野第一小学校", "みどりのだいいちしょうがっこう", "学校"),
    ("ボランティアグループ ひまわり", "ぼらんてぃあぐるーぷ ひまわり", "ボランティア団体"),
    ("傾聴ボランティア こころ", "けいちょうぼらんてぃあ こころ", "ボランティア団体"),
)  # fmt: skip
# (category, name pattern, reading pattern, targets, weight); {d} is the district's name.
_ACTIVITIES = (
    ("居場所・サロン", "{d}ふれあいサロン", "{r}ふれあいさろん", ("高齢者",), 14),
    ("居場所・サロン", "いきいきカフェ{d}", "いきいきかふぇ{r}", ("誰でも",), 8),
    ("居場所・サロン", "{d}団地カフェ", "{r}だんちかふぇ", ("誰でも",), 4),
    ("見守り", "{d}見守り隊", "{r}みまもりたい", ("高齢者",), 8),
    ("助け合い・生活支援", "{d}お助け隊", "{r}おたすけたい", ("高齢者", "障がい者"), 10),
    ("配食", "{d}ふれあい弁当", "{r}ふれあいべんとう", ("高齢者",), 5),
    ("移動支援", "{d}買い物送迎", "{r}かいものそうげい", ("高齢者", "障がい者"), 6),
    ("子ども食堂", "{d}こども食堂", "{r}こどもしょくどう", ("子ども", "子育て世帯"), 7),
    ("学習支援", "{d}学びの部屋", "{r}まなびのへや", ("子ども", "生活困窮"), 4),
    ("介護予防", "{d}いきいき百歳体操", "{r}いきいきひゃくさいたいそう", ("高齢者",), 12),
    ("就労・参加支援", "{d}シニアお仕事相談", "{r}しにあおしごとそうだん", ("高齢者",), 2),
    ("相談窓口", "{d}よろず相談", "{r}よろずそうだん", ("誰でも",), 4),
)  # fmt: skip
_SCHEDULES = {
    "居場所・サロン": ("毎週火曜 13:30～15:30", "第2・第4水曜 10:00～12:00", "毎週金曜 午後",
                  "第1・第3月曜 13:00～15:00"),
    "見守り": ("毎週月曜 10:00～11:00", "毎週木曜 15:00～16:00"),
    "助け合い・生活支援": ("平日 午前", "毎週火曜 9:00～12:00", "毎週土曜 午前"),
    "配食": ("毎週水曜 11:00～13:00", "第2・第4金曜 11:30～13:00"),
    "移動支援": ("毎週火曜 10:00～12:00", "毎週金曜 10:00～12:00"),
    "子ども食堂": ("第2土曜 11:00～14:00", "第1・第3金曜 17:00～19:30", "最終日曜 11:00～14:00"),
    "学習支援": ("毎週水曜 18:00～20:00", "毎週土曜 14:00～16:00"),
    "介護予防": ("毎週火曜 10:00～11:00", "毎週木曜 10:00～11:00", "毎週月・木曜 9:30～10:30"),
    "就労・参加支援": ("第3水曜 13:00～16:00",),
    "相談窓口": ("第1金曜 13:00～15:00", "毎週水曜 午後"),
}  # fmt: skip
_VENUES = ("{d}公民館", "{d}集会所", "{d}自治会館", "{d}地区センター")
_FEES = ("無料", "無料", "100円", "200円（お茶代）", "300円（昼食代）")
_NEEDS = (
    ("ごみ出しを手伝ってほしい（80代男性、一人暮らし）", "", "ごみ出し", "毎週木曜 8:00～9:00"),
    ("買い物に一緒に行ってほしい。重い物が持てない。", "", "買い物", "毎週火曜 午後"),
    ("通院の送迎をしてくれる人を探している", "", "送迎", "毎週金曜 午前"),
    ("電球の交換ができない（高い所）", "", "電球交換", "毎週土曜 午前"),
    ("庭の草取りを頼みたい", "", "草取り", "毎週水曜 午前"),
    ("話し相手がほしい。日中ずっと一人でいる。", "", "話し相手", "毎週月曜 午後"),
    ("スマートフォンの使い方を教えてほしい", "", "IT", "毎週木曜 午後"),
    ("近くで気軽に話せる場所はないか", "居場所・サロン", "", "毎週火曜 午後"),
    ("子どもが一人で夕食をとっている。食堂はないか", "子ども食堂", "", "第1金曜 夜"),
    ("足腰が弱ってきた。体操できる所を探している", "介護予防", "", "毎週木曜 午前"),
    ("配食を頼めるところはないか", "配食", "", "毎週水曜 11:00～13:00"),
    ("障がいのある子も行ける子ども食堂を知りたい", "子ども食堂", "", "第2土曜 11:00～14:00"),
    ("見守りの声かけをしてほしい（認知症の母）", "見守り", "", "毎週月曜 午前"),
    ("中学生の勉強を見てくれる所はないか", "学習支援", "", "毎週水曜 夜"),
)  # fmt: skip
_TRAININGS = (
    ("生活支援コーディネーター養成研修", 0.08),
    ("対話ファシリテーター育成講座", 0.15),
    ("認知症サポーター養成講座", 0.45),
    ("傾聴ボランティア講座", 0.25),
)
VOLUNTEERS = 160
RESOURCES = 100
NEEDS = 45


@dataclass(frozen=True, slots=True)
class DirectorySummary:
    people: int
    volunteers: int
    organisations: int
    resources: int
    open_needs: int
    matches: int


_KANA_NUMBERS = ("", "いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅう", "じゅう")


def build_demo_directory(s: Session, rng: random.Random, today: date) -> DirectorySummary:
    """Fill the directory inside the demo's transaction; the registry and councils exist."""
    districts = list(s.scalars(select(District).order_by(District.code)))
    taken = {p.name for p in s.scalars(select(Person))}
    organisations = _organisations(s, rng, districts)
    residents = list(s.scalars(select(Person)))
    for person in residents:
        _give_contact(person, rng, _district_of(districts, person, rng), today)
    volunteers = _volunteers(s, rng, districts, taken, today)
    s.flush()
    resources = _resources(s, rng, districts, organisations, volunteers)
    s.flush()
    open_needs, matches = _needs(s, rng, districts, residents, volunteers, resources, today)
    s.flush()
    return DirectorySummary(
        people=len(residents) + len(volunteers),
        volunteers=len(volunteers),
        organisations=len(organisations),
        resources=len(resources),
        open_needs=open_needs,
        matches=matches,
    )


def _district_of(districts: list[District], person: Person, rng: random.Random) -> District:
    for district in districts:
        if district.id == person.district_id:
            return district
    return rng.choice(districts)


def _phone(rng: random.Random) -> str:
    return f"099-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def _give_contact(person: Person, rng: random.Random, district: District, today: date) -> None:
    """Most people on the lists have an address and phone; a few have not consented yet."""
    if person.note == "生活支援コーディネーター":
        person.phone = "099-900-1234"
        person.consent_on = date(2024, 4, 1)
        person.consent_scope = "協議体・事業の連絡"
        return
    person.district_id = district.id
    if rng.random() < 0.85:
        person.postal_code = f"999-{rng.randint(0, 99):02d}{int(district.code or 0) % 100:02d}"
        block, lot = rng.randint(1, 30), rng.randint(1, 20)
        person.address = f"みどり野市{district.name}{rng.randint(1, 5)}丁目{block}-{lot}"
        person.phone = _phone(rng)
        if rng.random() < 0.9:
            person.consent_on = today - timedelta(days=rng.randint(30, 900))
            person.consent_scope = rng.choice(
                ("協議体・事業の連絡", "名簿への掲載と連絡", "活動の連絡のみ")
            )


def _organisations(s: Session, rng: random.Random, districts: list[District]) -> list[Organisation]:
    made: list[Organisation] = []
    for name, reading, kind in _CITY_ORGANISATIONS:
        made.append(Organisation(id=uuid.uuid4(), name=name, reading=reading, kind=kind))
    blocks: dict[uuid.UUID, District] = {}
    for district in districts:
        blocks.setdefault(district.block_id, district)
    for number, district in enumerate(blocks.values(), start=1):
        made.append(
            Organisation(
                id=uuid.uuid4(),
                name=f"第{number}地域包括支援センター",
                reading=f"だい{_KANA_NUMBERS[number]}ちいきほうかつしえんせんたー",
                kind="地域包括支援センター",
                district_id=district.id,
            )
        )
    for district in districts[: 50 - len(made)]:
        made.append(
            Organisation(
                id=uuid.uuid4(),
                name=f"{district.name}自治会",
                reading=f"{district.reading}じちかい",
                kind="自治会",
                district_id=district.id,
            )
        )
    for org in made:
        org.phone = _phone(rng)
        org.note = ""
        if org.district_id:
            org.address = f"みどり野市{_name_of(districts, org.district_id)}1丁目1-1"
    s.add_all(made)
    s.flush()
    return made


def _name_of(districts: list[District], district_id: uuid.UUID) -> str:
    return next(d.name for d in districts if d.id == district_id)


def _volunteers(
    s: Session, rng: random.Random, districts: list[District], taken: set[str], today: date
) -> list[Person]:
    made: list[Person] = []
    while len(made) < VOLUNTEERS:
        (sur, sur_r), (given, given_r) = rng.choice(_SURNAMES), rng.choice(_GIVEN)
        name = f"{sur} {given}"
        if name in taken:
            continue
        taken.add(name)
        home = rng.choice(districts)
        neighbours = [d for d in districts if d.block_id == home.block_id and d is not home]
        covered = [home, *rng.sample(neighbours, min(len(neighbours), rng.choice((0, 0, 1, 2))))]
        slots = [
            parse_slot(text).to_dict()
            for text in rng.sample(
                (
                    "毎週月曜 午前", "毎週火曜 午後", "毎週水曜 午前", "毎週木曜 午前",
                    "毎週木曜 午後", "毎週金曜 午前", "毎週土曜 午前", "平日 午後",
                    "毎週火曜 9:00～12:00", "毎週木曜 8:00～10:00",
                ),
                rng.choice((1, 1, 2)),
            )
        ]  # fmt: skip
        trainings = [
            {
                "name": training,
                "completed_on": date(
                    rng.randint(2019, today.year - 1), rng.randint(1, 12), rng.randint(1, 28)
                ).isoformat(),
            }
            for training, share in _TRAININGS
            if rng.random() < share
        ]
        person = Person(
            id=uuid.uuid4(),
            name=name,
            reading=f"{sur_r} {given_r}",
            organisation=rng.choice(("", "", "ボランティアグループ ひまわり", "老人クラブ")),
            district_id=home.id,
            roles=["住民", "担い手"],
            volunteer_status="活動中" if rng.random() < 0.88 else "休止",
            skills=rng.sample(DEFAULT_SKILLS, rng.choice((1, 2, 2, 3))),
            availability=slots,
            covered_district_ids=[str(d.id) for d in covered],
            trainings=trainings,
            note="",
        )
        _give_contact(person, rng, home, today)
        if rng.random() < 0.3:
            person.email = f"volunteer{len(made) + 1:03d}@example.jp"
        made.append(person)
    s.add_all(made)
    return made


def _resources(
    s: Session,
    rng: random.Random,
    districts: list[District],
    organisations: list[Organisation],
    volunteers: list[Person],
) -> list[Resource]:
    made: list[Resource] = []
    names: set[str] = set()
    neighbourhood = {o.district_id: o for o in organisations if o.kind == "自治会"}
    city_ops = [o for o in organisations if o.kind in ("NPO", "社会福祉法人", "ボランティア団体")]
    shakyo = next(o for o in organisations if o.kind == "社協")
    weights = [a[4] for a in _ACTIVITIES]
    while len(made) < RESOURCES:
        category, pattern, reading, targets, _ = rng.choices(_ACTIVITIES, weights)[0]
        district = rng.choice(districts)
        name = pattern.format(d=district.name)
        if name in names:
            continue
        names.add(name)
        operator = neighbourhood.get(district.id) or rng.choice(city_ops)
        if category in ("子ども食堂", "学習支援", "移動支援") and rng.random() < 0.6:
            operator = rng.choice(city_ops)
        local = [v for v in volunteers if v.district_id == district.id] or volunteers
        helpers = rng.sample(local, min(len(local), rng.randint(1, 4)))
        schedule = [parse_slot(rng.choice(_SCHEDULES[category])).to_dict()]
        roll = rng.random()
        status = (
            "活動中"
            if roll < 0.86
            else "準備中"
            if roll < 0.91
            else "休止"
            if roll < 0.96
            else "終了"
        )
        made.append(
            Resource(
                id=uuid.uuid4(),
                name=name,
                reading=reading.format(r=district.reading),
                category=category,
                target_groups=list(targets),
                district_id=district.id,
                venue=rng.choice(_VENUES).format(d=district.name),
                schedule=schedule,
                fee=rng.choice(_FEES),
                capacity=rng.choice((None, 10, 15, 20, 30, 40)),
                operator_id=operator.id,
                contact_person_id=helpers[0].id,
                public_contact=f"{shakyo.name} 地域福祉係 099-900-1234",
                status=status,
                started_on=date(rng.randint(2012, 2025), rng.randint(1, 12), 1),
                helper_ids=[str(h.id) for h in helpers],
                note="",
            )
        )
    s.add_all(made)
    return made


def _needs(
    s: Session,
    rng: random.Random,
    districts: list[District],
    residents: list[Person],
    volunteers: list[Person],
    resources: list[Resource],
    today: date,
) -> tuple[int, int]:
    """Needs of the last half year: the newer ones open, the older ones matched or closed."""
    open_needs = matches = 0
    for number in range(NEEDS):
        summary, category, skill, when = rng.choice(_NEEDS)
        district = rng.choice(districts)
        source = rng.choices(("本人", "匿名", "調査"), (6, 2, 2))[0]
        asker = None
        if source == "本人":
            local = [p for p in residents if p.district_id == district.id] or residents
            asker = rng.choice(local)
        received = today - timedelta(days=int(number * 180 / NEEDS) + rng.randint(0, 3))
        slot = parse_slot(when).to_dict()
        need = Need(
            id=uuid.uuid4(),
            source=source,
            person_id=asker.id if asker else None,
            source_note="令和6年度 地域ニーズ調査" if source == "調査" else "",
            district_id=district.id,
            category=category,
            skill=skill,
            summary=summary,
            needed=[slot],
            status="受付",
            received_on=received,
            note="",
        )
        s.add(need)
        if number < NEEDS * 0.55:
            open_needs += 1
            continue
        partner = _partner(rng, need, volunteers, resources)
        if partner is None:
            need.status = "対応不可"
            need.note = "近くに合う担い手・活動が見つからなかった。第2層協議体で検討する。"
            continue
        done = rng.random() < 0.4
        need.status = "終了" if done else "マッチ済"
        s.flush()
        s.add(
            Match(
                id=uuid.uuid4(),
                need_id=need.id,
                resource_id=partner.id if isinstance(partner, Resource) else None,
                person_id=partner.id if isinstance(partner, Person) else None,
                slot=slot,
                status="終了" if done else "成立",
                matched_on=received + timedelta(days=rng.randint(3, 20)),
                outcome="本人の体調が回復し、支援を終えた。" if done else "継続して支援中。",
            )
        )
        matches += 1
    return open_needs, matches


def _partner(
    rng: random.Random, need: Need, volunteers: list[Person], resources: list[Resource]
) -> Person | Resource | None:
    if need.skill:
        fits = [
            v
            for v in volunteers
            if v.volunteer_status == "活動中"
            and need.skill in v.skills
            and str(need.district_id) in v.covered_district_ids
        ]
    else:
        fits = [  # type: ignore[misc]
            r
            for r in resources
            if r.status == "活動中"
            and r.category == need.category
            and r.district_id == need.district_id
        ]
    return rng.choice(fits) if fits else None
