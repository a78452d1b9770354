"""The API's bundles (高效办成一件事, formkit's addition, docs/api.md): a bundle's code
at ``POST /matters/{code}/precheck`` and ``POST /cases``."""

from __future__ import annotations

from typing import Any

from formkit.intake.examples import submission_of
from tests.api.conftest import ONLINE_KEY, Api

BUNDLE = "XX-B-0001"
FARM = "a farm restaurant with guest rooms misses the floor plan two matters need and " \
    "its business scope"
FAMILY = "a family restaurant in a rented shop, everything handed in, is accepted"


def example(sample: Any, name: str) -> tuple[dict[str, Any], str]:
    """A bundle example of the sample catalog as a request body, and its day."""
    found = next(e for e in sample.bundles[BUNDLE].tests if e.name == name)
    return submission_of(found), str(found.today)


def test_precheck_of_a_bundle_tells_each_item_once(api: Api, sample: Any) -> None:
    data, day = example(sample, FARM)
    got = api.client.post(f"/api/v1/matters/{BUNDLE}/precheck", headers=api.auth("clerk"),
                          json={**data, "today": day})
    assert got.status_code == 200, got.text
    doc = got.json()
    assert doc["bundle"] == BUNDLE and doc["outcome"] == "incomplete"
    assert [m["matter"] for m in doc["matters"]] == ["XX-MS-0001", "XX-MS-0002",
                                                     "XX-HE-0002"]
    assert [(m["id"], m["matters"]) for m in doc["missing_materials"]] == [
        ("layout_plan", ["XX-MS-0002", "XX-HE-0002"])]
    assert [e["field"] for e in doc["field_errors"]] == ["XX-MS-0001.business_scope"]


def test_precheck_answers_as_the_python_api(api: Api, sample: Any) -> None:
    from formkit.intake.bundles import run_bundle_precheck

    data, day = example(sample, FAMILY)
    got = api.client.post(f"/api/v1/matters/{BUNDLE}/precheck", headers=api.auth("clerk"),
                          json={**data, "today": day}).json()
    import datetime as dt

    want = run_bundle_precheck(sample.bundle_rules_of(BUNDLE), data,
                               today=dt.date.fromisoformat(day),
                               calendar=sample.work_calendar())
    assert got == want.model_dump(mode="json") and got["outcome"] == "accept"


def test_creating_a_bundle_makes_linked_cases(api: Api, sample: Any) -> None:
    data, _ = example(sample, FARM)
    got = api.client.post("/api/v1/cases", headers=api.auth("clerk"),
                          json={"matter": BUNDLE, **data})
    assert got.status_code == 201, got.text
    doc = got.json()
    assert list(doc) == ["bundle", "number", "precheck", "cases"]
    numbers = [c["number"] for c in doc["cases"]]
    assert doc["bundle"] == BUNDLE and doc["number"] == numbers[0] and len(numbers) == 3
    assert [c["matter"] for c in doc["cases"]] == ["XX-MS-0001", "XX-MS-0002", "XX-HE-0002"]
    for case in doc["cases"]:
        assert case["state"] == "supplement"  # the window gave the one-time notice
        assert case["bundle"]["cases"] == numbers and case["bundle"]["number"] == numbers[0]
    assert got.headers["Location"] == f"/api/v1/cases/{numbers[0]}"
    assert doc["precheck"]["outcome"] == "incomplete"
    # each case is an ordinary case of the API
    one = api.client.get(f"/api/v1/cases/{numbers[1]}", headers=api.auth("clerk"))
    assert one.status_code == 200 and one.json()["bundle"]["cases"] == numbers


def test_an_accepted_bundle_online_waits_received(api: Api, sample: Any) -> None:
    data, _ = example(sample, FAMILY)
    doc = api.client.post("/api/v1/cases", headers=api.auth(ONLINE_KEY),
                          json={"matter": BUNDLE, "channel": "online", **data}).json()
    assert [c["matter"] for c in doc["cases"]] == ["XX-MS-0001", "XX-MS-0002"]
    assert {c["state"] for c in doc["cases"]} == {"received"}


def test_a_replayed_idempotency_key_returns_the_same_bundle(api: Api, sample: Any) -> None:
    data, _ = example(sample, FARM)
    headers = {**api.auth("clerk"), "Idempotency-Key": "bundle-1"}
    first = api.client.post("/api/v1/cases", headers=headers,
                            json={"matter": BUNDLE, **data})
    again = api.client.post("/api/v1/cases", headers=headers,
                            json={"matter": BUNDLE, **data})
    assert first.status_code == again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert [c["number"] for c in again.json()["cases"]] == \
        [c["number"] for c in first.json()["cases"]]
    assert again.json()["precheck"] == first.json()["precheck"]
    listed = api.client.get("/api/v1/cases", headers=api.auth("clerk")).json()["cases"]
    assert len(listed) == 3  # nothing new was created
    # the same key for a single matter is another request: a 409
    other = api.client.post("/api/v1/cases", headers=headers,
                            json={"matter": "XX-MS-0001", "fields": {}})
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency-key-reused"


def test_a_key_of_a_single_case_is_not_replayed_as_a_bundle(api: Api, sample: Any,
                                                            accepted_submission: Any
                                                            ) -> None:
    code, data, _ = accepted_submission
    headers = {**api.auth("clerk"), "Idempotency-Key": "single-1"}
    assert api.client.post("/api/v1/cases", headers=headers,
                           json={"matter": code, **data}).status_code == 201
    bundle, _ = example(sample, FARM)
    got = api.client.post("/api/v1/cases", headers=headers, json={"matter": BUNDLE, **bundle})
    assert got.status_code == 409
    assert got.json()["error"]["code"] == "idempotency-key-reused"


def test_only_the_window_creates_a_bundle(api: Api, sample: Any) -> None:
    data, _ = example(sample, FARM)
    got = api.client.post("/api/v1/cases", headers=api.auth("ms_officer"),
                          json={"matter": BUNDLE, **data})
    assert got.status_code == 403 and got.json()["error"]["code"] == "forbidden"
    assert api.client.get("/api/v1/cases", headers=api.auth("clerk")).json()["cases"] == []


def test_bad_bundle_bodies_are_422_with_their_place(api: Api, sample: Any) -> None:
    data, _ = example(sample, FARM)
    clerk = api.auth("clerk")
    # a material's copies that are no number: the place is named
    bad = {**data, "materials": [{"id": "layout_plan", "copies": "two"}]}
    got = api.client.post("/api/v1/cases", headers=clerk, json={"matter": BUNDLE, **bad})
    assert got.status_code == 422, got.text
    error = got.json()["error"]
    assert error["code"] == "bad-request-field" and error["hint"]
    assert error["errors"][0]["field"] == "body.materials[0].copies"
    # an answer that is no shared question nor under a matter's code
    got = api.client.post("/api/v1/cases", headers=clerk,
                          json={"matter": BUNDLE, **data,
                                "fields": {**data["fields"], "floor_aera": 1}})
    assert got.status_code == 422 and got.json()["error"]["code"] == "unknown-field"
    assert "floor_aera" in got.json()["error"]["message"]
    # a material for a matter that is not the bundle's
    got = api.client.post(f"/api/v1/matters/{BUNDLE}/precheck", headers=clerk,
                          json={"materials": [{"id": "x", "matter": "XX-PS-0001"}]})
    assert got.status_code == 422 and got.json()["error"]["code"] == "unknown-field"
    # explain is one matter's
    got = api.client.post(f"/api/v1/matters/{BUNDLE}/precheck", headers=clerk,
                          json={"explain": True})
    assert got.status_code == 422 and got.json()["error"]["code"] == "unused-option"
    # not JSON
    got = api.client.post("/api/v1/cases", headers=clerk, content=b"{not json")
    assert got.status_code == 400 and got.json()["error"]["code"] == "bad-json"
    assert api.client.get("/api/v1/cases", headers=clerk).json()["cases"] == []


def test_a_matter_takes_no_material_matter(api: Api, accepted_submission: Any) -> None:
    code, data, _ = accepted_submission
    materials = [{**data["materials"][0], "matter": code}]
    for path, body in ((f"/api/v1/matters/{code}/precheck", {}),
                       ("/api/v1/cases", {"matter": code})):
        got = api.client.post(path, headers=api.auth("clerk"),
                              json={**body, "fields": data["fields"],
                                    "materials": materials})
        assert got.status_code == 422, got.text
        assert got.json()["error"]["errors"][0]["field"] == "body.materials[0].matter"


def test_an_unknown_code_suggests_the_bundle(api: Api) -> None:
    got = api.client.post("/api/v1/cases", headers=api.auth("clerk"),
                          json={"matter": "XX-B-0001A", "fields": {}})
    assert got.status_code == 404
    assert "XX-B-0001" in got.json()["error"]["hint"]


def test_a_retry_after_a_failed_intake_finishes_the_bundle(api: Api, sample: Any,
                                                          monkeypatch: Any) -> None:
    # The second case's write fails (a full disk): the first case exists, unlinked. The
    # client retries with its key: the bundle is finished, nothing is made twice.
    from formkit.cases.service import CaseService

    data, _ = example(sample, FARM)
    headers = {**api.auth("clerk"), "Idempotency-Key": "bundle-broken"}
    real = CaseService.receive
    calls = []

    def failing(self: CaseService, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(CaseService, "receive", failing)
    broken = api.client.post("/api/v1/cases", headers=headers, json={"matter": BUNDLE, **data})
    assert broken.status_code >= 500
    assert len(api.store.open_summaries()) == 1
    monkeypatch.setattr(CaseService, "receive", real)
    again = api.client.post("/api/v1/cases", headers=headers, json={"matter": BUNDLE, **data})
    assert again.status_code == 201, again.json()
    cases = again.json()["cases"]
    assert [c["matter"] for c in cases] == ["XX-MS-0001", "XX-MS-0002", "XX-HE-0002"]
    assert all(c["bundle"]["cases"] == [x["number"] for x in cases] for c in cases)
    assert len(api.store.open_summaries()) == 3
    replay = api.client.post("/api/v1/cases", headers=headers, json={"matter": BUNDLE, **data})
    assert [c["number"] for c in replay.json()["cases"]] == [c["number"] for c in cases]
