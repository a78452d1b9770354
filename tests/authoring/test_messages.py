"""Every error code formkit can raise has a Chinese sentence (formkit.authoring.messages).

The codes come from docs/errors.md, which ``tests/test_error_codes.py`` keeps equal to
the codes the source raises: a new code without a sentence fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formkit.authoring.messages import KINDS, MESSAGES, chinese
from formkit.authoring.problems import explain
from formkit.errors import DefinitionError, RuleNameError, SourceSpan

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
CODES = sorted(set(re.findall(r"^\| `([a-z0-9-]+)` \| ([a-z, ]+) \|", DOC.read_text("utf-8"),
                              re.MULTILINE)))
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_codes_are_read_from_the_docs() -> None:
    assert len(CODES) > 150
    assert ("unknown-name", "name") in CODES


@pytest.mark.parametrize(("code", "kind"), CODES, ids=[c for c, _ in CODES])
def test_every_code_has_a_chinese_sentence(code: str, kind: str) -> None:
    assert code in MESSAGES
    sentence = MESSAGES[code]
    assert CJK.search(sentence), sentence  # Chinese, not an English sentence
    assert sentence.count("{0}") <= 1 and "{1}" not in sentence


@pytest.mark.parametrize("kind", ["definition", "syntax", "name", "type", "evaluation",
                                  "limit", "io"])
def test_every_kind_has_a_chinese_sentence(kind: str) -> None:
    assert CJK.search(KINDS[kind])


@pytest.mark.parametrize(("code", "kind", "name", "said"), [
    # a name goes where {0} is
    ("unknown-name", "name", "“flor_area”", "没有名为 “flor_area” 的字段或计算值"),
    # a sentence without a name takes none
    ("unclosed", "syntax", "“x”", "括号没有闭合"),
    # a code this formkit does not know: its kind's sentence
    ("from-a-newer-store", "io", "", "文件无法读取"),
    # not even the kind
    ("nope", "nope", "", "有错误"),
])
def test_chinese_fills_in_the_name(code: str, kind: str, name: str, said: str) -> None:
    assert chinese(code, kind, name) == said


def test_the_error_object_keeps_its_english() -> None:
    # The table is for people: the JSON of the contracts is unchanged.
    error = RuleNameError("unknown name 'flor_area'", SourceSpan("a.yaml", 3, 9),
                          code="unknown-name", hint="did you mean 'floor_area'?")
    assert error.to_json() == {"kind": "name", "message": "unknown name 'flor_area'",
                               "code": "unknown-name", "file": "a.yaml", "line": 3,
                               "column": 9, "hint": "did you mean 'floor_area'?"}
    problem = explain(error)
    assert (problem.zh, problem.en) == ("没有名为 “flor_area” 的字段或计算值",
                                        "unknown name 'flor_area'")


def test_the_editor_words_a_new_code_from_the_table() -> None:
    error = DefinitionError("materials[0].template: no file 'forms/x.docx' in the catalog",
                            SourceSpan("a.yaml", 3, 9), code="missing-file")
    assert explain(error).zh == "事项目录文件夹中没有文件 “forms/x.docx”"
