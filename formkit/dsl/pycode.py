"""Python source fragments as the code generator builds them: a text and its precedence.

Shared by ``codegen`` and the ``emit`` hooks of ``builtins``, so that a built-in
can write its own code with only the brackets Python needs.
"""

from __future__ import annotations

__all__ = ["ADD", "AND", "ATOM", "CMP", "COND", "MUL", "NOT", "OR", "UNARY", "Code", "at"]

# Python's precedence levels, lowest first (``x if c else y`` ... atoms and calls).
COND, OR, AND, NOT, CMP, ADD, MUL, UNARY, ATOM = range(9)

Code = tuple[str, int]  # Python source and its precedence level


def at(code: Code, level: int) -> str:
    """``code`` as an operand where ``level`` is needed: bracketed only if lower."""
    return code[0] if code[1] >= level else f"({code[0]})"
