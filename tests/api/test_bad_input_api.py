"""Bad input over HTTP: each once crashed (a 500) or was stored wrongly; now each is a 422 naming
the field and the rule, and nothing is started or written. Real app, dev server, worker, both DBs."""

from __future__ import annotations

import httpx

from tests.api.conftest import auth
from tests.api.test_cases_api import act, open_case
from tests.api.test_disputes_api import PAST, import_csv
from tests.factories import case_body, registration

LISTS = ["/api/v1/onboardings", "/api/v1/cases", "/api/v1/outbox", "/api/v1/disputes",
         "/api/v1/onboardings/onboarding-E1/evidence", "/api/v1/cases/case-E1/evidence"]


def refused(response: httpx.Response, field: str, code: str) -> dict:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and error["code"] == code, error
    assert field.rsplit(".", 1)[-1] in error["message"]
    return error


async def total(api: httpx.AsyncClient, path: str) -> int:
    response = await api.get(path, headers=auth("k-hr"))
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


async def test_an_offset_beyond_a_64_bit_integer_is_refused_on_every_list(api):
    for path in LISTS:
        response = await api.get(f"{path}?offset={2**63}", headers=auth("k-hr"))
        refused(response, "offset", "invalid.less_than_equal")


async def test_a_due_before_in_year_1_is_refused(api):
    response = await api.get("/api/v1/cases", params={"due_before": "0001-01-01T00:00+14:00"},
                              headers=auth("k-hr"))
    refused(response, "due_before", "date.outside_window")


async def test_a_registration_with_a_far_date_or_a_control_character_starts_nothing(api):
    far = await api.post("/api/v1/onboardings", json=registration(contract_start="9999-12-01"),
                         headers=auth("k-hr"))
    refused(far, "contract_start", "invalid.date.outside_window")
    for name in ("张\x00三", "张三\u202e", "\u2066张三\u2069", "张\u200f三"):
        body = registration()
        body["employee"]["name"] = name
        response = await api.post("/api/v1/onboardings", json=body, headers=auth("k-hr"))
        refused(response, "employee.name", "invalid.text.control_character")
    assert await total(api, "/api/v1/onboardings") == 0
    missing = await api.get("/api/v1/onboardings/onboarding-E1001", headers=auth("k-hr"))
    assert missing.status_code == 404


async def test_a_case_report_with_a_control_character_in_a_text_opens_no_case(api):
    for field, value in (("location", "车间\x00"), ("description", "夹伤\u202d")):
        response = await api.post("/api/v1/cases", json=case_body(**{field: value}),
                                  headers=auth("k-hr"))
        refused(response, field, "invalid.text.control_character")
    response = await api.post("/api/v1/cases", json=case_body(si_enrolled=1), headers=auth("k-hr"))
    refused(response, "si_enrolled", "invalid.bool_type")
    assert await total(api, "/api/v1/cases") == 0


async def test_bad_actions_bills_and_bundles_on_a_case_change_nothing(api):
    case = await open_case(api)
    cid = case["id"]
    refused(await act(api, cid, "record-appraisal", grade=True), "grade", "invalid.int_type")
    refused(await act(api, cid, "start-suspension", months="3"), "months", "invalid.int_type")
    refused(await act(api, cid, "grant-extension", until="9999-12-31"), "until",
            "invalid.date.outside_window")
    refused(await act(api, cid, "record-contact", note="called \u202eEVIL"), "note",
            "invalid.text.control_character")
    bill = {"invoice_number": "No 1", "hospital": "北京协和医院", "bill_date": "0001-01-01",
            "amount": "10.00", "paid_by": "employee"}
    refused(await api.post(f"/api/v1/cases/{cid}/expenses", json=bill, headers=auth("k-hr")),
            "bill_date", "invalid.date.outside_window")
    wrong = await api.get(f"/api/v1/onboardings/{cid}/bundle", headers=auth("k-hr"))
    assert "/api/v1/cases/" in refused(wrong, "id", "id.wrong_kind")["message"]
    wrong = await api.get("/api/v1/cases/onboarding-E1001/bundle", headers=auth("k-hr"))
    refused(wrong, "id", "id.wrong_kind")
    for route in ("evidence", "evidence/verify"):  # the case's ledger under the onboardings
        wrong = await api.get(f"/api/v1/onboardings/{cid}/{route}", headers=auth("k-hr"))
        assert f"/api/v1/cases/{cid}/{route}" in refused(wrong, "id", "id.wrong_kind")["message"]
    ledger = await api.get(f"/api/v1/cases/{cid}/evidence?limit=1000", headers=auth("k-hr"))
    kinds = [e["kind"] for e in ledger.json().get("items", [])]
    assert "bundle_exported" not in kinds
    view = (await api.get(f"/api/v1/cases/{cid}", headers=auth("k-hr"))).json()
    assert view["stage"] == "reported" and view["suspension"] is None
    assert not [e for e in view["events"] if e["kind"] in ("extension_granted", "contact_recorded")]
    expenses = (await api.get(f"/api/v1/cases/{cid}/expenses", headers=auth("k-hr"))).json()
    assert expenses["entries"] == []


async def test_a_dispute_csv_with_a_unicode_digit_grade_imports_nothing(api):
    lines = PAST.splitlines()
    for grade in ("²", "⑤"):
        bad = lines[1].replace(",否,8,", f",否,{grade},", 1)
        assert bad != lines[1]
        response = await import_csv(api, "\n".join([lines[0], bad, *lines[2:]]) + "\n")
        error = refused(response, "rows[1].grade", "csv.invalid")
        assert error["details"]["errors"][0]["code"] == "int.range"
    assert await total(api, "/api/v1/disputes") == 0
