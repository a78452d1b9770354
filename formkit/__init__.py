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
from formkit.errors import FormkitError, FormkitErrors, SourceSpan
from formkit.examples import ExamplesReport, run_examples
from formkit.forms import FieldError, FieldState, FormState, form_state
from formkit.loader import LoadedCatalog, load_catalog
from formkit.model import Catalog, Matter
from formkit.notices import NoticeInfo, notice_kind, render_notice
from formkit.precheck import PrecheckResult, run_precheck
from formkit.ruleset import RuleSet
from formkit.schema import matter_schema

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
