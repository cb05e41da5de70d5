"""The workspace's words, Chinese first (zh-CN) and English; the domain's labels
(domain/shared/labels.py) name statuses, stages, deadlines and events in Chinese."""

from __future__ import annotations

from typing import Any

from domain.shared import labels

LANGS = ("zh", "en")
WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "app": "Caseguard 人事工作台", "lang_other": "English", "lang_other_code": "en",
        "sign_in": "登录", "sign_out": "退出登录", "email": "邮箱", "password": "密码",
        "bad_login": "邮箱或密码不正确。",
        "locked": "登录失败次数过多，该账户已暂时锁定，请在 15 分钟后再试，或请管理员重设密码。",
        "too_many": "此地址的登录失败次数过多，请稍后再试。",
        "csrf": "表单已失效（可能已在其他窗口退出或页面过期）。请刷新页面后重试。",
        "signed_out": "您已退出登录。", "forbidden": "您的角色无权查看此页面。",
        "not_found": "未找到此记录，或它不属于您负责的部门。",
        "dashboard": "今日待办", "onboardings": "社保增员", "cases": "工伤案件",
        "overdue": "已逾期", "today": "今日到期", "week": "7 日内到期",
        "nothing": "无", "deadline": "期限", "due": "到期时间", "article": "依据",
        "owner": "负责人", "employee": "员工", "department": "部门", "record": "记录",
        "notices": "待答复的通知", "recipient": "收件人", "purpose": "事由",
        "sent": "发出时间", "admin_tasks": "待管理员处理", "detail": "详情",
        "opened": "发现时间", "occurrences": "次数",
        "status": "状态", "all": "全部", "filter": "筛选", "hire_date": "入职日期",
        "si_due": "参保登记期限", "region": "地区", "timeline": "时间线",
        "deadlines": "期限", "event": "事件", "actor": "操作人", "at": "时间",
        "requests": "增员申请", "stage": "阶段", "next_deadline": "下一个期限",
        "accident": "事故时间", "tasks": "待办任务", "total": "共", "kind": "类别",
        "set_password": "设置密码", "new_password": "新密码（至少 12 个字符）",
        "password_set": "密码已设置，请登录。", "link_invalid": "此链接无效（已使用、已过期或已被替换）。",
        "signed_in_as": "当前用户",
        "actions": "操作", "submit": "提交增员申请", "type": "增员类型",
        "type_new": "正常增员", "type_back_payment": "补缴", "base": "缴费基数（元）",
        "note": "备注", "reason": "理由", "approve": "复核通过", "reject": "驳回",
        "estimate": "补缴费用估算", "item": "项目", "amount": "金额（元）", "formula": "计算方式",
        "estimate_total": "合计", "confirm_back_payment": "确认按此金额提交补缴",
        "checked_cost": "我已核对补缴金额", "cost": "补缴金额", "number": "编号",
        "submitted_by": "提交人", "refused": "操作未完成", "back": "返回，不提交",
        "case_actions": "可办理事项", "no_actions": "此阶段没有可办理的事项。",
        "documents": "文件", "no_documents": "尚无文件。", "upload": "上传文件",
        "document_kind": "文件类别", "file": "文件（PDF、JPEG 或 PNG）", "uploaded_by": "上传人",
        "bundle": "下载证据包（ZIP）",
        "bundle_hint": "含时间线 PDF、证据台账、全部文件及哈希清单，可供仲裁使用。",
        "yes": "是", "no": "否", "unset": "请选择",
        "reviews": "职工信息变更审核",
        "reviews_hint": "职工通过个人链接提交的变更，通过后即写入员工档案，结果会通知职工。",
        "field": "项目", "before": "档案现值", "after": "申请变更为", "approve_change": "通过并更新档案",
        "reject_reason": "驳回理由（驳回时必填，将告知职工）", "open_reviews": "待审核的职工信息变更",
    },
    "en": {
        "app": "Caseguard HR workspace", "lang_other": "中文", "lang_other_code": "zh",
        "sign_in": "Sign in", "sign_out": "Sign out", "email": "Email", "password": "Password",
        "bad_login": "The email or password is not right.",
        "locked": "Too many failed attempts: this account is locked for 15 minutes. Try again "
                  "later or ask an admin to reset the password.",
        "too_many": "Too many failed sign-ins from this address; try again later.",
        "csrf": "This form has expired (signed out elsewhere, or the page is old). Reload the "
                "page and try again.",
        "signed_out": "You are signed out.", "forbidden": "Your role may not see this page.",
        "not_found": "No such record, or not one of your departments'.",
        "dashboard": "Today", "onboardings": "Onboardings", "cases": "Injury cases",
        "overdue": "Overdue", "today": "Due today", "week": "Due within 7 days",
        "nothing": "Nothing", "deadline": "Deadline", "due": "Due", "article": "Article",
        "owner": "Owner", "employee": "Employee", "department": "Department",
        "record": "Record", "notices": "Unanswered notices", "recipient": "Recipient",
        "purpose": "Purpose", "sent": "Sent", "admin_tasks": "Open admin tasks",
        "detail": "Detail", "opened": "Found", "occurrences": "Times",
        "status": "Status", "all": "All", "filter": "Filter", "hire_date": "Hire date",
        "si_due": "SI registration due", "region": "Region", "timeline": "Timeline",
        "deadlines": "Deadlines", "event": "Event", "actor": "By", "at": "At",
        "requests": "Enrolment requests", "stage": "Stage", "next_deadline": "Next deadline",
        "accident": "Accident", "tasks": "Open tasks", "total": "Total", "kind": "Kind",
        "set_password": "Set your password", "new_password": "New password (12+ characters)",
        "password_set": "Your password is set: sign in.",
        "link_invalid": "This link is not valid (used, expired or replaced).",
        "signed_in_as": "Signed in as",
        "actions": "Actions", "submit": "Submit the enrolment", "type": "Type",
        "type_new": "New enrolment", "type_back_payment": "Back payment (补缴)",
        "base": "Contribution base (yuan)", "note": "Note", "reason": "Reason",
        "approve": "Approve", "reject": "Reject", "estimate": "Estimated back payment",
        "item": "Item", "amount": "Amount (yuan)", "formula": "Formula",
        "estimate_total": "Total", "confirm_back_payment": "Submit the back payment at this cost",
        "checked_cost": "I have checked the back payment's cost", "cost": "Back payment",
        "number": "No.", "submitted_by": "Submitted by", "refused": "Not done",
        "back": "Back, submit nothing",
        "case_actions": "Actions", "no_actions": "No action is open at this stage.",
        "documents": "Documents", "no_documents": "No documents yet.", "upload": "Upload",
        "document_kind": "Kind", "file": "File (PDF, JPEG or PNG)", "uploaded_by": "Uploaded by",
        "bundle": "Download the evidence bundle (ZIP)",
        "bundle_hint": "Timeline PDF, evidence ledger, every document and a manifest of hashes, "
                       "ready for arbitration.",
        "yes": "Yes", "no": "No", "unset": "Choose",
        "reviews": "Employee change reviews", "reviews_hint": "Changes employees proposed "
        "through their personal link: approving writes them to the employee record; the "
        "employee is told the outcome.",
        "field": "Field", "before": "On file", "after": "Proposed", "approve_change":
        "Approve and update the record", "reject_reason": "Reason (required to reject; the "
        "employee is told)", "open_reviews": "Open review items",
    },
}


FIELDS: dict[str, dict[str, str]] = {
    "zh": {
        "materials": "已备齐的材料", "on": "发生日期（不填为今天）", "recognised": "是否认定为工伤",
        "accepted": "基金是否受理", "si_enrolled": "是否已参保", "grade": "伤残等级",
        "months": "月数", "until": "延至（最后一日）", "deadline": "延期的期限", "party": "报价方",
        "amount": "金额（元）", "purpose": "邮寄的通知", "carrier": "快递公司",
        "tracking_number": "运单号", "status": "邮件状态", "signed_by": "签收人",
        "event": "争议进展", "forum": "受理机构", "meeting_at": "协商时间（北京时间）",
        "place": "协商地点", "bring": "请职工携带（每行一项）", "reference": "文书编号",
        "simple_case": "事实清楚、权利义务明确（15 日内作出决定）",
        "override_reason": "材料不全仍申请的理由", "reason": "理由", "documents": "附上文件",
        "note": "备注",
    },
    "en": {
        "materials": "Materials now in hand", "on": "Date (empty: today)",
        "recognised": "Recognised as a work injury", "accepted": "Accepted by the fund",
        "si_enrolled": "Enrolled in social insurance", "grade": "Disability grade",
        "months": "Months", "until": "Extended to (last day)", "deadline": "Deadline extended",
        "party": "Offer by", "amount": "Amount (yuan)", "purpose": "Notice posted",
        "carrier": "Courier", "tracking_number": "Tracking number", "status": "Status",
        "signed_by": "Signed by", "event": "Dispute step", "forum": "Forum",
        "meeting_at": "Meeting (Beijing time)", "place": "Place",
        "bring": "Bring (one per line)", "reference": "Reference number",
        "simple_case": "Facts clear (decision within 15 days)",
        "override_reason": "Why apply with materials missing", "reason": "Reason",
        "documents": "Attach documents", "note": "Note",
    },
}
"""The label of each action field on the case page's forms (api/web/case_forms.py)."""


def label(lang: str, table: dict[str, str], key: str) -> str:
    """A domain label in Chinese, or the key in words in English."""
    return table.get(key, key) if lang == "zh" else key.replace("_", " ")


def refusal(lang: str, code: str) -> str:
    """Why an action was refused, in Chinese by its rule's code ("" in English, or for a code
    with no sentence: the rule's own message says it)."""
    if lang != "zh":
        return ""
    if code in labels.REFUSALS:
        return labels.REFUSALS[code]
    field, _, rule = code.partition(".")
    return f"「{FIELDS['zh'].get(field, field)}」填写有误。" if rule in ("invalid", "required") \
        else ""


def labeller(lang: str) -> dict[str, Any]:
    """The template helpers of one language."""
    return {
        "event": lambda k: label(lang, labels.EVENT_KINDS, k),
        "deadline": lambda k: label(lang, labels.DEADLINE_NAMES, k),
        "status": lambda k: label(lang, labels.ONBOARDING_STATUS, k),
        "stage": lambda k: label(lang, labels.CASE_STAGES, k),
        "dkind": lambda k: label(lang, labels.DEADLINE_KINDS, k),
        "purpose": lambda k: label(lang, labels.NOTICE_PURPOSES, k),
        "dstatus": lambda k: label(lang, labels.DEADLINE_STATUS, k),
        "action": lambda k: label(lang, labels.CASE_ACTIONS, k),
        "task": lambda k: label(lang, labels.CASE_TASKS, k),
        "field": lambda k: FIELDS[lang].get(k, k),
        "refusal": lambda code: refusal(lang, code),
    }
