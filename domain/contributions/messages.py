"""What HR and the HR managers read about a month's contributions (Chinese first)."""

from __future__ import annotations

from domain.contributions.payloads import MonthDeadline
from domain.shared.calendar import local

_UNVERIFIED = ("（缴费期限为未经核实的默认值，请以当地税务机关的征期通知为准 / the deadline is an "
               "unverified default: confirm it with the local tax bureau）")


def _caveat(deadline: MonthDeadline) -> str:
    return "" if deadline.verified else "\n" + _UNVERIFIED


def reminder(region: str, deadline: MonthDeadline) -> tuple[str, str]:
    return (f"社保缴费提醒：{region} {deadline.period} 月缴费截止 {local(deadline.due_at)}",
            f"{region} 社保账户 {deadline.period} 月的社会保险费须在 {local(deadline.due_at)} 前申报"
            f"缴纳（{deadline.article}），尚未登记缴费。请缴费后在系统中登记缴款凭证。"
            f" / The {deadline.period} contributions of the {region} account are due by "
            f"{local(deadline.due_at)} and no payment is recorded yet.{_caveat(deadline)}")


def escalation(region: str, deadline: MonthDeadline) -> tuple[str, str]:
    return (f"社保缴费逾期：{region} {deadline.period} 月未登记缴费",
            f"{region} 社保账户 {deadline.period} 月的社会保险费截止 {local(deadline.due_at)}，"
            f"至今未登记缴费。未按时足额缴纳的，自欠缴之日起按日加收万分之五的滞纳金（"
            f"《社会保险法》第八十六条），员工在此期间的社保待遇可能受影响。"
            f" / The {deadline.period} contributions of the {region} account were due by "
            f"{local(deadline.due_at)} and are not recorded as paid: a 0.05 % daily late fee "
            f"runs from the due day (SIL art. 86).{_caveat(deadline)}")


def interrupted(region: str, deadline: MonthDeadline, count: int, insured: int) -> tuple[str, str]:
    return (f"风险提示：{count} 名员工 {deadline.period} 月社保缴费中断",
            f"{region} 社保账户 {deadline.period} 月有 {count} 名员工（共 {insured} 名参保）未登记"
            f"缴费，其社保状态已改为「中断」。中断期间发生工伤的，工伤保险待遇可能由单位承担（"
            f"《工伤保险条例》第六十二条）。补缴后状态恢复为「正常缴费」，滞纳金按补缴之日计算。"
            f" / {count} of {insured} insured employees of the {region} account have no recorded "
            f"payment for {deadline.period}: their SI status is now interrupted. A back payment "
            "restores it; the late fee is priced as of the day it is paid.")
