"""The rule language: text -> tree -> checked tree -> Python function.

source (places) -> parser with grammar.lark and tree_builder -> ast
-> scope and types -> checker (names and types) -> codegen with pycode, and
compiler (programs) -> builtins (every built-in function, one entry each) ->
library (``rules/*.rules``). pipeline strings the steps together for every
caller: parse, check, compile, and evaluate one text.
"""
