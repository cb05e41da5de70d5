"""What each proof-of-notice grade (送达证明等级) means, in Chinese, for the evidence bundle.

`domain.notices.rules.proof_grade` gives a notice its grade from the strongest report any attempt
received; this says what that report is worth. A platform's own record (a WeCom card button
clicked, DingTalk's read list, the employee's answer on the page) is strong; an email image
loaded (the open pixel) or the page merely opened is weak: a mail client or a security scanner can
load either without the person.
"""

from __future__ import annotations

PROOF_GRADES_ZH: dict[str, str] = {
    "acknowledged": "职工本人已答复（通知页面提交、企业微信卡片“我已收到”按钮或短信回复），"
                    "为最强证据",
    "read": "平台记录已阅读（钉钉已读名单、企业微信卡片点击、短信运营商已读回执），强证据",
    "delivered": "平台或运营商回执已送达（短信送达报告、企业微信/钉钉已送达），"
                 "证明已到达，不能证明已阅读",
    "opened_weak": "邮件图片已加载或链接页面已打开（弱证据：邮件客户端或安全扫描可能自动加载，"
                   "不能证明本人阅读）",
    "sent": "已发出（邮件服务器已接收或站内发件箱已记录），无送达回执",
    "accepted_by_provider": "服务商已接收，尚无送达回执",
    "unknown": "发送结果未知（服务商未回报，系统未重复发送）",
    "failed": "所有渠道均发送失败，未送达",
    "none": "尚无发送记录",
}
"""Each grade of `proof_grade`, explained as the bundle prints it."""

PROOF_GRADES_EN: dict[str, str] = {
    "acknowledged": "the employee answered (the notice page, the WeCom card button, an SMS "
                    "reply): the strongest proof",
    "read": "the platform recorded it read (DingTalk's read list, a WeCom card click, a "
            "carrier's read receipt): strong",
    "delivered": "a platform or carrier delivery receipt: it arrived, not that it was read",
    "opened_weak": "an email image loaded or the page opened: weak, a mail client or a scanner "
                   "may load it without the person",
    "sent": "sent (accepted by the mail server, or in the outbox), no delivery receipt",
    "accepted_by_provider": "accepted by the provider, no delivery receipt yet",
    "unknown": "outcome unknown (the provider did not report; not sent again)",
    "failed": "every channel failed: not delivered",
    "none": "nothing sent yet",
}


def explain_proof(grade: str, zh: bool = True) -> str:
    """A grade in words (the grade itself when it is none of ours)."""
    return (PROOF_GRADES_ZH if zh else PROOF_GRADES_EN).get(grade, grade)
