"""The answers the employee's page (/r/…) offers for each notice purpose (通知用途).

A return date is asked only where a return is asked (return to work); a decision or a payment asks
for a receipt ("我已收到") and leaves room for a question; an invitation to negotiate (协商邀请) is
attended or answered with another time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerForm:
    confirm: str          # the confirm button
    confirmed: str        # what the page says once the confirmation is on record
    prompt: str           # over the text box of the other answer
    placeholder: str
    submit: str           # the other answer's button
    return_date: bool = False   # a date field: when the employee expects to return
    propose_time: bool = False  # a date-and-time field: another time for the meeting


def _receipt(confirmed: str) -> AnswerForm:
    """A decision or a payment: "我已收到", or a question."""
    return AnswerForm(confirm="我已收到", confirmed=confirmed,
                      prompt="如有疑问，请留言，人事将与您联系：", placeholder="请写下您的问题",
                      submit="提交留言")


FORMS: dict[str, AnswerForm] = {
    "return_to_work": AnswerForm(
        confirm="我会按时返岗", confirmed="您已确认按时返岗。",
        prompt="不能按时返岗？请说明原因和预计返岗日期：",
        placeholder="例如：伤口尚未愈合，医生建议再休息两周（已有医院证明）",
        submit="提交说明", return_date=True),
    "determination_decision": _receipt("您已确认收到此工伤认定结果通知。"),
    "appraisal_conclusion": _receipt("您已确认收到此鉴定结论通知。"),
    "negotiation_invitation": AnswerForm(
        confirm="我会参加", confirmed="您已确认参加协商。",
        prompt="该时间不便？请提出您方便的时间：", placeholder="例如：下午都可以，周三除外",
        submit="提出其他时间", propose_time=True),
    "settlement_payment": _receipt("您已确认收到此通知。"),
}
DEFAULT = AnswerForm(confirm="我已收到并确认", confirmed="您已确认收到此通知。",
                     prompt="或者回复人事：", placeholder="请写下您的回复", submit="提交回复")


def form_for(purpose: str) -> AnswerForm:
    """The answers the page offers for a notice of this purpose."""
    return FORMS.get(purpose, DEFAULT)


def proposed_time_text(proposed: str, text: str) -> str:
    """An answer proposing another meeting time, as the text on record: the time first."""
    proposed = proposed.replace("T", " ").strip()
    return f"希望改期至 {proposed}" + (f"：{text}" if text else "") if proposed else text
