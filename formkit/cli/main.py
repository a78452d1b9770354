"""The ``formkit`` command line: the only place that prints errors or picks exit codes.

Exit status: 0 success, 1 the input was checked and is wrong, 2 the command
line is wrong. With ``--json`` exactly one JSON document goes to stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from formkit.errors import EvaluationError, FormkitError, LimitError, render_errors

__all__ = ["main"]


class _UsageError(Exception):
    """The command line itself is wrong (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, dash_positionals: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `formkit eval -age`: a word that starts with one '-' and is not an option of
        # this command is its argument (an expression), not an unknown option.
        self.dash_positionals = dash_positionals

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)

    def _parse_optional(self, arg_string: str) -> Any:
        if self.dash_positionals and len(arg_string) > 1 and arg_string[0] == "-" \
                and arg_string[1] != "-" and arg_string not in self._option_string_actions:
            return None  # a positional argument
        return super()._parse_optional(arg_string)


_SURROGATES = re.compile("[\ud800-\udfff]")


def _emit(doc: Any) -> None:
    """Print ``doc`` as one line of JSON, always valid UTF-8.

    A lone surrogate (a byte of an argument that was not UTF-8, which Python keeps as
    U+DC80-U+DCFF) is written as its JSON escape (``\\udcff``): JSON allows it, and
    the output stays UTF-8. On a terminal whose encoding is not UTF-8 the bytes are
    still UTF-8, as JSON requires.
    """
    text = json.dumps(doc, ensure_ascii=False, default=_json_default)
    text = _SURROGATES.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if buffer is None or encoding == "utf8":
        out.write(text)
    else:
        out.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()


def _json_default(value: Any) -> Any:
    from formkit.values import to_json

    return to_json(value)


def cmd_validate(args: argparse.Namespace) -> int:
    """Load and check a catalog; report every error."""
    from formkit.catalog import open_catalog

    loaded = open_catalog(args.dir)
    # File by file, top to bottom: the order an editor fixes them in.
    errors = sorted(loaded.errors, key=_position)
    shown = errors[:MAX_REPORTED]
    more = len(errors) - len(shown)
    if more:
        # The rest are counted, not listed: one more error object, of kind limit, says
        # how many (the contract's shape: "errors" holds error objects only).
        shown.append(LimitError(f"... and {more} more errors ({len(errors)} in all; the "
                                f"first {MAX_REPORTED} are listed)", None,
                                hint="fix the errors listed and run validate again",
                                code="too-many-errors"))
    # ``files`` counts every definition file read, a bundle's too: a bundle is not a
    # matter (the contract's "matters"), so its files are left out of the count
    bundles = _bundle_files(args.dir)
    matters = max(loaded.files - bundles, 0)
    if args.json:
        _emit({"ok": not errors, "matters": matters,
               "errors": [e.to_json() for e in shown]})
    else:
        if errors:
            blocks = [e.render() for e in shown[:MAX_REPORTED]]
            if more:
                blocks.append(f"... and {more} more")
            print("\n\n".join(blocks) + (f"\n\n{len(errors)} errors" if len(errors) > 1
                                          else ""))
        else:
            also = f" and {bundles} bundle{'s' if bundles != 1 else ''}" if bundles else ""
            print(f"ok: {matters} matters{also} in {args.dir}, no errors")
    return 1 if errors else 0


def _bundle_files(catalog_dir: str) -> int:
    """How many bundle files (``bundles/**/*.yaml``) the loader reads in ``catalog_dir``."""
    import os
    from pathlib import Path

    from formkit.definitions.loader import BUNDLES_DIR

    folder = Path(catalog_dir) / BUNDLES_DIR
    if not folder.is_dir():
        return 0
    count = 0
    for _, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        count += sum(1 for name in filenames if name.endswith((".yaml", ".yml"))
                     and not name.startswith("."))
    return count


# validate lists at most this many errors (and says how many more there are).
MAX_REPORTED = 1000


def _position(error: FormkitError) -> tuple[str, int, int]:
    span = error.span
    if span is None:
        return ("", 0, 0)
    return (span.file or "", span.line or 0, span.column or 0)


def cmd_eval(args: argparse.Namespace) -> int:
    """Check and evaluate one expression."""
    from formkit.cli.evaluate import evaluate_cli

    _today(args.today)
    if (args.catalog is None) != (args.matter is None):
        raise _UsageError("--catalog and --matter go together")
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


def _days_option(text: str) -> int:
    """A number of working days given as an option (``--red-after``): 0 to 3650."""
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of days") \
            from None
    if not 0 <= days <= 3650:
        raise argparse.ArgumentTypeError(f"{days} is not a number of days from 0 to 3650")
    return days


def _today(text: str | None, option: str = "--today") -> Any:
    """``--today`` (or another date option): a wrong date is a command-line error (exit 2)."""
    from formkit.cli.evaluate import parse_today

    try:
        return parse_today(text, option)
    except FormkitError as exc:
        raise _UsageError(exc.message) from None


def _fail(args: argparse.Namespace, error: FormkitError) -> int:
    if getattr(args, "json", False):
        _emit({"error": error.to_json()})
    else:
        print(error.render(), file=sys.stderr)
    return 1


def _matter_rules(catalog_dir: str, code: str, command: str = "this command"
                  ) -> tuple[Any, Any]:
    """The opened catalog and the checked rules of ``code``; raises FormkitError (a
    bundle's code: ``is-bundle``)."""
    from formkit.catalog import open_catalog

    opened = open_catalog(catalog_dir)
    return opened, _rules_in(opened, code, command)


def _rules_in(opened: Any, code: str, command: str) -> Any:
    """The checked rules of matter ``code`` in ``opened``; raises FormkitError."""
    from formkit.errors import DefinitionError, FormkitErrors

    rules = opened.rules_of(code)
    if rules is None:
        fatal = [e for e in opened.errors if e.kind == "io"]
        if fatal:
            raise fatal[0]
        if code in opened.bundles:
            raise bundle_not_matter(opened, code, command)
        raise opened.unknown_matter(code)
    if rules.errors or opened.catalog is None:
        errors = rules.errors or [DefinitionError("the catalog file has errors", None)]
        raise errors[0] if len(errors) == 1 else FormkitErrors(errors)
    return rules


def bundle_not_matter(opened: Any, code: str, command: str) -> FormkitError:
    """The error of a command that takes a matter code given a bundle's code."""
    from formkit.errors import RuleNameError

    bundle = opened.bundles[code]
    return RuleNameError(
        f"{code} is a bundle ({bundle.name.text('zh')}), not a matter: {command} takes "
        f"one matter's code", None, code="is-bundle",
        hint=f"its matters: {', '.join(bundle.codes)}; give one of them (precheck and "
             "cases receive take the bundle's code)")


def _bundle_rules(opened: Any, code: str) -> Any:
    """The checked rules of bundle ``code``; raises FormkitError when the bundle or one
    of its matters does not load."""
    from formkit.errors import DefinitionError, FormkitErrors

    rules = opened.bundle_rules_of(code)
    broken = rules.problems
    if opened.catalog is None and not broken:
        broken = [DefinitionError("the catalog file has errors", None)]
    if broken:
        raise broken[0] if len(broken) == 1 else FormkitErrors(broken)
    return rules


def cmd_precheck(args: argparse.Namespace) -> int:
    """Pre-check one submission of a matter (or of a bundle: several matters at once)."""
    from formkit.catalog import open_catalog
    from formkit.cli.evaluate import read_json_object
    from formkit.intake.precheck import run_precheck

    today = _today(args.today)
    try:
        opened = open_catalog(args.catalog)
        if args.code in opened.bundles:
            return _precheck_bundle(args, opened, today)
        rules = _rules_in(opened, args.code, "precheck")
        data = read_json_object(args.data)
        # A day of receipt whose deadlines fall past 9999-12-31 is a limit error.
        result = run_precheck(rules, data, today=today, calendar=opened.work_calendar(),
                              lang=args.lang, explain=args.explain)
    except FormkitError as exc:
        return _fail(args, exc)
    doc = result.model_dump(mode="json")
    if args.json:
        _emit(doc)
        return 0
    print(f"{result.matter}: {result.outcome}")
    for e in result.field_errors:
        print(f"  字段 {e.field}: {e.message}")
    for m in result.missing_materials:
        print(f"  缺少材料 {m.id}: {m.reason}")
    for m in result.tolerated_materials:
        print(f"  容缺材料 {m.id}")
    for m in result.fetched_materials:
        print(f"  部门调取 {m.id}")
    for r in result.refusals:
        print(f"  不予受理: {r.message}")
    for w in result.warnings:
        print(f"  提示: {w.message}")
    print(f"  route: {result.route}")
    if result.accepted:
        print(f"  承诺办结: {result.committed_deadline}  法定办结: {result.statutory_deadline}")
    return 0


def _precheck_bundle(args: argparse.Namespace, opened: Any, today: Any) -> int:
    """``formkit precheck BUNDLE``: the bundle's pre-check (docs/cli.md, bundles): each
    item once, naming the matters it concerns."""
    from formkit.cli.evaluate import read_json_object
    from formkit.intake.bundles import run_bundle_precheck

    if args.explain:
        raise _UsageError("--explain is for one matter's pre-check, not a bundle's")
    try:
        rules = _bundle_rules(opened, args.code)
        data = read_json_object(args.data)
        result = run_bundle_precheck(rules, data, today=today,
                                     calendar=opened.work_calendar(), lang=args.lang)
    except FormkitError as exc:
        return _fail(args, exc)
    if args.json:
        _emit(result.model_dump(mode="json"))
        return 0
    names = {code: r.matter.name.text(args.lang) for code, r in rules.members.items()}

    def which(codes: list[str]) -> str:
        return f"（{'、'.join(names.get(c, c) for c in codes)}）" if codes else ""

    print(f"{result.bundle} {rules.bundle.name.text(args.lang)}: {result.outcome}")
    for m in result.matters:
        due = f"  承诺办结: {m.committed_deadline}  法定办结: {m.statutory_deadline}" \
            if m.committed_deadline or m.statutory_deadline else ""
        print(f"  事项 {m.matter} {m.name}: {m.outcome}{due}")
    for code in result.not_applying:
        print(f"  不适用 {code} {names.get(code, code)}")
    for e in result.field_errors:
        print(f"  字段 {e.field}: {e.message}{which(e.matters)}")
    for item in result.missing_materials:
        reason = f": {item.reason}" if item.reason else ""
        print(f"  缺少材料 {item.key} {item.name}{reason}{which(item.matters)}")
    for item in result.tolerated_materials:
        print(f"  容缺材料 {item.key} {item.name}{which(item.matters)}")
    for item in result.fetched_materials:
        print(f"  部门调取 {item.key} {item.name}{which(item.matters)}")
    for f in result.refusals:
        print(f"  不予受理: {f.message}{which([f.matter])}")
    for f in result.denials:
        print(f"  不予许可情形: {f.message}{which([f.matter])}")
    for f in result.warnings:
        print(f"  提示: {f.message}{which([f.matter] if f.matter else [])}")
    if result.accepted:
        print(f"  承诺办结: {result.committed_deadline}  法定办结: {result.statutory_deadline}")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    """Run every matter's examples; a failing example exits 1."""
    from formkit.catalog import open_catalog
    from formkit.intake.examples import run_examples

    opened = open_catalog(args.dir)
    if opened.catalog is None:
        return _fail(args, opened.errors[0] if opened.errors else FormkitError(
            "the catalog could not be read"))
    codes: list[str] | None = None
    if args.matter:
        codes = list(dict.fromkeys(args.matter))
        unknown = [c for c in codes if c not in opened.matters and c not in opened.bundles]
        if unknown:
            return _fail(args, opened.unknown_matter(unknown[0]))
    report = run_examples(opened, coverage=args.coverage, codes=codes)
    broken = opened.errors
    if args.json:
        doc = report.model_dump(mode="json", exclude_none=True)
        doc["failures"] = [{"matter": f.matter, "test": f.test, "message": f.message,
                            **({"file": f.file, "line": f.line} if f.file else {})}
                           for f in report.failures]
        if broken:
            doc["errors"] = [e.to_json() for e in broken]
        _emit(doc)
    else:
        for f in report.failures:
            where = f"{f.file}:{f.line}: " if f.file else ""
            bundle = opened.bundles.get(f.matter)
            what = f"{f.matter} (bundle {bundle.name.text('zh')})" if bundle else f.matter
            print(f"{where}FAIL {what} · {f.test}\n    {f.message}")
        for u in report.uncovered or []:
            never = " and ".join("true" if v else "false" for v in u.never)
            print(f"{u.file}:{u.line}: uncovered {u.matter} {u.place}: never {never}: "
                  f"{u.condition}")
        if broken:
            print(render_errors(broken))
        ran = [c for c in opened.bundles if codes is None or c in codes]
        also = f" (bundles: {', '.join(ran)})" if ran else ""
        print(f"{report.passed} passed, {report.failed} failed{also}")
    return 1 if report.failed or broken else 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of a matter's intake form."""
    from formkit.intake.schema import matter_schema

    try:
        _, rules = _matter_rules(args.catalog, args.code, "schema")
    except FormkitError as exc:
        return _fail(args, exc)
    _emit(matter_schema(rules.matter))
    return 0


def _store(args: argparse.Namespace, *, create: bool = True) -> Any:
    """The store of ``--store`` (default ``$FORMKIT_STORE``, then ``var/store``): a
    folder or a ``postgresql://`` URL; ``create=False`` for reads and repairs, which
    never create a folder store."""
    import os

    from formkit.cases.stores import open_store

    where = args.store or os.environ.get("FORMKIT_STORE") or "var/store"
    catalog = getattr(args, "catalog", None) or getattr(args, "dir", None)
    return open_store(where, create=create, prefix=catalog_prefix(catalog))


def catalog_prefix(catalog_dir: str | None) -> str:
    """The ``code_prefix`` of the catalog in ``catalog_dir`` (the centre column of the
    store, docs/store.md), read from its ``catalog.yaml`` alone; ``FK`` (the model's
    default) when there is none or it is not a valid prefix (validate reports that)."""
    import re
    from pathlib import Path

    import yaml

    if not catalog_dir:
        return "FK"
    try:
        doc = yaml.safe_load((Path(catalog_dir) / "catalog.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return "FK"
    prefix = doc.get("code_prefix") if isinstance(doc, dict) else None
    return prefix if isinstance(prefix, str) and re.fullmatch(r"[A-Z0-9]{1,8}", prefix) \
        else "FK"


def cmd_db(args: argparse.Namespace) -> int:
    """``formkit db upgrade --store URL``: apply the PostgreSQL store's schema migrations."""
    import os

    from formkit.cases.stores import upgrade

    where = args.store or os.environ.get("FORMKIT_STORE") or ""
    try:
        if not where:
            raise _UsageError("db upgrade needs --store postgresql://... (or FORMKIT_STORE)")
        applied = upgrade(where)
    except FormkitError as exc:
        return _fail(args, exc)
    if args.json:
        _emit({"applied": applied})
    else:
        for name in applied:
            print(f"applied {name}")
        print(f"{len(applied)} migration(s) applied" if applied else
              "the schema is up to date: nothing to apply")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    """``formkit cases migrate --from FOLDER --to URL``: copy and verify."""
    from formkit.cases.stores import migrate

    if not args.source or not args.target:
        raise _UsageError("cases migrate needs --from FOLDER and --to postgresql://...")
    report = migrate(args.source, args.target)
    if args.json:
        _emit(report)
    elif report["copied"]:
        print(f"copied {report['cases']} cases ({report['open_cases']} open), "
              f"{report['audit']} audit entries and {report['versions']} matter versions "
              f"of {report['centre']}; counts and the audit chain verified")
        print(f"head: {report['head']}" if report["head"] else "head: (no entry)")
    else:
        print(f"the database already holds this store ({report['cases']} cases, "
              f"{report['audit']} audit entries of {report['centre']}, the same audit "
              "head): nothing copied")
    return 0


def _calendar(catalog_dir: str) -> Any:
    from formkit.calendar import WorkCalendar
    from formkit.catalog import open_catalog

    try:
        return open_catalog(catalog_dir).work_calendar()
    except FormkitError:  # pragma: no cover - open_catalog collects its errors
        return WorkCalendar()


def cmd_cases(args: argparse.Namespace) -> int:
    """Operators' view of the case store: overdue, show, export, import, reindex, verify."""
    import datetime as dt

    from formkit.cases.monitor import MonitorConfig, monitor

    if args.verb is not None and args.action != "act":
        raise _UsageError(f"cases {args.action} takes no '{args.verb}'")

    def existing() -> Any:
        # reads and repairs never create a store (a mistyped --store is an error) and
        # write nothing: they work on a read-only file system or a full disk
        return _store(args, create=False)

    try:
        if args.action == "overdue":
            today = _today(args.today) or dt.date.today()
            store = existing()
            report = monitor(store.open_summaries(), today, _calendar(args.catalog),
                             MonitorConfig(red_after_days=args.red_after))
            flags = report.flags()
            if args.json:  # the contract's shape (spec/cli.md, formkit cases overdue)
                _emit({"today": today.isoformat(), "open_cases": report.open_cases,
                       "flags": [{"number": f.number, "matter": f.matter, "flag": f.kind,
                                  "due": f.due.isoformat() if f.due else None,
                                  "days": f.days} for f in flags]})
            else:
                for f in flags:
                    print(f"{f.kind:18} {f.number} {f.matter:12} due {f.due} "
                          f"({f.days}) {f.detail}")
                print(f"{len(flags)} flagged of {report.open_cases} open cases")
            return 0
        if args.action in ("receive", "act", "recompute", "rate"):
            return _case_operation(args)
        if args.action == "migrate":
            return _migrate(args)
        if args.action == "show":
            if not args.number:
                raise _UsageError("cases show needs a case number")
            from formkit.cases.service import Case, CaseService

            store = existing()
            doc = store.get(args.number)
            if doc is None:
                from formkit.cases.store import unknown_case

                raise unknown_case(args.number)
            # the case object of cli.md: the stored case with its effective deadlines
            view = CaseService(store, _calendar(args.catalog)).view(
                Case.model_validate(doc), _today(args.today) or dt.date.today())
            _emit(view) if args.json else print(json.dumps(view, ensure_ascii=False, indent=2))
            return 0
        if args.action == "export":
            since = _today(args.since, "--since") or dt.date(1900, 1, 1)
            out = sys.stdout
            for doc in existing().cases_since(since):
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
            return 0
        if args.action == "verify":
            result = existing().verify_audit()
            if args.json:
                _emit(result)
            elif result["ok"]:
                notes = [f"{result['unchained']} older entries before the chain carry no "
                         "hash"] if result["unchained"] else []
                if result["torn"]:
                    notes.append(f"{result['torn']} line(s) at the end cut short by a crash")
                print(f"ok: {result['entries']} audit entries in {result['files']} files, "
                      "chained: none edited, missing or garbled"
                      + "".join(f"; {n}" for n in notes))
                print(f"head: {result['head']}" if result["head"] else "head: (no entry)")
            else:
                broken = result["break"]
                print(f"{broken['file']}:{broken['line']}: {broken['what']}: "
                      f"{broken['message']}")
                print(f"{result['entries']} chained entries were in order before it")
            return 0 if result["ok"] else 1
        from formkit.cases.service import summary

        if args.action == "reindex":
            counts = existing().rebuild_index(summary)
            print(json.dumps(counts) if args.json else
                  f"rebuilt the open-case index: {counts['open_cases']} open of "
                  f"{counts['cases']} cases in {counts['index_files']} files "
                  f"({counts['removed_files']} stale files removed)")
            return 0
        name = args.number
        try:
            source = getattr(sys.stdin, "buffer", sys.stdin) if name in (None, "-") else \
                open(name, "rb")  # noqa: SIM115
        except OSError as exc:
            from formkit.errors import InputError

            raise InputError(f"cannot read {name}: {exc.strerror}", None) from None
        with source:
            # every line is read and checked before the store is opened: a bad line
            # stores nothing, and creates no store
            cases = _json_lines(source, "<stdin>" if name in (None, "-") else name)
        count = _store(args).import_cases(cases, summary)
        print(json.dumps({"imported": count}) if args.json else f"imported {count} cases")
        return 0
    except FormkitError as exc:
        return _fail(args, exc)


def _case_operation(args: argparse.Namespace) -> int:
    """``cases receive CODE``, ``cases act NUMBER ACTION``, ``cases recompute``
    (cli.md, "Case operations, v2"): one case object printed, or an error (exit 1)."""
    import datetime as dt

    from formkit.catalog import open_catalog
    from formkit.cli import cases
    from formkit.cli.evaluate import read_json_object

    if args.action != "recompute" and not args.number:
        raise _UsageError(f"cases {args.action} needs "
                          + ("a matter code" if args.action == "receive" else
                             "a case number and an action"))
    if args.action == "act":
        if args.verb not in cases.ACTIONS:
            raise _UsageError(f"cases act needs an action: one of {', '.join(cases.ACTIONS)}")
        unused = [o for o in ("data", "procedure", "days", "material", "approver")
                  if getattr(args, o) is not None and o not in cases.ACTIONS[args.verb]]
        needed = [o for o in cases.ACTIONS[args.verb] if o not in ("comment", "approver")
                  and getattr(args, o) is None]
        if unused or needed:
            raise _UsageError(f"'{args.verb}' " + (
                f"needs --{needed[0]}" if needed else f"takes no --{unused[0]}"))
    if args.action == "receive" and args.data is None:
        raise _UsageError("cases receive needs --data FILE (the submission)")
    if (args.action == "rate") != (args.score is not None):
        raise _UsageError("cases rate needs --score N (1 to 5)" if args.action == "rate"
                          else f"cases {args.action} takes no --score")
    today = _today(args.today) or dt.date.today()
    opened = open_catalog(args.catalog)
    op = cases.Operation(store=_store(args, create=args.action == "receive"), opened=opened,
                         today=today, actor=args.actor or cases.default_actor())
    if args.action == "recompute":
        svc = op.service()
        from formkit.cases.service import TRANSITIONS

        # decided cases keep the deadlines they were decided under
        changed = [c.number for s in list(op.store.open_summaries())
                   if s.get("calendar_provisional")
                   and s.get("state") in TRANSITIONS["recompute_deadlines"]
                   and (c := svc.recompute_deadlines(s["number"], actor=op.actor))]
        print(json.dumps({"recomputed": changed}) if args.json else
              f"recomputed the deadlines of {len(changed)} case(s): {' '.join(changed)}")
        return 0
    data = read_json_object(args.data) if args.data is not None else None
    if args.action == "receive" and args.number in opened.bundles:
        made = cases.receive_bundle(op, args.number, data or {},
                                    online=args.channel == "online",
                                    place=args.data or "--data")
        if args.json:
            _emit(made)
        else:
            print(f"{made['bundle']} {made['number']}: {made['precheck']['outcome']}")
            for case in made["cases"]:
                print(f"  {case['number']} {case['matter']}: {case['state']}"
                      f" (承诺 {case['effective_committed_deadline'] or '—'},"
                      f" 法定 {case['effective_statutory_deadline'] or '—'})")
        return 0
    if args.action == "receive":
        view = cases.receive(op, args.number, data or {}, online=args.channel == "online",
                             place=args.data or "--data")
    elif args.action == "rate":
        view = cases.rate(op, args.number, score=args.score, comment=args.comment or "",
                          via=args.via)
    else:
        view = cases.act(op, args.number, args.verb, comment=args.comment or "", data=data,
                         place=args.data or "--data", procedure=args.procedure,
                         days=args.days, material=args.material, unit=args.unit,
                         approver=args.approver)
    if args.json:
        _emit(view)
    else:
        print(f"{view['number']} {view['matter']}: {view['state']}"
              f" (承诺 {view['effective_committed_deadline'] or '—'},"
              f" 法定 {view['effective_statutory_deadline'] or '—'})")
    return 0


def _json_lines(lines: Any, name: str) -> list[dict[str, Any]]:
    """The cases of a JSON-lines file (``cases import``), each checked against the case
    model; UTF-8, a byte order mark allowed. Every bad line is an error at its line
    (up to 20 of them), raised once the file is read.

    Raises:
        FormkitError: the file is not UTF-8 (``encoding``, at the first line that is
            not), a line is not JSON or not a case (``io``, ``bad-case``,
            ``bad-case-field``).
    """
    from formkit.cases.service import import_form
    from formkit.cases.store import imported_number
    from formkit.errors import FormkitErrors, InputError, SourceSpan

    docs: list[dict[str, Any]] = []
    errors: list[FormkitError] = []
    for i, raw in enumerate(lines, 1):
        span = SourceSpan(name, i)
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as exc:
            errors.append(InputError(
                f"{name} is not UTF-8 text (line {i}, byte {exc.start + 1} of the line)",
                span, code="encoding", hint="save the file as UTF-8 (a file saved as "
                "GBK/GB18030: iconv -f GB18030 -t UTF-8); nothing was imported"))
            break  # the rest of the file is in the same encoding
        if i == 1:
            line = line.removeprefix("\ufeff")  # the byte order mark some editors write
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(InputError(f"line {i} is not JSON: {exc.msg}", span,
                                     hint="one case object a line, as cases export "
                                          "writes them; nothing was imported"))
            continue
        if not isinstance(doc, dict) or "number" not in doc:
            errors.append(InputError(f"line {i} is not a case (no 'number')", span,
                                     hint="one case object a line, as cases export "
                                          "writes them; nothing was imported"))
            continue
        try:
            imported_number(str(doc["number"]), span)
            docs.append(import_form(doc, span))
        except FormkitError as exc:
            errors.append(exc)
        if len(errors) >= 20:
            break
    if errors:
        raise errors[0] if len(errors) == 1 else FormkitErrors(errors)
    return docs


def cmd_notice(args: argparse.Namespace) -> int:
    """Print a case's document (HTML, ``--text``) or write its PDF (``--pdf FILE``); with
    ``--data``, a bundle's combined document for that submission (高效办成一件事)."""
    from formkit.documents import DOCUMENT_KINDS
    from formkit.documents.bundle_notices import BUNDLE_KINDS

    kinds = BUNDLE_KINDS if args.data is not None else DOCUMENT_KINDS
    if args.kind is None and args.data is None:
        raise _UsageError("notice needs KIND for a case (or --data FILE for a bundle)")
    if args.kind is not None and args.kind not in kinds:
        raise _UsageError(f"notice KIND must be one of: {', '.join(kinds)} "
                          f"(not '{args.kind}')")
    today = _today(args.today)
    from formkit.catalog import open_catalog
    from formkit.cli import documents
    from formkit.cli.evaluate import read_json_object

    try:
        if args.data is not None:  # a bundle code: pre-checked now, nothing stored
            doc = documents.bundle_notice(open_catalog(args.catalog), args.number,
                                          read_json_object(args.data), args.kind,
                                          today=today)
        else:  # a read: never creates a store (a mistyped --store is an error)
            doc = documents.case_notice(_store(args, create=False),
                                        open_catalog(args.catalog), args.number, args.kind)
        documents.emit(doc, pdf=args.pdf, text=args.text)
    except FormkitError as exc:
        return _fail(args, exc)
    return 0


def cmd_guide(args: argparse.Namespace) -> int:
    """Print a matter's 办事指南 (HTML, ``--text``) or write its PDF (``--pdf FILE``)."""
    from formkit.cli import documents
    from formkit.documents import guide_document

    try:
        opened, rules = _matter_rules(args.catalog, args.code, "guide")
        doc = guide_document(documents.catalog_of(opened), rules.matter)
        documents.emit(doc, pdf=args.pdf, text=args.text)
    except FormkitError as exc:
        return _fail(args, exc)
    return 0


def cmd_studio(args: argparse.Namespace) -> int:
    """Start the Streamlit studio on a catalog folder."""
    import importlib.util
    import os
    from pathlib import Path

    def absent(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is None
        except ModuleNotFoundError:  # ruamel.yaml when ruamel itself is missing
            return True

    spec = None if absent("formkit_studio") else importlib.util.find_spec("formkit_studio")
    missing = [m for m in ("streamlit", "ruamel.yaml", "pypinyin") if absent(m)]
    if spec is None or spec.origin is None or missing:
        raise _UsageError("the studio is not installed; install it with "
                          "pip install 'formkit[studio]'")
    app = Path(spec.origin).parent / "app.py"
    env = dict(os.environ, FORMKIT_CATALOG=str(Path(args.dir).resolve()))
    if args.store:
        from formkit.cases.stores import is_url

        env["FORMKIT_STORE"] = args.store if is_url(args.store) else \
            str(Path(args.store).resolve())
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port",
           str(args.port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--client.toolbarMode", "viewer"]
    sys.stdout.flush()
    # Become the server (no wrapper process left behind when it is stopped).
    os.execve(sys.executable, cmd, env)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the HTTP API (http-api.md) with uvicorn; needs the ``[api]`` extra."""
    import importlib.util
    import os

    if any(importlib.util.find_spec(m) is None for m in ("fastapi", "uvicorn")):
        raise _UsageError("the HTTP API is not installed; install it with "
                          "pip install 'formkit[api]'")
    if not 1 <= args.workers <= 64:
        raise _UsageError("--workers must be from 1 to 64")
    if not 0 <= args.port <= 65535:
        raise _UsageError("--port must be from 0 to 65535")
    from pathlib import Path

    import uvicorn

    from formkit.api.app import create_app
    from formkit.api.auth import API_KEYS_FILE, load_api_keys
    from formkit.api.errors import safe_url
    from formkit.cases.stores import open_store
    from formkit.catalog import open_catalog
    from formkit.cli.documents import catalog_of
    from formkit.definitions.loader import USERS_FILE
    from formkit.definitions.users import load_users

    store = args.store or os.environ.get("FORMKIT_STORE") or "var/store"
    root = Path(args.dir)
    try:
        # checked here once, before any worker starts: a catalog.yaml that does not
        # load, a wrong store, no API secret or a users.yaml/api_keys.yaml that does
        # not load stops the command with its error (workers would respawn forever)
        prefix = catalog_of(open_catalog(args.dir)).code_prefix
        the_store = open_store(store, prefix=prefix)
        for name, load in ((USERS_FILE, load_users), (API_KEYS_FILE, load_api_keys)):
            if (root / name).is_file():
                load(root / name)
        create_app(args.dir, the_store)  # reads the API secret as a worker will
        close = getattr(the_store, "close", None)
        if callable(close):
            close()
    except FormkitError as exc:
        return _fail(args, exc)
    os.environ["FORMKIT_CATALOG"] = args.dir
    os.environ["FORMKIT_STORE"] = store
    trusted = args.forwarded_allow_ips
    # The app was built once above to check the catalog, the store and the secret; the
    # server is named, not passed: each uvicorn worker builds its own app.
    print(f"formkit: serving {args.dir} (store {safe_url(store)}) on "
          f"http://{args.host}:{args.port}/api/v1/docs"
          + (f"; trusting X-Forwarded-For from {trusted}" if trusted else ""),
          file=sys.stderr)
    uvicorn.run("formkit.api.app:app_from_env", factory=True, host=args.host,
                port=args.port, workers=args.workers, log_level="info",
                proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)
    return 0


def _build_parser() -> _Parser:
    parser = _Parser(prog="formkit", description="formkit: forms and rules for "
                     "government service centres")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("validate", help="check a catalog and every expression")
    p.add_argument("dir", nargs="?", default="definitions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("eval", help="check and evaluate one expression",
                       dash_positionals=True)
    p.add_argument("expr", help="the expression; one that starts with '-' may be "
                   "written as is, or after '--'")
    p.add_argument("--data")
    p.add_argument("--catalog")
    p.add_argument("--matter")
    p.add_argument("--today")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("precheck", help="pre-check a submission of a matter or bundle")
    p.add_argument("code")
    p.add_argument("--data", required=True)
    p.add_argument("--catalog", default="definitions")
    p.add_argument("--today")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--explain", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_precheck)

    p = sub.add_parser("test", help="run every matter's tests: examples")
    p.add_argument("dir", nargs="?", default="definitions")
    p.add_argument("--matter", action="append", metavar="CODE", help="run only this "
                   "matter's (or bundle's) examples; may be given again")
    p.add_argument("--coverage", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("schema", help="print a matter's JSON Schema")
    p.add_argument("code")
    p.add_argument("--catalog", default="definitions")
    p.add_argument("--json", action="store_true", help="accepted; the schema is JSON")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("cases", help="the case store: receive, act, show, overdue, export, "
                       "import, reindex, verify, recompute, migrate, rate")
    p.add_argument("action", choices=["receive", "act", "show", "overdue", "export",
                                      "import", "reindex", "verify", "recompute", "migrate",
                                      "rate"])
    p.add_argument("number", nargs="?", help="matter or bundle code (receive), case "
                   "number (act, "
                   "show) or file (import)")
    p.add_argument("verb", nargs="?", metavar="ACTION", help="the action of 'act'")
    p.add_argument("--data", help="submission JSON (receive, act resubmit)")
    p.add_argument("--actor", help="who acts (default: the OS user)")
    p.add_argument("--channel", choices=["window", "online"], default="window")
    p.add_argument("--comment")
    p.add_argument("--procedure", help="special procedure id (suspend)")
    p.add_argument("--days", type=_days_option, help="working days (extend)")
    p.add_argument("--material", help="tolerated material id (supply)")
    p.add_argument("--unit", help="the unit that signs (sign_off; default: the next)")
    p.add_argument("--approver", help="who approved an extension (extend; default: --actor)")
    p.add_argument("--score", type=int, help="rate: 1 非常不满意 to 5 非常满意 (好差评)")
    p.add_argument("--via", choices=["notice", "window", "online", "api"], default="notice",
                   help="rate: where the rating was given (default: the notice's link)")
    p.add_argument("--store", help="store folder or postgresql:// URL (default "
                   "$FORMKIT_STORE or var/store)")
    p.add_argument("--from", dest="source", help="migrate: the store folder to copy")
    p.add_argument("--to", dest="target", help="migrate: the postgresql:// URL to copy to")
    p.add_argument("--catalog", default="definitions")
    p.add_argument("--today")
    p.add_argument("--since")
    p.add_argument("--red-after", type=_days_option, default=3, dest="red_after")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases, file=None)

    p = sub.add_parser("notice", help="a case's printed document (受理通知书 ...): HTML, "
                       "text or PDF")
    p.add_argument("number", help="the case number (with --data: a bundle code)")
    p.add_argument("kind", metavar="KIND", nargs="?", help="acceptance, supplement, "
                   "refusal, tolerance, commitment, decision, extension or "
                   "special_procedure (a bundle's: acceptance, supplement or refusal; "
                   "default the one its outcome calls for)")
    p.add_argument("--data", metavar="FILE", help="a bundle submission (JSON) to pre-check "
                   "and print the bundle's combined document for")
    p.add_argument("--today", help="with --data: the day of receipt (YYYY-MM-DD)")
    p.add_argument("--catalog", default="definitions")
    p.add_argument("--store", help="store folder or postgresql:// URL (default "
                   "$FORMKIT_STORE or var/store)")
    _output_options(p)
    p.set_defaults(func=cmd_notice)

    p = sub.add_parser("db", help="the PostgreSQL store's schema: upgrade")
    p.add_argument("action", choices=["upgrade"])
    p.add_argument("--store", help="postgresql:// URL (default $FORMKIT_STORE)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("guide", help="a matter's 办事指南 (service guide): HTML, text or PDF")
    p.add_argument("code", help="the matter code")
    p.add_argument("--catalog", default="definitions")
    _output_options(p)
    p.set_defaults(func=cmd_guide)

    p = sub.add_parser("serve", help="serve the HTTP API (needs the [api] extra)")
    p.add_argument("dir", nargs="?", default="definitions")
    p.add_argument("--store", help="store folder or postgresql:// URL (default "
                   "$FORMKIT_STORE or var/store)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--forwarded-allow-ips", metavar="IPS", default=None,
                   help="the reverse proxy's addresses (comma-separated, or '*'): their "
                   "X-Forwarded-For gives the client address (default: trust none)")
    p.add_argument("--json", action="store_true", help="errors as a JSON error object")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("studio", help="start the Streamlit studio")
    p.add_argument("dir", nargs="?", default="definitions")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--store", help="case store folder or postgresql:// URL (cases and "
                   "matter versions)")
    p.set_defaults(func=cmd_studio)
    return parser


def _output_options(p: argparse.ArgumentParser) -> None:
    """``--pdf FILE`` or ``--text`` (default: the HTML on stdout)."""
    out = p.add_mutually_exclusive_group()
    out.add_argument("--pdf", metavar="FILE", help="write the PDF (printed by chromium) to "
                     "FILE instead of printing the HTML")
    out.add_argument("--text", action="store_true", help="print the plain text, not HTML")


# The status of a process ended by SIGPIPE, as a shell reports it (128 + 13).
PIPE_CLOSED = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _build_parser()
    words = list(argv if argv is not None else sys.argv[1:])
    wants_json = "--json" in words
    command: str | None = None
    if sys.stdout is sys.__stdout__ and isinstance(sys.stdout, io.TextIOWrapper):
        # Human output too is always printable: a byte of an argument that was not
        # UTF-8 is shown as \udcff, never a UnicodeEncodeError.
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        args = parser.parse_args(words)
        command = args.command
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        func: Callable[[argparse.Namespace], int] = args.func
        status = func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at the interpreter's exit
        return status
    except BrokenPipeError:
        return _pipe_closed()
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
            _emit({"error": error.to_json()})
        else:
            print(error.render(), file=sys.stderr)
        return 1


def _pipe_closed() -> int:
    """Whoever read standard output has gone (``formkit cases show N | head -2``): stop
    quietly, as a Unix tool killed by SIGPIPE does, with its status.

    What is still buffered cannot be written: standard output is pointed at /dev/null
    so that the interpreter's last flush does not fail again (Python's documentation,
    "Note on SIGPIPE").
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):  # not a real file (a test's)
        pass
    return PIPE_CLOSED


def _debug() -> bool:
    import os

    return bool(os.environ.get("FORMKIT_DEBUG"))
