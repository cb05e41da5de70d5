"""Texts of onboarding reminders, escalations and documents (Chinese first, English after)."""

from __future__ import annotations

from datetime import datetime

from domain.onboarding.payloads import BureauAnswer, OnboardingInput
from domain.onboarding.state import EnrollmentRequest, FiguresRecomputed
from domain.shared.calendar import local


def _who(inp: OnboardingInput) -> str:
    e = inp.employee
    return f"{e.name}（工号 {e.employee_id}，{e.department}）"


def si_reminder(inp: OnboardingInput) -> tuple[str, str]:
    due = local(inp.si_registration.due_at)
    return (
        f"【社保增员提醒】{inp.employee.name} 的社保登记将于 {due} 到期",
        f"{_who(inp)} 入职日期 {inp.hire_date}，依据{inp.si_registration.article}"
        f"须在 {due}（北京时间）前完成社会保险登记，目前尚未完成增员。\n"
        f"SI registration for {inp.employee.name} is due {due} (Beijing time) and is not done yet.",
    )


def si_escalation(inp: OnboardingInput, count: int, now: datetime) -> tuple[str, str]:
    due = local(inp.si_registration.due_at)
    return (
        f"【社保增员逾期·第{count}次升级】{inp.employee.name} 未在法定期限内完成社保登记",
        f"{_who(inp)} 的社保登记期限已于 {due} 届满（{inp.si_registration.article}），"
        f"截至 {local(now)} 仍未完成增员。逾期可能导致社保经办机构核定补缴、"
        "按日加收万分之五滞纳金，以及工伤发生时由用人单位承担全部待遇。请立即处理。\n"
        f"Escalation #{count}: SI registration for {inp.employee.name} was due {due} and is "
        "still not done. Late enrolment exposes the employer to back premiums, a 0.05 %/day "
        "late fee and full liability for any work injury.",
    )


def contract_mismatch(inp: OnboardingInput) -> tuple[str, str]:
    assert inp.contract_start is not None and inp.contract_si is not None
    return (
        f"【合同与社保不一致】{inp.employee.name} 已签劳动合同 30 日仍未参保",
        f"{_who(inp)} 的劳动合同自 {inp.contract_start} 起履行，至 "
        f"{local(inp.contract_si.due_at)} 已满 30 日仍无社保增员记录。\n"
        f"Contract/SI mismatch: {inp.employee.name}'s contract started {inp.contract_start} and "
        "there is still no SI enrolment after 30 days.",
    )


def bureau_rejection(inp: OnboardingInput, answer: BureauAnswer) -> tuple[str, str]:
    return (
        f"【增员被退回】{inp.employee.name} 的社保增员申请被经办机构退回",
        f"经办机构退回原因：{answer.reason}（{answer.code}）。请更正后重新提交。\n"
        f"The SI bureau rejected the enrolment of {inp.employee.name}: {answer.reason}. "
        "Correct it and submit again.",
    )


def bureau_unreachable(inp: OnboardingInput, reason: str) -> tuple[str, str]:
    """The enrolment could not be submitted (the SI bureau's system gave no answer, or refused the
    request as malformed): HR submits it again, or at the counter."""
    return (
        f"【增员未能提交】{inp.employee.name} 的社保增员申请未能提交到经办机构",
        f"系统未能提交增员申请：{reason}。请检查后重新提交，或到经办机构窗口办理。\n"
        f"The enrolment of {inp.employee.name} could not be submitted to the SI bureau: {reason}. "
        "Check it and submit again, or enrol at the bureau's counter.",
    )


def withdrawal_reminder(inp: OnboardingInput, window_ends: datetime) -> tuple[str, str]:
    return (
        f"【撤销申请即将截止】{inp.employee.name} 的增员撤销窗口将于 {local(window_ends)} 关闭",
        f"已生成 {_who(inp)} 的增员撤销申请，但尚未记录经办机构答复。请在 {local(window_ends)} "
        "前提交经办机构并记录结果。\n"
        f"The withdrawal application for {inp.employee.name} has no bureau answer yet; the "
        f"bureau's window closes {local(window_ends)}.",
    )


def withdrawal_application(
    inp: OnboardingInput, request: EnrollmentRequest, reason: str, now: datetime
) -> str:
    """The withdrawal application (社保增员撤销申请) HR prints or sends to the bureau."""
    e = inp.employee
    kind = "新参保（正常增员）" if request.type == "new" else "补缴"
    ends = local(request.withdrawal_window_ends) if request.withdrawal_window_ends else "—"
    executed = local(request.executed_at) if request.executed_at else "—"
    return "\n".join([
        "社会保险增员撤销申请",
        "",
        f"致：{inp.region} 社会保险经办机构",
        "",
        f"我单位于 {executed} 为下列职工办理了社会保险增员（业务流水号 "
        f"{request.bureau_reference or '—'}），现申请撤销该笔业务：",
        f"  姓名：{e.name}",
        f"  公民身份号码：{e.id_number}",
        f"  入职日期：{inp.hire_date}",
        f"  业务类型：{kind}",
        f"  缴费基数：{request.contribution_base} 元",
        "",
        f"撤销原因：{reason}",
        "",
        f"本申请须于 {ends}（北京时间）前送达。",
        f"申请日期：{local(now)}",
        "",
        "单位（盖章）：",
    ])


def bureau_task(inp: OnboardingInput, request: EnrollmentRequest) -> tuple[str, str]:
    """The HR task of an enrolment entered by hand: what to type into the region's online portal
    (the full ID number is on the onboarding's record, not in a message), and by when."""
    e = inp.employee
    kind = "补缴增员" if request.type == "back_payment" else "新参保增员"
    due = local(inp.si_registration.due_at)
    return (
        f"【待办：社保增员】请在社保经办平台为 {e.name} 办理增员（截止 {due}）",
        f"增员申请 #{request.number} 已批准，请登录{inp.region}社保经办平台办理{kind}：\n"
        f"姓名：{e.name}；工号：{e.employee_id}；身份证号：见员工档案（尾号 {e.id_number[-4:]}）；\n"
        f"参保地区：{inp.region}；入职日期：{inp.hire_date.isoformat()}；"
        f"缴费基数：{request.contribution_base}。\n"
        f"办理后请在系统中登记经办机构的受理编号并上传回执（截图或 PDF）；被退回的，登记退回原因。"
        f"截止 {due}（《社会保险法》第五十八条：用工之日起三十日内）。\n"
        f"Enrolment request #{request.number} of {e.name} ({e.employee_id}) is approved: enter it in "
        f"the {inp.region} SI bureau's online portal, then record the bureau's reference with its "
        f"receipt (or its reason if rejected). Due {due} (SIL art. 58).",
    )


def figures_changed(inp: OnboardingInput, change: FiguresRecomputed) -> tuple[str, str]:
    """HR: a load moved the base limits and an enrolment request's base is now outside them, or
    moved the contribution rates a held back-payment request was priced at."""
    new = change.new_limits
    body_zh, body_en = [], []
    if change.requests_outside:
        numbers = "、".join(str(n) for n in change.requests_outside)
        body_zh.append(f"{inp.region} {new.period_start} 至 {new.period_end} 的上下限为 "
                       f"{new.lower}–{new.upper} 元。第 {numbers} 号增员申请的缴费基数不在新上下限之内，"
                       f"请核对并更正（按新上下限调整后为 {change.new_clamped_base} 元）。")
        body_en.append(f"The contribution base limits were loaded as {new.lower}–{new.upper}; "
                       f"enrolment request {numbers} has a base outside them. Check and correct it.")
    if change.requests_repriced and change.new_rates is not None:
        numbers = "、".join(str(n) for n in change.requests_repriced)
        rates = change.new_rates
        body_zh.append(f"{inp.region} 的缴费比例为单位 {rates.employer_rate}、个人 {rates.employee_rate}"
                       f"（{rates.source}）。第 {numbers} 号补缴申请的费用是按原比例估算的，请复核应缴金额。")
        body_en.append(f"The contribution rates were loaded as employer {rates.employer_rate}, "
                       f"employee {rates.employee_rate}; back-payment request {numbers} was priced "
                       "at the old rates. Check the amount due.")
    what = ("缴费数据" if change.requests_outside and change.requests_repriced
            else "缴费基数上下限" if change.requests_outside else "缴费比例")
    return (
        f"【{what}已更新】{inp.employee.name} 的增员申请需复核",
        f"{_who(inp)} 登记时按暂定或未核实的缴费数据办理；管理员已载入新数据"
        f"（{change.document or change.source}）。" + "".join(body_zh) + "\n"
        + f"New figures were loaded for {inp.employee.name}. " + " ".join(body_en),
    )
