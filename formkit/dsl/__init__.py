"""The rule language: text -> tree -> checked tree -> Python function.

source (places) -> parser with grammar.lark and nodes (tree building) -> ast
-> scope and types -> checker (names and types) -> codegen and compiler
(programs) -> builtins (every built-in function) -> library (``rules/*.rules``).
"""
