"""What HR and the HR managers read about an SI stop (Chinese first)."""

from __future__ import annotations

from domain.separation.payloads import StopInput
from domain.shared.calendar import local


def _caveat(inp: StopInput) -> str:
    return "" if inp.deadline.verified else \
        "\n（减员期限为未经核实的默认值，请以当地社保经办机构的规定为准 / the deadline is an " \
        "unverified default: confirm it with the local SI bureau）"


def task(inp: StopInput) -> tuple[str, str]:
    return (f"减员待办：员工 {inp.employee_id} 的社保停保",
            f"员工 {inp.employee_id}（{inp.department}）已于 {inp.leave_date.isoformat()} 离职，"
            f"减员已审批。请在社保经办平台办理停保，并在系统中登记减员编号和回执（期限 "
            f"{local(inp.deadline.due_at)}）。 / Stop the SI of {inp.employee_id} in the "
            f"bureau's portal and record its reference and receipt.{_caveat(inp)}")


def reminder(inp: StopInput) -> tuple[str, str]:
    return (f"减员提醒：员工 {inp.employee_id} 的停保期限 {local(inp.deadline.due_at)}",
            f"员工 {inp.employee_id} 已于 {inp.leave_date.isoformat()} 离职，社保尚未停保，期限 "
            f"{local(inp.deadline.due_at)}。逾期未减员的，单位将继续为其缴费。 / The SI of "
            f"{inp.employee_id}, who left on {inp.leave_date.isoformat()}, is not stopped yet."
            f"{_caveat(inp)}")


def escalation(inp: StopInput) -> tuple[str, str]:
    return (f"减员逾期：员工 {inp.employee_id} 的社保未停保",
            f"员工 {inp.employee_id} 已于 {inp.leave_date.isoformat()} 离职，停保期限 "
            f"{local(inp.deadline.due_at)} 已过，减员仍未办结。 / The SI stop of "
            f"{inp.employee_id} is past its deadline.{_caveat(inp)}")
