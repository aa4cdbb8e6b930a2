"""Runs every benchmark (`make bench`): each `bench/bench_*.py` module's main(), one after another."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def main() -> int:
    only = set(sys.argv[1:])
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    failed = []
    for name in names:
        if only and name not in only and name.removeprefix("bench_") not in only:
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        saved_argv = sys.argv
        sys.argv = [f"bench.{name}"]
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception as exc:  # noqa: BLE001 - report and go on with the other benchmarks
            failed.append(name)
            print(f"   failed: {type(exc).__name__}: {exc}", flush=True)
        finally:
            sys.argv = saved_argv
        print(f"   ({time.perf_counter() - started:.1f}s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
