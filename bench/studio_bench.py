"""Rerun time of the studio's editor page for a 50-field matter (Streamlit AppTest).

    python bench/studio_bench.py [--fields 50] [--runs 10]

Copies the sample catalog into a temporary folder, adds a generated matter with N
fields (a group, a repeat, choices, conditional visibility and requirements, 10
materials, checks, a two-step route, let values and two examples), signs in as the
administrator, opens the matter in the editor and times ``AppTest.run()``:

* rerun: the page rerun with nothing changed (what every click in another widget costs);
* edit: a field label typed and saved as a draft, then the rerun (YAML round trip, the
  draft written, the catalog checked with the new text).

Median of ``--runs`` runs after two warm-up runs. The goal is a rerun under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 300.0


def matter_yaml(n: int) -> str:
    """A matter with ``n`` fields in the hand-written style of definitions/."""
    lines = ['code: "XX-MS-0950"',
             "name: {zh: 基准测试事项, en: Benchmark matter}",
             "department: market_supervision",
             "kind: administrative_licensing",
             "time_limit: {unit: working_days, statutory_days: 20, committed_days: 5}",
             "uses: [common]",
             "let:",
             "  big: area > 500",
             '  by_agent: role == "agent"',
             "  operator_age: age(operator.id_number)",
             "form:",
             "  - id: role",
             "    type: choice",
             "    label: {zh: 申请方式, en: Who applies}",
             "    required: true",
             "    options:",
             "      - {value: self, label: {zh: 本人, en: In person}}",
             "      - {value: agent, label: {zh: 代理人, en: Agent}}",
             "  - id: operator",
             "    type: group",
             "    label: {zh: 经营者, en: Operator}",
             "    fields:",
             "      - {id: name, type: text, label: {zh: 姓名}, required: true}",
             "      - {id: id_number, type: id_number, label: {zh: 公民身份号码}, required: true}",
             "      - {id: mobile, type: mobile, label: {zh: 手机号码}, required: true}",
             "  - id: area",
             "    type: number",
             "    label: {zh: 面积, en: Area}",
             "    constraint: area > 0",
             "  - id: members",
             "    type: repeat",
             "    label: {zh: 成员, en: Members}",
             "    fields:",
             "      - {id: member_name, type: text, label: {zh: 姓名}, required: true}",
             "      - {id: share, type: number, label: {zh: 比例}, constraint: share <= 100}"]
    count = 9  # role, operator (+3), area, members (+2)
    kinds = ["text", "number", "boolean", "date", "textarea", "integer", "money", "mobile"]
    i = 0
    while count < n:
        kind = kinds[i % len(kinds)]
        extra = ""
        if i % 3 == 0:
            extra = ", visible: by_agent"
        elif i % 3 == 1:
            extra = ", required: big"
        lines.append(f"  - {{id: extra_{i}, type: {kind}, label: {{zh: 附加字段{i}, "
                     f"en: Extra field {i}}}{extra}}}")
        count += 1
        i += 1
    lines.append("materials:")
    for m in range(10):
        required = "true" if m % 2 == 0 else ("by_agent" if m % 4 == 1 else "big")
        lines.append(f"  - {{id: material_{m}, name: {{zh: 材料{m}}}, form: copy, "
                     f"required: {required}, tolerable: {'true' if m == 3 else 'false'}}}")
    lines += ["checks:",
              "  - {when: operator_age < 18, refuse: {zh: 未满十八周岁}}",
              "  - {when: area > 1000, warn: {zh: 面积较大，请核实}}",
              "route:",
              "  - step: [market_supervision.registration]",
              "  - step: [market_supervision.field_inspection]",
              "    when: big",
              "tests:",
              "  - name: in person",
              '    today: "2026-11-25"',
              "    fields: {role: self, area: 20}",
              "    expect: {refusals: 0}",
              "  - name: big shop",
              '    today: "2026-11-25"',
              "    fields: {role: self, area: 2000}",
              "    expect: {warnings: 1}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", type=int, default=50)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "definitions", work / "definitions")
        shutil.copytree(ROOT / "rules", work / "rules")
        (work / "definitions" / "market_supervision" / "bench_matter.yaml").write_text(
            matter_yaml(args.fields), encoding="utf-8")
        os.environ.update(FORMKIT_CATALOG=str(work / "definitions"),
                          FORMKIT_STORE=str(work / "var" / "store"),
                          FORMKIT_DRAFTS=str(work / "var" / "drafts"),
                          FORMKIT_TODAY="2026-11-25")
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "studio" / "app.py"), default_timeout=120)
        at.run()
        at.text_input(key="signin_user").input("admin")
        at.text_input(key="signin_password").input("admin123")
        at.button[0].click().run()
        at.session_state["current_matter"] = "XX-MS-0950"
        at.switch_page("views/editor.py").run()
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        fields = len(at.radio(key="field_pick").options)
        rerun, edit = [], []
        for _ in range(2):
            at.run()
        for _ in range(args.runs):
            start = time.perf_counter()
            at.run()
            rerun.append((time.perf_counter() - start) * 1000)
        for n in range(args.runs):
            at.text_input(key="field_label_zh").input(f"申请方式{n}")
            start = time.perf_counter()
            at.run()
            edit.append((time.perf_counter() - start) * 1000)
        assert not at.exception, at.exception
        assert at.text_input(key="field_label_zh").value == f"申请方式{args.runs - 1}"
    print(f"editor page, {fields}-field matter, AppTest, median of {args.runs} runs")
    print("command: .venv/bin/python bench/studio_bench.py"
          + (f" --fields {args.fields}" if args.fields != 50 else ""))
    print(f"{'what':<28}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'goal':>9}")
    for name, times, goal in (("rerun (nothing changed)", rerun, f"<{GOAL_MS:.0f}"),
                              ("edit a label + rerun", edit, "")):
        print(f"{name:<28}{statistics.median(times):>10.0f}{min(times):>9.0f}"
              f"{max(times):>9.0f}{goal:>9}")
    verdict = "met" if statistics.median(rerun) < GOAL_MS else "NOT met"
    print(f"goal ({GOAL_MS:.0f} ms per rerun): {verdict}")


if __name__ == "__main__":
    main()
