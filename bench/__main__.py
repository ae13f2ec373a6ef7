"""``python -m bench [--only WORD]``: run every ``bench/bench_*.py`` (or those whose name
contains WORD) at the scale given by the SCALE environment variable (default 1)."""

from __future__ import annotations

import argparse
import os
import pkgutil
import sys
import time
from importlib import import_module
from pathlib import Path


def discover(only: str | None = None) -> list[str]:
    """Names of benchmark modules, sorted, filtered by ``only``."""
    names = [
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if info.name.startswith("bench_")
    ]
    return sorted(n for n in names if not only or only.lower() in n.lower())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", metavar="WORD", help="run benchmarks whose name contains WORD")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    names = discover(args.only)
    if args.list or not names:
        print("\n".join(names) or f"no benchmark matches {args.only!r}")
        return 0 if names else 1
    scale = float(os.environ.get("SCALE", "1"))
    if scale <= 0:
        parser.error("SCALE must be a positive number")

    from bench import lib

    ctx = lib.setup(scale=scale)
    print(f"# bench: scale={scale} database={lib.BENCH_DATABASE} cores={os.cpu_count()}")
    for name in names:
        started = time.monotonic()
        print(f"# {name}", flush=True)
        import_module(f"bench.{name}").run(ctx)
        print(f"# {name} took {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
