"""`python -m service COMMAND ...`.

Each command lives in its own module of this package, exposing ``add_parser(subparsers)``
(which sets ``func``) so that commands stay small and owned separately.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ["parse", "extract", "compare", "serve", "bulk"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service", description="plangap: gap analysis of Vietnamese plan documents")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"service.cli.{name}")
        except ModuleNotFoundError as exc:  # a command whose module is not there yet
            if exc.name != f"service.cli.{name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
