"""Japanese names of the tables and fields a conflict can be about, for the resolver and reports."""

from __future__ import annotations

from typing import Any

TABLE_LABELS: dict[str, str] = {
    "blocks": "ブロック",
    "districts": "地区",
    "district_statistics": "地区の統計",
    "councils": "協議体",
    "council_status_events": "協議体の経過",
    "vocabulary": "選択肢",
    "organisations": "団体",
    "people": "人",
    "resources": "社会資源・活動",
    "needs": "ニーズ",
    "matches": "マッチング",
    "council_members": "協議体の委員",
    "meetings": "会議",
    "attendances": "出欠",
    "agenda_items": "議題",
    "decisions": "決定事項",
    "action_items": "宿題",
    "network_maps": "ネットワーク形成図",
    "network_map_versions": "形成図の版",
    "network_nodes": "形成図の点",
    "network_edges": "形成図のつながり",
    "network_views": "形成図の表示",
    "business_plans": "事業計画",
    "plan_goals": "計画の目標",
    "plan_targets": "年度の目標",
    "goal_evaluations": "目標の評価",
}

FIELD_LABELS: dict[str, str] = {
    "name": "名称・氏名",
    "reading": "よみがな",
    "sort_order": "並び順",
    "code": "コード",
    "note": "備考",
    "title": "件名",
    "kind": "種別",
    "tier": "層",
    "status": "状態",
    "established_on": "設置日",
    "coordinator_name": "担当SC",
    "domains": "分野",
    "fiscal_year": "年度",
    "as_of": "基準日",
    "total_population": "総人口",
    "population_65_plus": "65歳以上人口",
    "population_75_plus": "75歳以上人口",
    "households": "世帯数",
    "elderly_single_households": "高齢単身世帯",
    "postal_code": "郵便番号",
    "address": "住所",
    "phone": "電話",
    "email": "メール",
    "organisation": "所属",
    "roles": "役割",
    "consent_on": "同意日",
    "consent_scope": "同意の範囲",
    "volunteer_status": "活動状況",
    "skills": "できること",
    "availability": "活動できる時間",
    "trainings": "研修歴",
    "held_on": "開催日",
    "starts_at": "開始",
    "ends_at": "終了",
    "venue": "会場",
    "chair": "司会",
    "recorder": "記録者",
    "next_meeting_on": "次回",
    "guest_name": "氏名（来賓）",
    "guest_organisation": "所属（来賓）",
    "proxy_name": "代理出席者",
    "role": "役職",
    "from_on": "任期（から）",
    "to_on": "任期（まで）",
    "position": "順番",
    "notes": "内容",
    "text": "内容",
    "owner": "担当",
    "due_on": "期限",
    "completed_on": "完了日",
    "label": "表示名",
    "public_label": "住民向けの表示名",
    "group": "グループ",
    "domain": "分野",
    "x": "位置（横）",
    "y": "位置（縦）",
    "pinned": "固定",
    "relation": "関係",
    "strength": "強さ",
    "directed": "向き",
    "description": "説明",
    "number": "版",
    "saved_on": "保存日",
    "settings": "表示の設定",
    "category": "分類",
    "target_groups": "対象",
    "schedule": "日程",
    "fee": "参加費",
    "capacity": "定員",
    "public_contact": "公開の連絡先",
    "started_on": "開始日",
    "summary": "内容",
    "needed": "必要なこと",
    "received_on": "受付日",
    "source": "受付経路",
    "source_note": "受付経路の補足",
    "skill": "必要な技能",
    "slot": "時間帯",
    "matched_on": "つないだ日",
    "outcome": "結果",
    "first_year": "初年度",
    "last_year": "最終年度",
    "aim": "めざす状態",
    "indicator_key": "指標",
    "target_value": "目標値",
    "grade": "進捗度",
    "results": "実績",
    "effective": "効果",
    "issues": "課題",
    "next_steps": "次年度に向けて",
    "occurred_on": "日付",
    "deleted_at": "削除",
}

_NAME_FIELDS = ("name", "title", "label", "guest_name", "text", "summary", "key")


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    if name.endswith("_id") or name.endswith("_ids") or name.endswith("_key"):
        return "関連づけ（" + name + "）"
    return name


def record_label(row: dict[str, Any] | None) -> str:
    """A short name for a record ("中央地区", "第3回 定例会") for lists and reports."""
    if not row:
        return "（不明）"
    for key in _NAME_FIELDS:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            text = value.strip().splitlines()[0]
            return text if len(text) <= 40 else text[:39] + "…"
    if row.get("fiscal_year"):
        return f"{row['fiscal_year']}年度"
    return str(row.get("id", ""))[:8]


def value_text(name: str, value: Any) -> str:
    """How a field's value reads in the resolver."""
    if name == "deleted_at":
        return "削除済み" if value else "あり（削除されていない）"
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（空）"
    if isinstance(value, dict):
        return "、".join(f"{k}: {v}" for k, v in value.items()) or "（空）"
    return str(value)
