"""Benchmark: merging an exchange file with 5,000 changed records into a database of 50,000.

Run: ``python benchmarks/sync.py [--repeat 3]`` (also part of ``shienapp bench``, group
``merge``). Prints the median and its ratio to the target (below 1.0 meets it). Timed here, not
in the tests: the machines are shared and noisy, so a timed test would fail at random.

Set-up and the merge itself: ``shienapp.bench.merge``. Target: the merge (decrypt, check, back
up, merge, check foreign keys, integrity and counts, commit) under 5 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from shienapp.bench.merge import merge_once, prepare

TARGET_S = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="shienapp-bench-sync-"))
    try:
        setup = prepare(folder)
        size = setup.back.stat().st_size
        times = [merge_once(setup, run) for run in range(args.repeat)]
        merge_s = statistics.median(times)
        print(f"database: {setup.records:,} records; file back: {size / 1e6:.1f} MB")
        print(f"export of {setup.records:,} records (full file): {setup.export_s:.2f} s")
        print(f"first import into an empty laptop database: {setup.first_import_s:.2f} s")
        print(
            f"merge of {setup.changed:,} changed records ({setup.both_sides} in conflict) into "
            f"{setup.records:,}: median {merge_s:.2f} s of {args.repeat} "
            f"(runs {', '.join(f'{t:.2f}' for t in times)}); ratio to {TARGET_S:.0f} s "
            f"target {merge_s / TARGET_S:.2f}"
        )
        return 0 if merge_s < TARGET_S else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
