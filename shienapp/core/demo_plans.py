"""The demo city's 令和6～8年度 plan (seed 001's goals) with targets tied to indicators and the
evaluations of its first two years (seed 004's headings)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shienapp.storage.models import BusinessPlan, GoalEvaluation, PlanGoal, PlanTarget

_GOALS = (
    (
        "支え合い活動の普及啓発を通じて、市民全体の意識を醸成する",
        "支え合い活動が広く知られ、参加したい人が身近な活動を見つけられている。",
        (("広報紙と地区の集いで活動を紹介する", "", None),
         ("新しい支え合い活動を立ち上げる", "resources_new", 5.0)),
    ),
    (
        "協議体を定期的に開催し、多様な主体間のネットワークを構築する",
        "すべての地区で第2層協議体が定期的に開かれ、地区を越えた情報交換が行われている。",
        (("第2層協議体を全地区に設置する", "councils_set_up", 100.0),
         ("協議体などを年300回開催する", "meetings_held", 300.0)),
    ),
    (
        "コーディネート機能の強化により、事業推進体制の深化を図る",
        "生活支援コーディネーターと関係機関が役割を分担し、相談が途切れずにつながっている。",
        (("担い手養成の研修を開く", "volunteers_trained", 20.0),),
    ),
    (
        "ニーズと資源のマッチングや担い手の育成により、支え合い活動が市内全域に創出される",
        "困りごとが身近な担い手や活動につながり、市内全域で支え合いが続いている。",
        (("受け付けたニーズを担い手や活動につなぐ", "needs_met", 20.0),),
    ),
)  # fmt: skip
_EVALUATIONS = {
    2024: (
        ("B", "研修や地区の集いで延べ多くの住民に活動を紹介した。", "地区の集いでの活動紹介",
         "若い世代への周知が弱い。", "SNS と学校を通じた周知を試す。"),
        ("B", "38 地区で協議体が設置され、定例会が定着した。", "第2層協議体の定例会",
         "未設置の1地区で準備が進んでいない。", "未設置地区の準備会を支援する。"),
        ("C", "担い手向けの研修を開いた。", "傾聴ボランティア講座",
         "研修修了者が活動につながっていない。", "修了者と活動の顔合わせの場を作る。"),
        ("C", "ニーズの受付の流れを整えた。", "お助け隊との連携",
         "移動支援のニーズに応えきれていない。", "移動支援の担い手を募る。"),
    ),
    2025: (
        ("B", "新しい活動が立ち上がった。", "団地カフェの立ち上げ支援",
         "活動の継続に不安がある。", "立ち上げ後の伴走支援を続ける。"),
        ("C", "開催回数は目標に近づいた。", "情報交換会の開催",
         "地区によって開催回数に差がある。", "少ない地区へ SC が出向く。"),
        ("C", "研修の内容を見直した。", "ファシリテーター育成講座",
         "講師の確保が難しい。", "近隣市との合同開催を検討する。"),
        ("D", "受付件数は増えたが、つながった件数は伸びていない。", "マッチングの記録",
         "担い手が足りない曜日がある。", "平日昼の担い手を企業退職者から募る。"),
    ),
}  # fmt: skip


def build_demo_plan(s: Session) -> int:
    plan = BusinessPlan(title="生活支援体制整備事業計画", first_year=2024, last_year=2026, note="")
    s.add(plan)
    s.flush()
    for position, (title, aim, targets) in enumerate(_GOALS):
        goal = PlanGoal(plan_id=plan.id, position=position, title=title, aim=aim)
        s.add(goal)
        s.flush()
        for year in (2024, 2025, 2026):
            for order, (text, key, value) in enumerate(targets):
                s.add(PlanTarget(goal_id=goal.id, fiscal_year=year, position=order, text=text,
                                 indicator_key=key, target_value=value))  # fmt: skip
        for year, rows in _EVALUATIONS.items():
            grade, results, effective, issues, steps = rows[position]
            s.add(GoalEvaluation(goal_id=goal.id, fiscal_year=year, grade=grade, results=results,
                                 effective=effective, issues=issues, next_steps=steps))  # fmt: skip
    return 1
