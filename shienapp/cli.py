"""The one entry point, ``shienapp``: no arguments open the window; subcommands call core.

A user's mistake prints one Japanese line on standard error and exits 1 (2 for a malformed
command line); only a bug prints a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from shienapp import __version__
from shienapp.cli_access import add_audit_parser, add_user_option, sign_in
from shienapp.cli_safety import database_key
from shienapp.core.errors import UserError
from shienapp.core.files import write_bytes_atomically

if TYPE_CHECKING:
    # Imported where used: `shienapp` with no subcommand shows the window before SQLAlchemy loads.
    from shienapp.core.context import AppContext

# argparse's own messages are English; these are the ones a user can meet.
_ARGPARSE_JA: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"次の引数が必要です: \1"),
    (r"unrecognized arguments: (.*)", r"認識できない引数です: \1"),
    (
        r"argument (.*): invalid choice: (.*) \(choose from (.*)\)",
        r"\1: \2 は選べません（選べるもの: \3）",
    ),
    (r"argument (.*): expected one argument", r"\1 には値を1つ指定してください"),
    (r"argument (.*): invalid (.*) value: (.*)", r"\1: 値 \3 が正しくありません"),
    (r"argument (.*): not allowed with argument (.*)", r"\1 と \2 は同時に指定できません"),
    (r"ambiguous option: (.*)", r"オプションがあいまいです: \1"),
)


class _JaFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "使い方: ")


class JaArgumentParser(argparse.ArgumentParser):
    """argparse with Japanese help headings and error messages."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _JaFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        self.add_argument("-h", "--help", action="help", help="この説明を表示して終了します")

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_JA:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"shienapp: エラー: {message}\n")


def _add_db(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="使うデータベース（ファイルのパスか SQLAlchemy の URL）。"
        "省略時は環境変数 SHIENAPP_DATABASE_URL、なければ利用者のデータフォルダ",
    )
    add_user_option(parser, top=top)


def build_parser() -> JaArgumentParser:
    parser = JaArgumentParser(
        prog="shienapp",
        description="生活支援体制整備事業の地区台帳・会議・社会資源を扱うアプリ。"
        "引数なしで起動すると画面を開きます。",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"shienapp {__version__}",
        help="版を表示して終了します",
    )
    parser.add_argument(
        "--demo", action="store_true", help="一時フォルダにデモデータを作って画面を開きます"
    )
    _add_db(parser, top=True)
    sub = parser.add_subparsers(
        dest="command", title="コマンド", metavar="COMMAND", parser_class=JaArgumentParser
    )

    demo = sub.add_parser("demo", help="空のデータベースに架空の市のデモデータを作ります")
    _add_db(demo)
    demo.add_argument(
        "--scale",
        choices=("standard", "large"),
        default="standard",
        help="デモの規模。standard は 39 地区の市（既定）、large は性能確認用の大きな市"
        "（300 地区・5万人・会議3万回。作成に数分かかることがあります）",
    )
    demo.set_defaults(handler=cmd_demo)

    listing = sub.add_parser("list", help="記録を一覧表示します（ID・タブ・名前）")
    listing.add_argument(
        "kind",
        choices=[
            "districts",
            "blocks",
            "councils",
            "meetings",
            "people",
            "resources",
            "organizations",
            "needs",
            "maps",
        ],
        help="一覧にする種類（people: 人・担い手, resources: 活動・社会資源, "
        "organizations: 組織・団体, needs: ニーズ, maps: ネットワーク形成図）",
    )
    _add_db(listing)
    listing.set_defaults(handler=cmd_list)

    match = sub.add_parser("match", help="ニーズに合う活動・担い手を点数の高い順に表示します")
    match.add_argument(
        "--need",
        required=True,
        metavar="ID",
        help="ニーズの ID（list needs で確認、先頭8文字以上）",
    )
    _add_db(match)
    match.set_defaults(handler=cmd_match)

    imp = sub.add_parser(
        "import", help="Excel / CSV から取り込みます（すべて成功したときだけ保存）"
    )
    imp.add_argument(
        "kind",
        choices=["districts", "people", "resources", "organizations", "network"],
        help="districts: 地区台帳, people: 人・担い手, resources: 活動・社会資源, "
        "organizations: 組織・団体, network: ネットワーク形成図（.graphml。新しい地図になります）",
    )
    imp.add_argument(
        "file", type=Path, metavar="FILE", help=".xlsx または .csv（UTF-8 / Shift_JIS）"
    )
    imp.add_argument(
        "--create-blocks",
        action="store_true",
        help="ファイルにある未登録のブロックを新しく作成します",
    )
    _add_db(imp)
    imp.set_defaults(handler=cmd_import)

    exp = sub.add_parser("export", help="Excel（会議予定は .ics）に書き出します")
    exp.add_argument(
        "kind",
        choices=[
            "districts",
            "meetings",
            "calendar",
            "people",
            "volunteers",
            "resources",
            "organizations",
            "hsds",
            "network",
        ],
        help="districts: 地区台帳, meetings: 会議一覧と活動件数, calendar: 予定の会議（.ics）, "
        "people: 人（取扱注意）, volunteers: 担い手だけ（取扱注意）, resources: 活動・社会資源, "
        "organizations: 組織・団体, hsds: 活動と日時（Open Referral HSDS 形式の .json）",
    )
    exp.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help="書き出し先（.xlsx / .ics / .json）"
    )
    exp.add_argument("--map", metavar="ID", help="network のとき: 地図の ID か題名")
    exp.add_argument(
        "--out", type=Path, metavar="FILE", help="network のとき: .graphml / .svg / .png"
    )
    exp.add_argument(
        "--version", type=int, metavar="N", help="network のとき: 版（省略時は作業中）"
    )
    exp.add_argument(
        "--resident", action="store_true", help="network のとき: 個人を役割で表す住民向け"
    )
    exp.add_argument(
        "--fiscal-year",
        type=_fiscal_year,
        metavar="YEAR",
        help="meetings のとき、この年度だけ（2024 / 令和6年度 / R6）",
    )
    _add_db(exp)
    exp.set_defaults(handler=cmd_export)

    tmpl = sub.add_parser("template", help="空の取込テンプレートを保存します")
    tmpl.add_argument(
        "kind",
        choices=["districts", "people", "resources", "organizations"],
        help="テンプレートの種類",
    )
    tmpl.add_argument("file", type=Path, metavar="FILE", help="保存先（.xlsx か .csv）")
    tmpl.set_defaults(handler=cmd_template)

    stats = sub.add_parser("stats", help="年度の指標（設置数・開催回数など）を表示します")
    stats.add_argument(
        "--fiscal-year", type=_fiscal_year, metavar="YEAR", help="年度（省略時は今年度）"
    )
    stats.add_argument("--json", action="store_true", help="JSON で出力します")
    _add_db(stats)
    stats.set_defaults(handler=cmd_stats)

    chart = sub.add_parser("chart", help="グラフを PNG / SVG に保存します（--list で一覧）")
    chart.add_argument("name", nargs="?", metavar="NAME", help="グラフの名前（--list で確認）")
    chart.add_argument("--list", action="store_true", help="グラフの一覧を表示します")
    chart.add_argument(
        "--fiscal-year", type=_fiscal_year, metavar="YEAR", help="年度（省略時は今年度）"
    )
    chart.add_argument("--out", type=Path, metavar="FILE", help="保存先（.png / .svg）")
    _add_db(chart)
    chart.set_defaults(handler=cmd_chart)

    from shienapp.cli_sync import add_sync_parser

    add_sync_parser(sub, _add_db, JaArgumentParser)
    from shienapp.cli_safety import add_safety_parsers

    add_safety_parsers(sub, _add_db)
    add_audit_parser(sub, _add_db)
    from shienapp.cli_bench import add_bench_parser

    add_bench_parser(sub)
    from shienapp.cli_server import add_server_parser

    add_server_parser(sub, _add_db)

    prn = sub.add_parser("print", help="PDF を作ります")
    prn_sub = prn.add_subparsers(
        dest="document",
        title="書類",
        metavar="DOCUMENT",
        parser_class=JaArgumentParser,
        required=True,
    )
    sheet = prn_sub.add_parser("district-sheet", help="地区カルテ（A4 1枚）")
    sheet.add_argument("--district", required=True, metavar="NAME_OR_ID", help="地区名か ID")
    sheet.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="保存先")
    _add_db(sheet)
    sheet.set_defaults(handler=cmd_print_district_sheet)
    signin = prn_sub.add_parser("signin", help="出席者名簿（受付簿）")
    minutes = prn_sub.add_parser("minutes", help="議事録（--blank で手書き用の記録用紙）")
    minutes.add_argument(
        "--blank", action="store_true", help="議題と前回からの宿題だけを印刷した記録用紙"
    )
    for p in (signin, minutes):
        p.add_argument(
            "--meeting", required=True, metavar="ID", help="会議の ID（list meetings で確認）"
        )
        p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="保存先")
        _add_db(p)
        p.set_defaults(handler=cmd_print_meeting)
    annual = prn_sub.add_parser("annual-report", help="取組状況報告（年次報告、グラフ付き）")
    book = prn_sub.add_parser(
        "district-book", help="地域別データ分析ブック（目次と地区ごとの1ページ）"
    )
    evaluation = prn_sub.add_parser("evaluation", help="事業評価シート（目標ごとの進捗度 A～E）")
    for p in (annual, book, evaluation):
        p.add_argument(
            "--fiscal-year", type=_fiscal_year, required=True, metavar="YEAR", help="年度"
        )
        p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="保存先")
        _add_db(p)
        p.set_defaults(handler=cmd_print_yearly)
    network = prn_sub.add_parser(
        "network", help="ネットワーク形成図（A3/A4 横、凡例・分析のページ付き）"
    )
    network.add_argument("--map", required=True, metavar="ID", help="地図の ID か題名")
    network.add_argument("--version", type=int, metavar="N", help="版（省略時は作業中の版）")
    network.add_argument(
        "--diff-from", type=int, metavar="M", help="この版と比べた変更前・変更後を印刷"
    )
    network.add_argument("--paper", choices=["A3", "A4"], default="A3", help="用紙（既定 A3）")
    network.add_argument(
        "--resident", action="store_true", help="住民向け（個人の名前を役割で表示）"
    )
    network.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="保存先")
    _add_db(network)
    network.set_defaults(handler=cmd_print_network)
    directory = prn_sub.add_parser(
        "directory", help="支え合い活動・社会資源の一覧（分類別の冊子。--staff で職員用）"
    )
    directory.add_argument(
        "--staff",
        action="store_true",
        help="職員用（担当者・協力者の名前と休止中の活動も載せる。取扱注意）",
    )
    week = prn_sub.add_parser("timetable", help="週間活動表（A4 横。地区か会場ごと）")
    week.add_argument("--venue", metavar="NAME", help="この会場の活動だけ")
    roster = prn_sub.add_parser("roster", help="担い手名簿（職員用・取扱注意）")
    for p in (directory, week, roster):
        p.add_argument("--district", metavar="NAME", help="この地区だけ（省略時は市内全域）")
        p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="保存先")
        _add_db(p)
        p.set_defaults(handler=cmd_print_directory)
    return parser


def _fiscal_year(text: str) -> int:
    from shienapp.core.jpdate import parse_fiscal_year

    try:
        return parse_fiscal_year(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"年度「{text}」が読めません: {exc}") from None


# --- commands ---------------------------------------------------------------------------------


def _ctx(args: argparse.Namespace) -> AppContext:
    from shienapp.core.context import AppContext

    db = getattr(args, "db", None)
    ctx = AppContext.open(db, key=database_key(db))
    if ctx.db.notice:
        print(f"shienapp: 注意: {ctx.db.notice}", file=sys.stderr)
    sign_in(ctx, args)
    return ctx


def cmd_demo(args: argparse.Namespace) -> int:
    ctx = _ctx(args)
    try:
        if getattr(args, "scale", "standard") == "large":
            from shienapp.core.demo_large import build_large_demo

            def step(text: str) -> None:
                print(f"shienapp: {text}", file=sys.stderr, flush=True)

            large = build_large_demo(ctx.db, step)
            print(large.summary())
            print(f"作成にかかった時間: {large.seconds:.0f} 秒")
        else:
            from shienapp.core.demo import build_demo

            summary, _ = build_demo(ctx.db)
            print(summary.summary())
        print(f"データベース: {ctx.location}")
    finally:
        ctx.close()
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    ctx = _ctx(args)
    try:
        if args.kind == "districts":
            lines = [(r.id, r.name) for r in ctx.districts.list_districts()]
        elif args.kind == "blocks":
            lines = [(b.id, b.name) for b in ctx.districts.list_blocks()]
        elif args.kind == "councils":
            lines = [(c.id, c.name) for c in ctx.councils.list_councils()]
        elif args.kind == "meetings":
            lines = [(m.id, m.label) for m in ctx.meetings.list_meetings()]
        elif args.kind == "maps":
            lines = [
                (m.id, f"{m.title}\t{m.scope}\t{m.versions}版\t点{m.nodes}・線{m.ties}")
                for m in ctx.network.list_maps()
            ]
        else:
            lines = _directory_lines(ctx, args.kind)
        for record_id, name in lines:
            print(f"{record_id}\t{name}")
    finally:
        ctx.close()
    return 0


def _directory_lines(ctx: AppContext, kind: str) -> list[tuple[object, str]]:
    """One tab-separated line per record; a person whose contact shows without consent is
    flagged, as in every list of the app."""
    d = ctx.directory
    if kind == "people":
        return [
            (
                p.id,
                "\t".join(
                    [
                        p.name,
                        p.district_name,
                        "・".join(p.roles),
                        p.phone,
                        "同意未確認" if p.needs_consent_flag else "",
                    ]
                ),
            )
            for p in d.list_people()
        ]
    if kind == "resources":
        return [
            (r.id, f"{r.name}\t{r.category}\t{r.district_name}\t{r.schedule_text}\t{r.status}")
            for r in d.list_resources()
        ]
    if kind == "organizations":
        return [(o.id, f"{o.name}\t{o.kind}\t{o.district_name}") for o in d.list_organisations()]
    return [
        (n.id, f"{n.status}\t{n.district_name}\t{n.category or n.skill}\t{n.summary}")
        for n in ctx.matching.list_needs()
    ]


def cmd_match(args: argparse.Namespace) -> int:
    ctx = _ctx(args)
    try:
        need = ctx.matching.find_need(args.need)
        found = ctx.matching.candidates(
            need.id, ctx.directory.list_resources(), ctx.directory.list_people(volunteers_only=True)
        )
    finally:
        ctx.close()
    print(f"# {need.label}（{need.category or need.skill}）の候補 {len(found)} 件", file=sys.stderr)
    for c in found:
        flag = "\t重複" if c.double_booked else ""
        print(f"{c.score}\t{c.kind_label}\t{c.name}\t{'、'.join(c.reasons)}{flag}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    _require_file(args.file)
    if args.create_blocks and args.kind != "districts":
        raise UserError("--create-blocks は import districts のときだけ指定できます。")
    ctx = _ctx(args)
    try:
        if args.kind == "districts":
            from shienapp.core.district_io import import_districts

            report = import_districts(ctx.db, args.file, create_blocks=args.create_blocks)
        elif args.kind == "network":
            from shienapp.core.network_graphml import import_graphml

            map_id, nodes, ties, _ = import_graphml(ctx.network, args.file)
            title = ctx.network.document(map_id).title
            print(
                f"{args.file.name} を地図「{title}」として取り込みました（点 {nodes}・線 {ties}）。"
            )
            print(map_id)
            ctx.after_import()
            return 0
        else:
            from shienapp.core.directory_io import import_records

            report = import_records(ctx.db, args.kind, args.file)  # type: ignore[assignment]
        print(report.summary())
        ctx.after_import()
    finally:
        ctx.close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.kind == "network":
        return _export_network(args)
    if args.file is None:
        raise UserError("書き出し先のファイルを指定してください。")
    suffixes = {"calendar": ".ics", "hsds": ".json"}
    _require_suffix(args.file, suffixes.get(args.kind, ".xlsx"))
    if args.fiscal_year is not None and args.kind != "meetings":
        raise UserError("--fiscal-year は export meetings のときだけ指定できます。")
    ctx = _ctx(args)
    try:
        if args.kind == "districts":
            from shienapp.core.district_io import export_districts

            count = export_districts(ctx.db, args.file)
            print(f"{count} 行を {args.file} に書き出しました。")
        elif args.kind == "meetings":
            from shienapp.core.meeting_export import export_meetings

            count = export_meetings(ctx.meetings, args.file, args.fiscal_year)
            print(f"会議 {count} 件を {args.file} に書き出しました。")
        elif args.kind in ("people", "volunteers", "resources", "organizations"):
            from shienapp.core.directory_io import export_records

            kind = "people" if args.kind == "volunteers" else args.kind
            count = export_records(
                ctx.db, kind, args.file, volunteers_only=args.kind == "volunteers"
            )
            care = "（取扱注意: 個人情報を含みます）" if kind == "people" else ""
            print(f"{count} 件を {args.file} に書き出しました。{care}")
        elif args.kind == "hsds":
            from shienapp.core.directory_io import export_hsds

            count = export_hsds(ctx.db, args.file)
            print(f"活動 {count} 件を Open Referral（HSDS）形式で {args.file} に書き出しました。")
        else:
            from shienapp.core.meeting_export import export_calendar

            count = export_calendar(ctx.meetings, args.file)
            print(f"予定の会議 {count} 件を {args.file} に書き出しました。")
    finally:
        ctx.close()
    return 0


def _export_network(args: argparse.Namespace) -> int:
    if not args.map or not args.out:
        raise UserError("export network には --map と --out を指定してください。")
    suffix = args.out.suffix.lower()
    if suffix not in (".graphml", ".svg", ".png"):
        raise UserError(
            f"保存先 {args.out} の拡張子は .graphml・.svg・.png のどれかにしてください。"
        )
    ctx = _ctx(args)
    try:
        doc = ctx.network.document(ctx.network.find_map(args.map).id, args.version)
        if suffix == ".graphml":
            from shienapp.core.network_graphml import write_graphml

            write_graphml(doc, args.out, resident_safe=args.resident)
        else:
            from shienapp.gui.network.render import export_image

            export_image(doc, args.out, resident_safe=args.resident)
    finally:
        ctx.close()
    print(f"地図「{doc.title}」（{doc.version_label}）を {args.out} に書き出しました。")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    if args.kind == "districts":
        from shienapp.core.district_io import write_template

        _require_suffix(args.file, ".xlsx")
        write_template(args.file)
    else:
        from shienapp.core.directory_io import write_template as write_directory_template

        if args.file.suffix.lower() != ".csv":
            _require_suffix(args.file, ".xlsx")
        write_directory_template(args.kind, args.file)
    print(f"取込テンプレートを {args.file} に保存しました。")
    return 0


def cmd_print_district_sheet(args: argparse.Namespace) -> int:
    from shienapp.core.district_sheet import district_sheet_data
    from shienapp.reports.district_sheet import render_district_sheet

    _require_suffix(args.out, ".pdf")
    ctx = _ctx(args)
    try:
        row = ctx.districts.find_district(args.district)
        pdf = render_district_sheet(district_sheet_data(ctx.districts, row.id))
    finally:
        ctx.close()
    write_bytes_atomically(args.out, pdf)
    print(f"{row.name} の地区カルテを {args.out} に保存しました。")
    return 0


def cmd_print_meeting(args: argparse.Namespace) -> int:
    _require_suffix(args.out, ".pdf")
    ctx = _ctx(args)
    try:
        row = ctx.meetings.find_meeting(args.meeting)
        detail = ctx.meetings.get_meeting(row.id)
        if args.document == "signin":
            from shienapp.reports.signin_sheet import render_signin_sheet

            pdf, what = render_signin_sheet(detail), "出席者名簿"
            ctx.meetings.record_print(row.id, row.label, what)
        else:
            from shienapp.reports.minutes import render_minutes

            pdf = render_minutes(detail, blank=args.blank)
            what = "記録用紙" if args.blank else "議事録"
    finally:
        ctx.close()
    write_bytes_atomically(args.out, pdf)
    print(f"{row.label} の{what}を {args.out} に保存しました。")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from shienapp.core.indicators import compute, current_fiscal_year
    from shienapp.core.jpdate import fiscal_year_label

    year = args.fiscal_year or current_fiscal_year()
    ctx = _ctx(args)
    try:
        result = compute(ctx, year)
    finally:
        ctx.close()
    if args.json:
        import json

        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"# {fiscal_year_label(year)}の指標")
    for item in result.items:
        note = f"\t{item.note}" if item.note else ""
        print(f"{item.label}\t{item.text}{note}")
    return 0


def cmd_chart(args: argparse.Namespace) -> int:
    from shienapp.core.chart_data import CHARTS, chart
    from shienapp.core.indicators import current_fiscal_year

    if args.list:
        for spec in CHARTS:
            print(f"{spec.name}\t{spec.title}")
        return 0
    if not args.name or not args.out:
        raise UserError("グラフの名前と --out を指定してください（一覧は shienapp chart --list）。")
    if args.out.suffix.lower() not in (".png", ".svg"):
        raise UserError(f"保存先 {args.out} の拡張子は .png か .svg にしてください。")
    spec = chart(args.name)
    ctx = _ctx(args)
    try:
        data = spec.build(ctx, args.fiscal_year or current_fiscal_year())
    finally:
        ctx.close()
    from shienapp.charts.dashboard import save

    save(data, args.out)
    print(f"「{data.title}」を {args.out} に保存しました。")
    return 0


def cmd_print_yearly(args: argparse.Namespace) -> int:
    from shienapp.core.jpdate import fiscal_year_label

    _require_suffix(args.out, ".pdf")
    year = args.fiscal_year
    ctx = _ctx(args)
    try:
        if args.document == "annual-report":
            from shienapp.core.annual_report import annual_report
            from shienapp.core.chart_data import chart
            from shienapp.reports.annual_report import render_annual_report

            charts = {
                n: chart(n).build(ctx, year)
                for n in ("setup", "meetings-kind", "meetings-district")
            }
            pdf = render_annual_report(annual_report(ctx, year), charts)
            what = "取組状況報告"
        elif args.document == "evaluation":
            from shienapp.core.evaluation import evaluation_sheet
            from shienapp.reports.evaluation_sheet import render_evaluation_sheet

            pdf = render_evaluation_sheet(evaluation_sheet(ctx, year))
            what = "事業評価シート"
        else:
            from shienapp.reports.district_book import book_pages, render_district_book

            pages = book_pages(ctx, year)
            pdf = render_district_book(pages, year)
            what = f"地域別データ分析ブック（{len(pages)} 地区）"
    finally:
        ctx.close()
    write_bytes_atomically(args.out, pdf)
    print(f"{fiscal_year_label(year)}の{what}を {args.out} に保存しました。")
    return 0


def cmd_print_network(args: argparse.Namespace) -> int:
    from shienapp.reports.network import PrintOptions, render_comparison, render_network

    _require_suffix(args.out, ".pdf")
    ctx = _ctx(args)
    try:
        map_id = ctx.network.find_map(args.map).id
        doc = ctx.network.document(map_id, args.version)
        options = PrintOptions(paper=args.paper, resident_safe=args.resident)
        if args.diff_from is not None:
            old = ctx.network.document(map_id, args.diff_from)
            pdf = render_comparison(old, doc, options)
        else:
            pdf = render_network(doc, options)
    finally:
        ctx.close()
    write_bytes_atomically(args.out, pdf)
    print(f"地図「{doc.title}」（{doc.version_label}）を {args.out} に保存しました。")
    return 0


def cmd_print_directory(args: argparse.Namespace) -> int:
    from shienapp.core import directory_print

    _require_suffix(args.out, ".pdf")
    ctx = _ctx(args)
    try:
        if args.document == "directory":
            from shienapp.reports.directory import render_booklet

            booklet = directory_print.booklet(
                ctx.directory, district=args.district, staff=args.staff
            )
            pdf, scope = render_booklet(booklet), booklet.scope
            what = "活動・社会資源の一覧" + ("（職員用・取扱注意）" if args.staff else "")
        elif args.document == "timetable":
            from shienapp.reports.directory import render_timetable

            week = directory_print.weekly_timetable(
                ctx.directory, district=args.district, venue=args.venue
            )
            pdf, scope, what = render_timetable(week), week.scope, "週間活動表"
        else:
            from shienapp.reports.directory import render_roster

            roster = directory_print.roster(ctx.directory, district=args.district)
            pdf, scope, what = render_roster(roster), roster.scope, "担い手名簿（取扱注意）"
    finally:
        ctx.close()
    write_bytes_atomically(args.out, pdf)
    print(f"{scope}の{what}を {args.out} に保存しました。")
    return 0


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise UserError(f"ファイル {path} が見つかりません。")


def _require_suffix(path: Path, suffix: str) -> None:
    if path.suffix.lower() != suffix:
        raise UserError(f"保存先 {path} の拡張子は {suffix} にしてください。")


# --- entry ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    try:
        if handler is None:
            return _start_gui(args)
        return handler(args)
    except UserError as exc:
        print(f"shienapp: エラー: {exc.full_text(limit=20)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("shienapp: 中断しました。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `shienapp list meetings | head`: the reader has what it wanted; say nothing more.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        name = exc.filename or ""
        print(f"shienapp: エラー: {name} {exc.strerror or exc}".replace("  ", " "), file=sys.stderr)
        return 1


def _start_gui(args: argparse.Namespace) -> int:
    db = args.db
    if args.demo:
        if db is not None:
            raise UserError("--demo と --db は同時に指定できません。")
        from shienapp.core.context import AppContext
        from shienapp.core.demo import build_demo

        folder = Path(tempfile.mkdtemp(prefix="shienapp-demo-"))
        db = folder / "demo.sqlite3"
        ctx = AppContext.open(db)
        try:
            build_demo(ctx.db)
        finally:
            ctx.close()
    from shienapp.app import run_gui

    return run_gui(db)


if __name__ == "__main__":
    raise SystemExit(main())
