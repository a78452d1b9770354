"""The ``formkit`` command line: argument parsing, exit codes, and JSON or human output.

``main`` is the console script; ``python -m formkit`` runs it too.
"""

from formkit.cli.main import main

__all__ = ["main"]
