"""formkit: forms, pre-checks and routing for government service centres, from YAML.

The embedding API::

    import formkit
    catalog = formkit.open_catalog("definitions")
    rules = catalog.rules_of("XX-MS-0001")
    result = formkit.run_precheck(rules, {"fields": {...}, "materials": [...]},
                                  calendar=catalog.work_calendar())
    result.model_dump(mode="json")   # exactly what `formkit precheck --json` prints
"""

from formkit.calendar import WorkCalendar
from formkit.catalog import OpenCatalog, open_catalog
from formkit.definitions.loader import LoadedCatalog, load_catalog
from formkit.definitions.model import Catalog, Matter
from formkit.errors import FormkitError, FormkitErrors, SourceSpan
from formkit.intake.examples import ExamplesReport, run_examples
from formkit.intake.forms import FieldError, FieldState, FormState, form_state
from formkit.intake.notices import NoticeInfo, notice_kind, render_notice
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.intake.schema import matter_schema
from formkit.ruleset import RuleSet

__all__ = [
    "Catalog",
    "ExamplesReport",
    "FieldError",
    "FieldState",
    "FormState",
    "FormkitError",
    "FormkitErrors",
    "LoadedCatalog",
    "Matter",
    "NoticeInfo",
    "OpenCatalog",
    "PrecheckResult",
    "RuleSet",
    "SourceSpan",
    "WorkCalendar",
    "form_state",
    "load_catalog",
    "matter_schema",
    "notice_kind",
    "open_catalog",
    "render_notice",
    "run_examples",
    "run_precheck",
]
