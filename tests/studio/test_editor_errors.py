"""The editor's errors by AppTest (issue 17, item 14): each error once, at its place, in
Chinese first with the English in a caption; one line per error in the list at the top;
the file named from the catalog folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.studio.authoring import codes, matter_file, on_matter, texts

UNKNOWN = "没有名为 “flor_area” 的字段或计算值"


def broken(app: AppTest, workspace: Path, old: str = "when: floor_area > 1000",
           new: str = "when: flor_area > 1000") -> str:
    """Type into the YAML tab the sample matter with ``old`` replaced by ``new`` (an unknown
    name in check 4's condition)."""
    text = matter_file(workspace).read_text(encoding="utf-8").replace(old, new, 1)
    app.text_area(key="source_text").input(text).run()
    assert not app.exception
    return text


def test_each_error_is_shown_once_at_its_place_and_once_in_the_list(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    broken(app, workspace)
    assert "1 处错误" in app.error[0].value
    shown = texts(app)
    # the unknown name: in full under check 4's condition (the Checks tab) ...
    assert f"❗ {UNKNOWN}  \n提示：是否应为 floor_area？" in shown
    assert shown.count("English: unknown name 'flor_area' · hint: did you mean "
                       "'floor_area'?") == 1
    # ... and one line in the list at the top, saying where to go
    assert (f"1\\. **检查 › 第 4 条 › 适用条件**：{UNKNOWN}　→ 在「检查 Checks」页修改 "
            "see the Checks tab") in shown
    assert shown.count(UNKNOWN) == 2
    # one caret: nothing is repeated in the YAML tab or the list
    assert codes(app) == ["flor_area > 1000\n^^^^^^^^^"]
    # technical English only in the small print
    assert "name error:" not in shown + "\n".join(codes(app))


def test_an_error_no_box_holds_is_shown_in_full_in_the_list(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    text = broken(app, workspace, "max_visits: 1", "max_visits: 1\nbogus: 1")
    line = text.splitlines().index("bogus: 1") + 1
    shown = texts(app)
    assert f"1\\. ❗ **bogus**（第 {line} 行）：不认识的项 “bogus”" in shown
    assert "在「源码 YAML」页修改 · see the YAML tab" in shown
    assert shown.count("不认识的项 “bogus”") == 1
    assert shown.count("English: bogus (line") == 1
    assert codes(app) == ["bogus: 1\n^"]


def test_the_header_names_the_file_from_the_catalog_folder(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    broken(app, workspace)
    shown = texts(app)
    assert "文件 File: market_supervision/individual_business_registration.yaml · " in shown
    assert str(workspace) not in shown + "\n".join(codes(app))


def test_a_fixed_error_leaves_no_trace(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    broken(app, workspace)
    app.text_input(key="check_when_3").input("floor_area > 1000").run()
    assert "检查通过" in app.success[0].value
    assert not codes(app) and "English:" not in texts(app)
