"""What follows from an injury of an employee the fund does not cover (未参保工伤的后果).

Regulations on Work-Related Injury Insurance art. 62 ¶2: an employer that should have enrolled
the employee and did not pays every item the fund would have paid, by the same items and
standards; ¶3: once it enrols and pays the arrears and late fees, the fund pays only the costs
that arise afterwards. Social Insurance Law art. 41: if the employer does not pay, the fund
advances the fund's items (先行支付) and recovers them from the employer. SIL arts. 58, 60, 86: the
back payment (补缴) of the premiums owed, with the late fee.
"""

from __future__ import annotations

from typing import Any

from domain.employees.si_standing import SiStanding, Standing, label
from domain.injury.payloads import CaseInput
from domain.injury.state import CaseState

ARTICLE = "Reg. art. 62 ¶2"
ADVANCE_ARTICLE = "SIL art. 41; 先行支付暂行办法 arts. 6-8"
BACK_PAYMENT_ARTICLE = "SIL arts. 58, 60, 86; Reg. art. 62 ¶3"

# The items the fund pays for an insured employee (SIL art. 38; Reg. arts. 30, 32, 34-39), which
# the employer pays itself when it did not enrol (Reg. art. 62 ¶2): (code, Chinese, English).
FUND_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("medical", "治疗工伤的医疗费用和康复费用", "medical and rehabilitation costs"),
    ("food_allowance", "住院伙食补助费", "hospital food allowance"),
    ("travel", "统筹地区以外就医的交通食宿费", "travel and lodging for treatment elsewhere"),
    ("assistive_devices", "辅助器具费", "assistive devices"),
    ("nursing", "生活护理费", "nursing fee"),
    ("disability_subsidy", "一次性伤残补助金", "one-time disability subsidy"),
    ("disability_allowance", "一至四级伤残津贴", "grade 1-4 disability allowance"),
    ("medical_subsidy", "一次性工伤医疗补助金", "one-time work-injury medical subsidy"),
    ("death_benefits", "丧葬补助金、供养亲属抚恤金和一次性工亡补助金",
     "funeral subsidy, dependents' pension and one-time death subsidy"),
    ("appraisal_fees", "劳动能力鉴定费", "labour-ability appraisal fees"),
)


def _steps(standing: SiStanding) -> list[str]:
    code = Standing(standing.code)
    enrol = ("立即办理社保增员（参保登记）；immediately enrol the employee" if code in
             (Standing.window_missed, Standing.no_record) else "")
    steps = {
        Standing.within_window: [
            f"登记期至 {standing.window_due_on} 止，仍须按期办理增员；enrol before the window "
            f"ends ({standing.window_due_on})",
            "参保前发生的工伤费用由单位承担；costs of this injury before cover are the employer's",
        ],
        Standing.interrupted: [
            "补缴欠费及滞纳金以恢复正常缴费；pay the months owed and the late fee to restore cover",
        ],
        Standing.stopped: [
            "核实停保日期与劳动关系；check the stop date against the employment",
        ],
    }.get(code, [])
    common = [
        "按工伤保险待遇项目和标准由单位支付全部费用；pay every item at the fund's standard",
        "单位不支付的，职工可向社保经办机构申请先行支付，基金支付后向单位追偿；if the employer does "
        "not pay, the employee may ask the fund to advance the fund items, which it recovers from "
        "the employer",
        "补缴欠缴保费和滞纳金后，基金仅支付新发生的费用；after the back payment the fund pays only "
        "costs that arise afterwards",
    ]
    return ([enrol] if enrol else []) + steps + common


def covered(inp: CaseInput, state: CaseState) -> bool:
    """Whether the case counts the employee as insured on the accident date: HR's override if
    any, else the standing the record gave (or, for a case opened before, HR's si_enrolled)."""
    return state.si_override.si_enrolled if state.si_override is not None else inp.si_enrolled


def opened_standing(inp: CaseInput) -> dict[str, Any]:
    """What `case_opened` records of the standing (nothing for a case opened before the record
    was read, so its history replays unchanged)."""
    s = inp.si_standing
    if s is None:
        return {}
    return {"si_standing": s.code, "si_standing_source": s.source,
            "si_onboarding_id": s.onboarding_id}


def standing_view(inp: CaseInput, state: CaseState) -> dict[str, Any] | None:
    """The case view's `si_standing`: code, label, source and HR's override, if any."""
    s, o = inp.si_standing, state.si_override
    if s is None and o is None:
        return None
    view: dict[str, Any] = {"insured": covered(inp, state), "overridden": None}
    if s is not None:
        view |= {"code": s.code, "label": label(s.code), "source": s.source, "on": s.on,
                 "status": s.status, "since": s.since, "onboarding_id": s.onboarding_id,
                 "window_due_on": s.window_due_on, "declared": s.declared}
    if o is not None:
        view["overridden"] = {"si_enrolled": o.si_enrolled, "reason": o.reason,
                              "documents": list(o.documents), "by": o.by, "on": o.on}
    return view


def si_consequences(standing: SiStanding | None, si_enrolled: bool) -> dict[str, Any] | None:
    """The case view's `si_consequences` block for an employee the fund does not cover on the
    accident date: who pays what (Reg. art. 62 ¶2), the fund's advance (SIL art. 41), the back
    payment (SIL art. 86) and what to do. None when the employee was insured."""
    if si_enrolled:
        return None
    code = standing.code if standing is not None else Standing.no_record.value
    return {
        "standing": code,
        "standing_label": label(code),
        "source": standing.source if standing is not None else "",
        "onboarding_id": standing.onboarding_id if standing is not None else None,
        "employer_pays": [{"code": c, "label_zh": zh, "label_en": en} for c, zh, en in FUND_ITEMS],
        "article": ARTICLE,
        "summary": "单位应当参加而未参加工伤保险（或缴费中断）期间发生工伤的，由单位按照工伤保险待遇"
                   "项目和标准支付全部费用；the employer pays every item the fund would have paid",
        "advance_payment": {
            "article": ADVANCE_ARTICLE,
            "text": "单位拒不支付的，从工伤保险基金中先行支付，由单位偿还；if the employer does not "
                    "pay, the fund advances the fund items and recovers them from the employer"},
        "back_payment": {
            "article": BACK_PAYMENT_ARTICLE,
            "text": "补缴应缴未缴的保费并按日加收万分之五滞纳金，之后新发生的费用由基金支付；the "
                    "premiums owed plus 0.05% a day, after which new costs are the fund's"},
        "what_to_do": _steps(standing) if standing is not None else [],
    }
