"""formkit: forms, pre-checks and routing for government service centres, from YAML.

The embedding API (``docs/embedding.md``)::

    import formkit
    catalog = formkit.open_catalog("definitions")
    rules = catalog.rules_of("XX-MS-0001")
    result = formkit.run_precheck(rules, {"fields": {...}, "materials": [...]},
                                  calendar=catalog.work_calendar())
    result.model_dump(mode="json")   # exactly what `formkit precheck --json` prints

    store = formkit.TinyCaseStore("var/store")
    snapshot, _ = formkit.publish_version(store, catalog, "XX-MS-0001", actor=..., note=...)
    cases = formkit.CaseService(store, catalog.work_calendar())
    case = cases.receive(rules, snapshot["hash"], fields, materials, actor="clerk01")

The package reads as the pipeline (``docs/architecture.md``): definitions ->
dsl -> ruleset/catalog -> intake -> cases -> authoring, desk -> cli. Names
below are the supported surface; the subpackages hold the rest.
"""

from formkit.calendar import WorkCalendar
from formkit.cases.monitor import Flag, MonitorConfig, MonitorReport, monitor
from formkit.cases.service import Case, CaseService, HandedIn
from formkit.cases.store import CaseStore
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import publish_version
from formkit.catalog import OpenCatalog, open_catalog
from formkit.definitions.loader import LoadedCatalog, load_catalog
from formkit.definitions.model import Catalog, Matter
from formkit.documents import NoticeInfo, notice_kind, render_notice
from formkit.dsl.compiler import EvalContext
from formkit.errors import (
    DefinitionError,
    EditError,
    EvaluationError,
    FormkitError,
    FormkitErrors,
    IllegalTransition,
    InputError,
    LimitError,
    NotFoundError,
    RuleNameError,
    RuleSyntaxError,
    RuleTypeError,
    SourceSpan,
    StoreError,
)
from formkit.intake.examples import ExamplesReport, run_examples
from formkit.intake.forms import FieldError, FieldState, FormState, form_state
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.intake.schema import matter_schema
from formkit.ruleset import RuleSet

__all__ = [
    "Case",
    "CaseService",
    "CaseStore",
    "Catalog",
    "DefinitionError",
    "EditError",
    "EvalContext",
    "EvaluationError",
    "ExamplesReport",
    "FieldError",
    "FieldState",
    "Flag",
    "FormState",
    "FormkitError",
    "FormkitErrors",
    "HandedIn",
    "IllegalTransition",
    "InputError",
    "LimitError",
    "LoadedCatalog",
    "Matter",
    "MonitorConfig",
    "MonitorReport",
    "NotFoundError",
    "NoticeInfo",
    "OpenCatalog",
    "PrecheckResult",
    "RuleNameError",
    "RuleSet",
    "RuleSyntaxError",
    "RuleTypeError",
    "SourceSpan",
    "StoreError",
    "TinyCaseStore",
    "WorkCalendar",
    "form_state",
    "load_catalog",
    "matter_schema",
    "monitor",
    "notice_kind",
    "open_catalog",
    "publish_version",
    "render_notice",
    "run_examples",
    "run_precheck",
]
