"""Chinese labels for what a bundle shows a non-technical reader (an arbitrator, a lawyer)."""

from __future__ import annotations

EVENT_KINDS = {
    "registered": "登记新员工入职",
    "reminder_sent": "社保登记到期提醒已发出",
    "escalated": "社保登记逾期，已升级通知",
    "contract_si_mismatch": "劳动合同已履行满30日仍未参保（提醒）",
    "enrollment_submitted": "提交社保增员申请",
    "enrollment_approved": "复核通过增员申请",
    "enrollment_rejected": "复核驳回增员申请",
    "enrollment_revoked": "撤回增员申请",
    "enrollment_executed": "社保经办机构已受理增员",
    "enrollment_failed": "社保经办机构退回增员",
    "withdrawal_requested": "生成增员撤销申请",
    "withdrawal_answered": "记录经办机构对撤销申请的答复",
    "withdrawal_reminder_sent": "撤销期限即将届满提醒",
    "delay_reason_recorded": "记录延迟原因",
    "cancelled": "员工离职，流程取消",
    "completed": "流程结束",
    "action_refused": "操作被系统拒绝",
    "document_added": "上传证据材料",
    "sensitive_data_viewed": "查阅敏感材料",
    "bundle_exported": "导出证据包",
    "notice_opened": "发出通知",
    "notice_attempt": "通知发送（渠道尝试）",
    "notice_receipt": "通知回执（送达/打开/阅读）",
    "notice_answered": "员工答复通知",
    "notice_closed": "通知结束",
    "sms_opt_out": "员工退订短信",
}

DEADLINE_NAMES = {
    "si_registration": "社会保险登记期限（入职之日起30日）",
    "contract_si_mismatch": "劳动合同履行30日参保核对",
}

DEADLINE_STATUS = {"upcoming": "未到期", "met": "已按期完成", "missed": "已逾期"}

REQUEST_STATUS = {
    "submitted": "待复核", "approved": "已复核（撤回期内）", "rejected": "已驳回",
    "revoked": "已撤回", "executing": "报送中", "executed": "已受理",
    "bureau_rejected": "经办机构退回", "withdrawn": "已撤销",
}

ENROLLMENT_TYPES = {"new": "正常增员", "back_payment": "补缴"}


def label(table: dict[str, str], key: str) -> str:
    """The Chinese label, with the code kept beside it so nothing is lost in translation."""
    return f"{table[key]}（{key}）" if key in table else key

NOTICE_PURPOSES = {
    "return_to_work": "复工通知",
    "si_reminder": "社保登记到期提醒",
    "si_escalation": "社保登记逾期通知",
    "notice_escalation": "员工未答复通知",
    "generic": "通知",
}
