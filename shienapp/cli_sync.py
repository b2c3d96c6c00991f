"""``shienapp sync``: exchange files from the command line, so a scheduled job can do it.

Exit status: 0 done, 1 refused (nothing changed), 3 merged but conflicts remain to be chosen.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shienapp.core.errors import UserError

if TYPE_CHECKING:
    from shienapp.core.context import AppContext

CONFLICTS_REMAIN = 3


def add_sync_parser(
    sub: Any, add_db: Callable[[argparse.ArgumentParser], None], parser_class: type
) -> None:
    sync = sub.add_parser(
        "sync", help="持ち出し・持ち帰り（暗号化した交換ファイル .shienx の書き出しと取り込み）"
    )
    sync_sub = sync.add_subparsers(
        dest="sync_command",
        title="操作",
        metavar="ACTION",
        parser_class=parser_class,
        required=True,
    )
    export = sync_sub.add_parser("export", help="交換ファイルを書き出します（持ち出し）")
    export.add_argument("--out", required=True, type=Path, metavar="FILE.shienx", help="保存先")
    export.add_argument(
        "--districts",
        metavar="A,B",
        default=None,
        help="書き出す地区（名前か ID をカンマ区切り）。省略時はすべて",
    )
    _add_passphrase(export)
    add_db(export)
    export.set_defaults(handler=cmd_sync_export)

    imp = sync_sub.add_parser(
        "import", help="交換ファイルを取り込みます（持ち帰り）。競合が残ると終了コード 3"
    )
    imp.add_argument("file", type=Path, metavar="FILE.shienx", help="取り込むファイル")
    _add_passphrase(imp)
    add_db(imp)
    imp.set_defaults(handler=cmd_sync_import)

    conflicts = sync_sub.add_parser("conflicts", help="未解決の競合を一覧表示します")
    add_db(conflicts)
    conflicts.set_defaults(handler=cmd_sync_conflicts)

    device = sync_sub.add_parser("device", help="この端末の名前を表示・変更します")
    device.add_argument("--name", default=None, help="新しい名前（例: 佐藤ノートPC）")
    add_db(device)
    device.set_defaults(handler=cmd_sync_device)

    history = sync_sub.add_parser("history", help="書き出し・取り込みの履歴を表示します")
    add_db(history)
    history.set_defaults(handler=cmd_sync_history)


def _add_passphrase(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        required=True,
        type=Path,
        metavar="F",
        help="パスフレーズを書いたファイル（1行目を使います）",
    )


def _passphrase(path: Path) -> str:
    if not path.is_file():
        raise UserError(f"パスフレーズのファイルが見つかりません: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"パスフレーズのファイルを UTF-8 として読めません: {path}") from exc
    lines = text.splitlines()
    passphrase = lines[0] if lines else ""
    if not passphrase:
        raise UserError(f"パスフレーズのファイルの1行目が空です: {path}")
    return passphrase


def _context(args: argparse.Namespace) -> AppContext:
    from shienapp.cli import _ctx

    return _ctx(args)


def cmd_sync_export(args: argparse.Namespace) -> int:
    passphrase = _passphrase(args.passphrase_file)
    ctx = _context(args)
    try:
        districts = None
        if args.districts is not None:
            names = [n.strip() for n in args.districts.split(",") if n.strip()]
            if not names:
                raise UserError("--districts に地区名か ID を指定してください。")
            districts = [ctx.districts.find_district(n).id for n in names]
        report = ctx.sync.export(args.out, passphrase, districts=districts)
    finally:
        ctx.close()
    scope = "、".join(report.districts) if report.districts else "すべての地区"
    print(
        f"{report.path} に {report.total:,} 件（{scope}）を書き出し、読み返して確認しました"
        f"（{report.size / 1024:,.0f} KB）。"
    )
    return 0


def cmd_sync_import(args: argparse.Namespace) -> int:
    passphrase = _passphrase(args.passphrase_file)
    ctx = _context(args)
    try:
        report = ctx.sync.import_file(args.file, passphrase)
        remaining = ctx.sync.open_conflict_count()
    finally:
        ctx.close()
    print(report.summary())
    if report.upgraded_from:
        print(f"（古い形式 {report.upgraded_from} のファイルを今の形式に直して取り込みました）")
    if report.backup is not None:
        print(f"取り込み前のバックアップ: {report.backup}")
    for line in report.lines[:20]:
        print(f"  {line}")
    if len(report.lines) > 20:
        print(f"  …ほか {len(report.lines) - 20} 件")
    if remaining:
        print(
            f"未解決の競合が {remaining} 件あります。画面の「持ち出し・持ち帰り」→「競合の解決」で"
            "選んでください（shienapp sync conflicts で一覧）。"
        )
        return CONFLICTS_REMAIN
    return 0


def cmd_sync_conflicts(args: argparse.Namespace) -> int:
    from shienapp.core.sync_labels import field_label

    ctx = _context(args)
    try:
        conflicts = ctx.sync.conflicts()
    finally:
        ctx.close()
    if not conflicts:
        print("未解決の競合はありません。")
        return 0
    for c in conflicts:
        fields = "、".join(field_label(f) for f in c.fields) or "（項目の差なし）"
        print(
            f"{c.id}\t{c.kind}\t{c.table_label}「{c.label}」\t項目: {fields}\t"
            f"相手: {c.source_name}\t{c.created_at:%Y-%m-%d %H:%M}"
        )
    return CONFLICTS_REMAIN


def cmd_sync_device(args: argparse.Namespace) -> int:
    ctx = _context(args)
    try:
        if args.name is not None:
            ctx.sync.rename_device(args.name)
        device = ctx.sync.device()
    finally:
        ctx.close()
    print(f"{device.name}\t{device.device_id}")
    return 0


def cmd_sync_history(args: argparse.Namespace) -> int:
    ctx = _context(args)
    try:
        entries = ctx.sync.history()
    finally:
        ctx.close()
    if not entries:
        print("まだ書き出し・取り込みの記録はありません。")
    for e in entries:
        direction = "書き出し" if e.direction == "export" else "取り込み"
        peer = f"\t相手: {e.peer_name}" if e.peer_name else ""
        print(f"{e.at:%Y-%m-%d %H:%M}\t{direction}\t{e.file_name}\t{e.scope}{peer}\t{e.by_user}")
    return 0
