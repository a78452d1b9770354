"""formkit: forms, pre-checks and routing for government service centres, from YAML."""

from formkit.catalog import open_catalog
from formkit.errors import FormkitError, FormkitErrors, SourceSpan
from formkit.loader import LoadedCatalog, load_catalog
from formkit.model import Catalog, Matter

__all__ = [
    "Catalog",
    "FormkitError",
    "FormkitErrors",
    "LoadedCatalog",
    "Matter",
    "SourceSpan",
    "load_catalog",
    "open_catalog",
]
