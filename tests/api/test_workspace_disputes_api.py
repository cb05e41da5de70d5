"""The dispute history in the workspace, on SQLite and PostgreSQL: a CSV imported from the page
(a bad row shown by row, nothing imported), past cases ranked by similarity from a case's link,
and a manager who searches but may not import."""

from __future__ import annotations

import re

import httpx

from tests.api.test_disputes_api import PAST
from tests.api.test_workspace_actions_api import as_person
from tests.api.test_workspace_api import case, give_login


async def test_hr_imports_a_history_and_finds_the_closest_cases(api: httpx.AsyncClient):
    case_id = await case(api, "E7801")
    await give_login(api, "hr-alice")
    csrf = await as_person(api, "hr-alice")
    empty = await api.get("/hr/disputes")
    assert empty.status_code == 200 and 'id="import-form"' in empty.text
    bad = PAST.replace("右手食指离断,是,否,9", "右手食指离断,是,否,11")
    refused = await api.post("/hr/disputes/import", data={"csrf": csrf},
                             files={"file": ("past.csv", bad.encode(), "text/csv")})
    assert refused.status_code == 422 and 'id="import-errors"' in refused.text
    assert "rows[3].grade" in refused.text
    assert "仲-2023-011" not in (await api.get("/hr/disputes")).text  # nothing was imported
    done = await api.post("/hr/disputes/import", data={"csrf": csrf},
                          files={"file": ("past.csv", PAST.encode(), "text/csv")})
    assert done.status_code == 201 and "已导入 6 条" in done.text

    page = await api.get(f"/hr/cases/{case_id}")
    link = re.search(r'href="(/hr/disputes\?[^"]+)" id="similar-cases"', page.text)
    assert link, page.text[-3000:]
    found = await api.get(link.group(1).replace("&amp;", "&"))
    assert found.status_code == 200 and 'id="similar"' in found.text
    first = found.text.index("仲-2023-011")
    assert first < found.text.index("仲-2023-060")  # the same injury ranks above a head injury
    graded = await api.get("/hr/disputes", params={"injury": "右手拇指肌腱断裂", "grade": "8",
                                                   "si_enrolled": "yes"})
    # all six matched in part (up to 20 are shown): agreed 18,000 … 200,000, median of six
    assert "最低 18000.00 · 中位数 48500.00 · 最高 200000.00" in graded.text
    nothing = await api.get("/hr/disputes", params={"region": "beijing"})
    assert 'id="dispute-list"' in nothing.text  # no criterion that ranks: the newest instead


async def test_a_manager_searches_but_may_not_import(api: httpx.AsyncClient):
    await give_login(api, "dept-dave")
    csrf = await as_person(api, "dept-dave")
    page = await api.get("/hr/disputes", params={"injury": "骨折"})
    assert page.status_code == 200 and 'id="import-form"' not in page.text
    refused = await api.post("/hr/disputes/import", data={"csrf": csrf},
                             files={"file": ("past.csv", PAST.encode(), "text/csv")})
    assert refused.status_code == 403
