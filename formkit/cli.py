"""The ``formkit`` command line: the only place that prints errors or picks exit codes.

Exit status: 0 success, 1 the input was checked and is wrong, 2 the command
line is wrong. With ``--json`` exactly one JSON document goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from formkit.errors import EvaluationError, FormkitError, render_errors

__all__ = ["main"]


class _UsageError(Exception):
    """The command line itself is wrong (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _emit(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    from formkit.values import to_json

    return to_json(value)


def cmd_validate(args: argparse.Namespace) -> int:
    """Load and check a catalog; report every error."""
    from formkit.catalog import open_catalog

    loaded = open_catalog(args.dir)
    errors = loaded.errors
    if args.json:
        _emit({"ok": not errors, "matters": loaded.files,
               "errors": [e.to_json() for e in errors]})
    else:
        if errors:
            print(render_errors(errors))
        else:
            print(f"ok: {loaded.files} matters in {args.dir}, no errors")
    return 1 if errors else 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Check and evaluate one expression."""
    from formkit.evaluate import evaluate_cli

    try:
        value = evaluate_cli(args.expr, data_file=args.data, catalog_dir=args.catalog,
                             matter_code=args.matter, today=args.today)
    except FormkitError as exc:
        if args.json:
            _emit({"error": exc.to_json()})
        else:
            print(exc.render(), file=sys.stderr)
        return 1
    if args.json:
        _emit({"value": value})
    else:
        print(json.dumps(value, ensure_ascii=False, default=_json_default))
    return 0


def cmd_studio(args: argparse.Namespace) -> int:
    """Start the Streamlit studio on a catalog folder."""
    import os
    import subprocess
    from pathlib import Path

    app = Path(__file__).resolve().parent.parent / "studio" / "app.py"
    if not app.is_file():
        raise _UsageError(f"the studio app is not installed next to formkit ({app})")
    env = dict(os.environ, FORMKIT_CATALOG=str(Path(args.dir).resolve()))
    if args.store:
        env["FORMKIT_STORE"] = str(Path(args.store).resolve())
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port",
           str(args.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    return subprocess.call(cmd, env=env)


def _build_parser() -> _Parser:
    parser = _Parser(prog="formkit", description="formkit: forms and rules for "
                     "government service centres")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("validate", help="check a catalog and every expression")
    p.add_argument("dir", nargs="?", default="definitions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("eval", help="check and evaluate one expression")
    p.add_argument("expr")
    p.add_argument("--data")
    p.add_argument("--catalog")
    p.add_argument("--matter")
    p.add_argument("--today")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("studio", help="start the Streamlit studio")
    p.add_argument("dir", nargs="?", default="definitions")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--store", help="TinyDB file for cases and versions")
    p.set_defaults(func=cmd_studio)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _build_parser()
    words = list(argv if argv is not None else sys.argv[1:])
    wants_json = "--json" in words
    command: str | None = None
    try:
        args = parser.parse_args(words)
        command = args.command
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        func: Callable[[argparse.Namespace], int] = args.func
        return func(args)
    except _UsageError as exc:
        print(f"formkit: {exc}", file=sys.stderr)
        print("usage: see 'formkit --help'", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        return 130
    except Exception as exc:  # an unexpected fault is a bug, reported as an error object
        traceback.print_exc(file=sys.stderr) if _debug() else None
        error = EvaluationError(f"internal error: {type(exc).__name__}: {exc}",
                                hint="this is a bug in formkit; please report it",
                                code="internal")
        if wants_json and command == "validate":
            _emit({"ok": False, "matters": 0, "errors": [error.to_json()]})
        elif wants_json:
            _emit({"error": error.to_json(), "ok": False})
        else:
            print(error.render(), file=sys.stderr)
        return 1


def _debug() -> bool:
    import os

    return bool(os.environ.get("FORMKIT_DEBUG"))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
