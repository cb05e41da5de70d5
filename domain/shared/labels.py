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
    "notice_failed": "通知流程失败，转人工送达",
    "sms_opt_out": "员工退订短信",
    "case_opened": "登记工伤事故，案件开启",
    "si_standing_overridden": "更正事故日参保情况（附理由与证明材料）",
    "form_generated": "生成工伤认定申请表",
    "document_generated": "系统生成申请材料",
    "diagnosis_fetched": "获取医院诊断摘要",
    "materials_filed": "提交工伤认定申请材料",
    "determination_applied": "提出工伤认定申请",
    "determination_accepted": "工伤认定申请已受理",
    "determination_decided": "工伤认定决定",
    "extension_granted": "期限延长获批",
    "suspension_started": "停工留薪期开始",
    "suspension_extended": "停工留薪期延长",
    "return_recorded": "职工返岗",
    "return_notice_sent": "发出复工通知",
    "return_notice_answered": "职工答复复工通知",
    "return_notice_unanswered": "职工未答复复工通知，已升级",
    "decision_notice_sent": "向职工送达决定通知",
    "decision_notice_closed": "决定通知送达结果",
    "invitation_sent": "发出协商邀请", "payment_notice_sent": "发出支付通知",
    "employee_notice_closed": "通知职工结果（协商邀请/支付通知）",
    "courier_notice_recorded": "快递寄送书面通知",
    "courier_status": "快递状态更新",
    "contact_recorded": "联系职工（紧急联系人/上门）",
    "appraisal_applied": "申请劳动能力鉴定",
    "appraisal_concluded": "劳动能力鉴定结论",
    "reappraisal_requested": "申请再次鉴定",
    "benefit_claimed": "向社保经办机构申领工伤待遇",
    "negotiation_opened": "开始赔偿协商",
    "offer_recorded": "记录赔偿报价",
    "agreement_recorded": "达成赔偿协议",
    "payment_recorded": "支付赔偿款",
    "dispute_recorded": "记录争议",
    "withdrawn": "案件撤回",
    "closed": "案件结束",
    "chase_sent": "催办（已发给人事）",
    "case_reminder_sent": "工伤案件期限提醒已发出",
    "case_escalated": "工伤案件期限逾期，已升级通知",
    "signal_ignored": "外部回调未被采纳",
    "deadline_recomputed": "依官方公布的节假日安排重新计算期限",
    "expense_recorded": "登记医疗费用票据",
    "expense_claim_exported": "导出工伤医疗费用申领明细",
    "case_outcome": "结案记录（纠纷数据库）",
    "ledger_timestamped": "可信时间戳机构对证据链链头签发时间戳",
    "assigned": "指派经办人",
    "benefit_claim_failed": "工伤待遇申领未成功",
    "bureau_outcome_recorded": "记录社保经办机构办理结果",
    "calendar_loaded": "载入节假日安排",
    "determination_not_accepted": "工伤认定申请未被受理",
    "disputes_imported": "导入历史争议记录",
    "month_opened": "开始新的缴费月度",
    "personal_data_exported": "导出个人信息",
    "recipients_missing": "通知无可送达的收件人",
    "records_deleted": "删除保存期限届满的记录",
    "retention_applied": "按保存期限处理个人信息",
    "return_notice_closed": "复工通知结束",
    "si_interrupted": "社会保险缴费中断",
    "si_resumed": "社会保险缴费恢复",
    "policy_loaded": "载入政策数据",
    "stop_opened": "登记离职减员",
    "stop_task_opened": "待办：在社保经办平台办理减员",
    "stop_executed": "社保经办机构已办理减员",
    "stop_task_notice": "通知人事办理减员",
    "stop_submitted": "提交减员申请",
    "stop_approved": "减员申请审批通过",
    "stop_rejected": "减员申请被退回",
    "stop_revoked": "撤回减员申请",
    "stop_reminder_sent": "减员期限提醒",
    "stop_escalated": "减员逾期上报",
    "payment_reminder_sent": "社会保险费缴费期限提醒",
    "payment_escalated": "社会保险费逾期未缴上报",
    "contribution_paid": "登记社会保险费缴纳",
    "employee_channels_changed": "变更职工的通知渠道",
    "notice_document_opened": "职工打开通知所附文书",
}

DEADLINE_NAMES = {
    "si_registration": "社会保险登记期限（入职之日起30日）",
    "contract_si_mismatch": "劳动合同履行30日参保核对",
    "materials_filed": "工伤认定材料备齐（报告后24小时，内部目标）",
    "determination_application": "用人单位申请工伤认定（事故之日起30日）",
    "employee_application": "职工本人申请工伤认定（事故之日起1年）",
    "determination_decision": "工伤认定决定（受理之日起60日/15日）",
    "administrative_review": "不服认定申请行政复议（60日）",
    "suspension_end": "停工留薪期届满",
    "appraisal_conclusion": "劳动能力鉴定结论（60日，可延长30日）",
    "reappraisal_conclusion": "再次鉴定结论（60日，可延长30日）",
    "reappraisal_request": "申请再次鉴定（收到结论之日起15日）",
    "settlement_agreement": "赔偿协商（15日内部目标）",
    "arbitration_claim": "劳动仲裁时效（1年）",
}

DEADLINE_STATUS = {"upcoming": "未到期", "met": "已按期完成", "missed": "逾期"}

ONBOARDING_STATUS = {
    "awaiting_enrollment": "待提交增员", "enrollment_submitted": "增员申请待复核",
    "enrollment_approved": "增员申请已复核", "enrollment_executing": "增员报送中",
    "enrolled": "已参保", "withdrawal_requested": "已申请撤销增员", "cancelled": "已取消",
}

REQUEST_STATUS = {
    "submitted": "待复核", "approved": "已复核（撤回期内）", "rejected": "已驳回",
    "revoked": "已撤回", "executing": "报送中", "executed": "已受理",
    "bureau_rejected": "经办机构退回", "withdrawn": "已撤销",
}

ENROLLMENT_TYPES = {"new": "正常增员", "back_payment": "补缴"}


def label(table: dict[str, str], key: str) -> str:
    """The Chinese label (the code itself stays in ledger.json and the JSON views)."""
    return table.get(key, key)


NOTICE_PURPOSES = {
    "return_to_work": "复工通知",
    "determination_decision": "工伤认定结果通知",
    "appraisal_conclusion": "劳动能力鉴定结论通知",
    "negotiation_invitation": "工伤赔偿协商邀请",
    "settlement_payment": "工伤待遇支付通知",
    "case_reminder": "工伤案件提醒",
    "emergency_contact": "请紧急联系人转告",
    "case_escalation": "工伤案件逾期升级",
    "case_chase": "工伤案件催办",
    "si_reminder": "社保登记到期提醒",
    "si_escalation": "社保登记逾期通知",
    "notice_escalation": "员工未答复通知",
    "generic": "通知",
}

CASE_STAGES = {
    "reported": "已报告事故", "materials_filed": "已备齐申请材料",
    "determination_applied": "已申请工伤认定", "determination_decided": "工伤认定已作出",
    "suspension": "停工留薪期中", "returned": "职工已返岗", "appraisal": "劳动能力鉴定中",
    "settlement": "赔偿协商中", "paid": "赔偿已支付", "closed": "已结案", "withdrawn": "已撤回",
}

DEADLINE_KINDS = {"duty": "用人单位义务", "authority": "行政机关期限", "right": "职工权利期间",
                  "target": "内部目标"}

COURIER_STATUS = {"posted": "已寄出", "in_transit": "运输中", "signed": "已签收", "returned": "已退回"}

DISPUTE_EVENTS = {
    "arose": "发生争议", "mediation": "调解", "arbitration_filed": "申请劳动仲裁",
    "award": "仲裁裁决", "lawsuit": "提起诉讼", "judgment": "法院判决",
    "administrative_review": "申请行政复议", "resolved": "争议解决",
}

OFFER_PARTIES = {"employer": "用人单位报价", "employee": "职工要求"}

NOTICE_CHANNELS = {"sms": "短信", "email": "电子邮件", "outbox": "系统发件箱", "wecom": "企业微信",
                   "dingtalk": "钉钉"}

RECIPIENT_ROLES = {"employee": "职工", "hr": "人事", "hr_manager": "人事负责人",
                   "department_manager": "部门负责人", "manager": "部门负责人"}

NOTICE_RESULTS = {"open": "等待答复", "acknowledged": "职工已确认", "unacknowledged": "职工未确认",
                  "sent": "已发出"}
