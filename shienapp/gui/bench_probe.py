"""What ``shienapp bench`` measures inside a window, each run in a fresh process of its own.

``python -m shienapp.gui.bench_probe MODE DB [REPEAT]`` prints one JSON line on stdout:

- ``startup``: the app started as ``shienapp --db DB`` would be, with the seconds from
  ``SHIENAPP_BENCH_T0`` (the parent's clock just before it started this process) until the
  event loop is idle with the main window shown, and until the 地区台帳 list has its rows; and
  which of the heavy libraries were imported by then.
- ``lists``: each tab's list loaded (the first page on screen) and a search typed into it,
  ``REPEAT`` times each, in seconds.
- ``memory``: the window opened on DB, every tab and page looked at; the peak resident size.

The database must already be answered for accounts (the bench sets "no accounts" on its copy),
so no dialog waits for a person.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

WATCHED = ("matplotlib", "reportlab", "alembic", "openpyxl", "networkx")


def _imported() -> list[str]:
    return [name for name in WATCHED if name in sys.modules]


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS; the bench runs on Linux and Windows
    # has no resource module, so this probe says so rather than guess).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def startup(db: str) -> dict[str, Any]:
    started = float(os.environ["SHIENAPP_BENCH_T0"])
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from shienapp.app import create_application

    app = create_application()
    marks: dict[str, float] = {}
    modules: dict[str, list[str]] = {}

    def mark(name: str) -> None:
        marks[name] = time.time() - started
        modules[name] = _imported()

    class Watch(QObject):
        window: Any = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                self.window is None
                and event.type() == QEvent.Type.Show
                and type(watched).__name__ == "MainWindow"
            ):
                self.window = watched
                QTimer.singleShot(0, shown)
            return False

    watch = Watch()
    app.installEventFilter(watch)

    def shown() -> None:
        mark("window")
        poll()

    def poll() -> None:
        # The window shows first; its tabs are built once the database is open.
        tab = getattr(watch.window, "district_tab", None)
        if tab is not None and tab.controller.proxy.rowCount() > 0:
            mark("district_list")
            QApplication.quit()
        else:
            QTimer.singleShot(1, poll)

    from shienapp.cli import main

    code = main(["--db", db])
    if code != 0 or "district_list" not in marks:
        raise SystemExit(f"bench: 起動を測れませんでした（終了コード {code}）")
    return {"marks": marks, "modules": modules}


def _window(db: str) -> tuple[Any, Any]:
    from shienapp.app import create_application
    from shienapp.core.context import AppContext
    from shienapp.gui.main_window import MainWindow

    app = create_application()
    ctx = AppContext.open(db)
    window = MainWindow(ctx, lazy_tabs=True)
    window.show()
    app.processEvents()
    return app, window


def _painted(
    app: Any, action: Callable[[], object], table: Callable[[], Any], repeat: int
) -> list[float]:
    """From ``action`` (a tab's reload, a page shown) until the list's first page is painted:
    the view repainted at once, then the event loop run (untimed) before the next repeat."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        shown = table()
        (shown.viewport() if hasattr(shown, "viewport") else shown).repaint()
        times.append(time.perf_counter() - start)
        app.processEvents()
    return times


def _page_shown(app: Any, tab: Any, pages: Any, page: Any, repeat: int) -> list[float]:
    """A page of a tab shown for the first time since the tab was read (its list read then)."""
    times = []
    first = pages.widget(0)
    for _ in range(repeat):
        pages.setCurrentWidget(first)
        tab.reload()  # marks the other pages to be read when shown
        app.processEvents()
        times += _painted(app, lambda: pages.setCurrentWidget(page), lambda: page, 1)
    pages.setCurrentWidget(first)
    app.processEvents()
    return times


def _term(model: Any) -> str:
    """A search as a user would type it: the first two characters of a name in the list."""
    text = str(model.index(0, 0).data() or "")
    return text[:2]


def lists(db: str, repeat: int) -> dict[str, Any]:
    app, window = _window(db)
    directory = window.directory_tab
    network = window.network_tab
    tabs: list[tuple[str, Any, Callable[[], object], Callable[[], Any]]] = [
        (
            "districts",
            window.district_tab,
            window.district_tab.controller.reload,
            lambda: window.district_tab.table,
        ),
        (
            "meetings",
            window.meeting_tab,
            window.meeting_tab.controller.reload,
            lambda: window.meeting_tab.table,
        ),
        ("directory", directory, directory.reload, lambda: directory.pages.currentWidget().table),
        ("network", network, network.reload, lambda: network),
    ]
    results: dict[str, Any] = {}
    for name, widget, reload, table in tabs:
        window.tabs.setCurrentWidget(widget)
        app.processEvents()
        results[f"{name}.first_page"] = _painted(app, reload, table, repeat)
    # The other pages of a tab are read when first shown: the people (50,000), organisations,
    # needs, and the open 宿題.
    for name, page in (
        ("people", directory.people),
        ("organisations", directory.organisations),
        ("needs", directory.needs),
    ):
        window.tabs.setCurrentWidget(directory)
        results[f"directory.{name}.first_page"] = _page_shown(
            app, directory, directory.pages, page, repeat
        )
    meetings = window.meeting_tab
    window.tabs.setCurrentWidget(meetings)
    results["meetings.actions.first_page"] = _page_shown(
        app, meetings.controller, meetings.pages, meetings.pages.widget(1), repeat
    )
    searches: list[tuple[str, Any, Any, Any]] = [
        ("districts", window.district_tab, window.district_tab.search, None),
        ("meetings", window.meeting_tab, window.meeting_tab.search, None),
        ("resources", directory, directory.resources.search, directory.resources),
        ("people", directory, directory.people.search, directory.people),
        ("organisations", directory, directory.organisations.search, directory.organisations),
    ]
    rows: dict[str, int] = {}
    for name, widget, box, page in searches:
        window.tabs.setCurrentWidget(widget)
        if page is not None:
            directory.pages.setCurrentWidget(page)
        app.processEvents()
        proxy = page.proxy if page is not None else widget.controller.proxy
        term = _term(proxy)
        times = []
        for _ in range(repeat):
            box.setText("")
            box.flush()
            app.processEvents()
            start = time.perf_counter()
            box.setText(term)
            box.flush()
            app.processEvents()
            times.append(time.perf_counter() - start)
            rows[name] = proxy.rowCount()
        box.setText("")
        box.flush()
        results[f"{name}.search"] = times
    sizes = {
        "districts": window.district_tab.controller.model.rowCount(),
        "meetings": window.meeting_tab.controller.model.rowCount(),
        "resources": directory.resources.model.rowCount(),
        "people": directory.people.model.rowCount(),
        "organisations": directory.organisations.model.rowCount(),
    }
    window.close()
    window.ctx.close()
    return {"times": results, "rows": sizes, "search_hits": rows}


def memory(db: str) -> dict[str, Any]:
    app, window = _window(db)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        app.processEvents()
    directory = window.directory_tab
    for index in range(directory.pages.count()):
        directory.pages.setCurrentIndex(index)
        app.processEvents()
    peak = _peak_mb()
    window.close()
    window.ctx.close()
    return {"peak_mb": peak}


def main(argv: list[str]) -> int:
    mode, db = argv[0], argv[1]
    repeat = int(argv[2]) if len(argv) > 2 else 1
    if mode == "startup":
        result = startup(db)
    elif mode == "lists":
        result = lists(db, repeat)
    elif mode == "memory":
        result = memory(db)
    else:
        raise SystemExit(f"bench: 知らない測定「{mode}」")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
