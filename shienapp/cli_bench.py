"""``shienapp bench``: the performance suite on a large database, with a JSON result file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shienapp.core.errors import UserError
from shienapp.core.files import write_bytes_atomically


def add_bench_parser(sub: Any) -> None:
    from shienapp.bench import GROUPS

    bench = sub.add_parser(
        "bench",
        help="性能を測ります（大きな市のデータベースで。数分から十数分かかります）",
        description="起動・一覧・検索・印刷・グラフ・配置・統合・メモリを繰り返し測り、"
        "中央値と目標との比を表示して JSON に保存します。データベースは写しを使い、"
        "元のファイルは変えません。",
    )
    bench.add_argument(
        "--db",
        type=Path,
        required=True,
        metavar="PATH",
        help="大きな市のデータベース（shienapp demo --scale large --db PATH で作ったもの）",
    )
    bench.add_argument("--repeat", type=int, default=5, help="各測定の繰り返し回数（既定 5）")
    bench.add_argument(
        "--out", type=Path, default=None, metavar="FILE.json", help="結果を保存する JSON ファイル"
    )
    bench.add_argument(
        "--only",
        default=",".join(GROUPS),
        metavar="NAMES",
        help=f"測るものをカンマ区切りで（{','.join(GROUPS)}。既定はすべて）",
    )
    bench.set_defaults(handler=cmd_bench)


def _say(text: str) -> None:
    print(f"shienapp: {text}", file=sys.stderr, flush=True)


def report_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for name, stats in result["results"].items():
        ratio = result["ratios_to_floor"].get(name)
        extra = f"  床との比 {ratio:.2f}" if ratio is not None else ""
        lines.append(
            f"{name:<34} 中央値 {stats['median'] * 1000:9.1f} ms"
            f"（最小 {stats['min'] * 1000:.1f}・最大 {stats['max'] * 1000:.1f}）{extra}"
        )
    for name, value in result["values"].items():
        lines.append(f"{name:<34} {value:.0f}")
    for check in result["targets"]:
        mark = "達成" if check["met"] else "未達"
        imported = check.get("imported")
        note = f"（読み込み済み: {'・'.join(imported)}）" if imported else ""
        lines.append(
            f"目標 {check['name']:<31} {check['measured']:.3f} / {check['limit']} "
            f"{check['unit']} {mark}{note}"
        )
    return lines


def cmd_bench(args: argparse.Namespace, run: Callable[..., dict[str, Any]] | None = None) -> int:
    from shienapp.bench.runner import run as run_suite

    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    if not groups:
        raise UserError("--only に測るものを指定してください。")
    command = "shienapp " + " ".join(sys.argv[1:]) if sys.argv[1:] else "shienapp bench"
    result = (run or run_suite)(
        args.db.expanduser(), repeat=args.repeat, groups=groups, say=_say, command=command
    )
    for line in report_lines(result):
        print(line)
    if args.out is not None:
        text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        write_bytes_atomically(args.out, text.encode("utf-8"))
        print(f"結果を {args.out} に保存しました。")
    return 0
