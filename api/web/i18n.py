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
        "kpis": "关键指标", "quarter": "季度", "kpi_hint": "统计期间", "beijing": "北京时间",
        "as_of": "计算于", "export_xlsx": "导出 XLSX", "no_data": "无数据", "kpi_value": "数值",
        "numerator": "分子", "denominator": "分母", "kpi_total": "合计", "trend": "近四个季度",
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
        "to_me": "发给我的通知", "to_me_hint": "近 %d 天发给您的提醒和升级通知。",
        "disputes": "历史纠纷",
        "disputes_hint": "本公司已结束的案件和导入的历史纠纷，按与所填情况的相似度排序，供准备协商参考。",
        "search_similar": "查找类似案例", "injury": "伤情", "si_enrolled": "是否已参保",
        "traffic_accident": "是否交通事故", "any": "不限", "search": "查找", "score": "相似度",
        "reference": "编号", "offers": "单位报价 / 职工要求", "agreed": "协议金额",
        "duration": "历时（天）", "outcome": "结果", "no_grade": "未达等级",
        "similar_found": "最相似的 %d 件（共检索 %d 件）", "lowest": "最低", "median": "中位数",
        "highest": "最高", "newest_disputes": "最近的纠纷", "import_disputes": "导入历史纠纷（CSV）",
        "import_hint": "UTF-8 或 Excel 保存的 GB18030；任何一行有误则全部不导入；同一文件不能导入两次。",
        "csv_file": "CSV 文件", "row": "第", "imported": "已导入 %d 条。",
        "hold_left": "复核通过后的撤回期还剩", "revoke": "撤回增员申请",
        "revoke_reason": "撤回理由", "withdraw": "申请撤销已办理的增员",
        "withdraw_reason": "撤销理由（写入撤销申请）",
        "withdraw_hint": "增员已在社保经办机构办结；撤销须向经办机构提交书面申请。",
        "print_withdrawal": "打印撤销申请", "withdrawal_window": "撤销期限至", "letters": "文书",
        "case_notices": "通知及送达记录", "answered": "答复于", "attempt": "次序",
        "channel": "渠道", "receipts": "送达回执",
        "by_hand": "待人工办理：社保增员", "since": "自",
        "by_hand_hint": "经办机构由人事手工办理：请在经办系统中完成增员，再在增员页登记结果和回执。",
        "records": "人工登记", "bureau_outcome": "登记社保经办机构的办理结果",
        "bureau_outcome_hint":
            "此增员由人事在经办机构系统中手工办理：请登记其结果，并附上回执（先在下方上传）。",
        "bureau_answer": "经办机构的答复", "accepted": "已受理／已办结", "rejected": "不予办理",
        "refused_by_bureau": "不予撤销", "bureau_reference": "业务流水号",
        "receipt_document": "回执", "bureau_reason": "不予办理的原因",
        "withdrawal_answer": "登记撤销申请的结果", "delay_reason": "登记延误原因",
        "delay_why": "为何未能按期增员（如经办系统故障）", "attach": "附上文件",
        "cancel_onboarding": "取消此次增员", "cancel_why": "取消原因（如职工未到岗）",
        "yes": "是", "no": "否", "unset": "请选择", "shown_of": "已显示（期限最近的）",
        "expenses": "医疗费用", "add_expense": "登记一张医疗票据", "invoice_number": "发票号",
        "hospital": "医院", "bill_date": "票据日期",
        "eligible_amount": "符合工伤目录的金额（元，不填为全额）",
        "paid_by": "当时由谁支付", "medical_insurance_amount": "医保统筹支付（元）",
        "slip_total": "结算单合计（元）", "third_party_amount": "第三方已赔付（元）",
        "document_id": "票据扫描件", "fund_owes": "工伤基金应付", "employer_owes": "单位应付",
        "refund": "应退还", "claim_pdf": "下载待遇申领明细（PDF）",
        "compensation": "工伤待遇估算", "compensation_inputs": "估算依据",
        "compensation_hint": "按法定项目逐项估算（支付方、依据条款、计算方式），供协商参考，不是赔偿决定。",
        "monthly_wage": "受伤前 12 个月平均月工资（元）", "grade_override": "伤残等级",
        "grade_from_case": "按案件的鉴定结论", "suspension_months": "停工留薪期月数（不填按案件）",
        "contract_ends": "劳动合同到期日", "nursing_level": "生活护理等级",
        "nursing_none": "无需护理", "nursing_complete": "生活完全不能自理",
        "nursing_mostly": "生活大部分不能自理", "nursing_partly": "生活部分不能自理",
        "regional_average": "统筹地区上年度职工月平均工资（元，不填按数据表）",
        "minimum_wage": "当地最低月工资（元，不填按数据表）", "third_party_liable": "有第三方责任",
        "do_estimate": "估算", "estimate_items": "估算结果", "grade": "伤残等级",
        "grade_given": "手工指定", "wage_basis": "本人工资", "payer": "支付方", "once": "一次性",
        "monthly": "按月", "negotiation": "协商参考区间", "sources": "所用数据及来源",
        "unverified": "未核实",
        "provincial_average": "解除劳动关系时上年度全省职工月平均工资（元，浙江；不填按数据表）",
        "average_before_end": "解除劳动关系前 12 个月平均月缴费工资（元，广东第三十五条）",
        "retirement_date": "法定退休日期（浙江第二十七条：临近退休递减就业补助金）",
        "options": "五至六级：两种选择，分别计算，不相加",
        "options_hint": "保留劳动关系按月领取伤残津贴，或职工本人提出解除劳动关系领取两项一次性补助金；"
                        "合计含上表的共同项目。",
        "option_totals": "此选择合计",
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
        "kpis": "KPIs", "quarter": "Quarter", "kpi_hint": "Counted over", "beijing": "Beijing time",
        "as_of": "as of", "export_xlsx": "Export XLSX", "no_data": "No data", "kpi_value": "Value",
        "numerator": "Met", "denominator": "Counted", "kpi_total": "All", "trend": "last four quarters",
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
        "to_me": "Sent to me", "to_me_hint": "Reminders and escalations sent to you in the last "
                                             "%d days.",
        "disputes": "Dispute history",
        "disputes_hint": "The company's finished cases and imported past disputes, ranked by "
                         "likeness to what you describe, to prepare a negotiation.",
        "search_similar": "Find similar cases", "injury": "Injury",
        "si_enrolled": "Enrolled in SI", "traffic_accident": "Traffic accident", "any": "Any",
        "search": "Search", "score": "Score", "reference": "Reference",
        "offers": "Employer offers / employee demands", "agreed": "Agreed",
        "duration": "Days", "outcome": "Outcome", "no_grade": "no grade",
        "similar_found": "The %d most similar (of %d searched)", "lowest": "lowest",
        "median": "median", "highest": "highest", "newest_disputes": "Newest disputes",
        "import_disputes": "Import past disputes (CSV)",
        "import_hint": "UTF-8, or GB18030 as Excel saves it; one bad row and nothing is "
                       "imported; the same file is not imported twice.",
        "csv_file": "CSV file", "row": "row", "imported": "%d rows imported.",
        "hold_left": "Time left to revoke the approval", "revoke": "Revoke the request",
        "revoke_reason": "Reason", "withdraw": "Apply to withdraw the executed enrolment",
        "withdraw_reason": "Reason (printed on the application)",
        "withdraw_hint": "The bureau has executed the enrolment; withdrawing it takes a written "
                         "application to the bureau.",
        "print_withdrawal": "Print the withdrawal application",
        "withdrawal_window": "Withdrawal possible until", "letters": "Letters",
        "case_notices": "Notices and their delivery", "answered": "answered",
        "attempt": "No.", "channel": "Channel", "receipts": "Receipts",
        "by_hand": "To do by hand: SI enrolments", "since": "Since",
        "by_hand_hint": "The SI bureau is worked by hand: make the enrolment in its portal, then "
                        "record its answer and receipt on the onboarding's page.",
        "records": "Recorded by hand", "bureau_outcome": "Record the SI bureau's answer",
        "bureau_outcome_hint": "HR entered this enrolment in the bureau's portal by hand: "
                               "record its answer with the receipt (upload it below first).",
        "bureau_answer": "The bureau's answer", "accepted": "Accepted", "rejected": "Rejected",
        "refused_by_bureau": "Refused", "bureau_reference": "Bureau reference",
        "receipt_document": "Receipt", "bureau_reason": "Why the bureau rejected it",
        "withdrawal_answer": "Record the answer to the withdrawal",
        "delay_reason": "Record why enrolment is late",
        "delay_why": "Why enrolment could not be made in time (e.g. the bureau's system was down)",
        "attach": "Attach documents", "cancel_onboarding": "Cancel this onboarding",
        "cancel_why": "Reason (e.g. the employee never started)",
        "yes": "Yes", "no": "No", "unset": "Choose", "shown_of": "Shown (soonest first)",
        "expenses": "Medical expenses", "add_expense": "Enter a medical bill",
        "invoice_number": "Invoice number", "hospital": "Hospital", "bill_date": "Bill date",
        "eligible_amount": "Within the injury catalogues (yuan; empty: all)",
        "paid_by": "Paid at the time by", "medical_insurance_amount": "Paid by medical insurance",
        "slip_total": "Settlement slip total", "third_party_amount": "Paid by a third party",
        "document_id": "Scan of the bill", "fund_owes": "Injury fund owes",
        "employer_owes": "Employer owes", "refund": "Refund", "claim_pdf": "Claim statement (PDF)",
        "compensation": "Compensation estimate", "compensation_inputs": "Inputs",
        "compensation_hint": "The statutory items one by one (payer, article, formula), for the "
                             "negotiation: an estimate, not a decision.",
        "monthly_wage": "Average monthly wage over the 12 months before (yuan)",
        "grade_override": "Disability grade", "grade_from_case": "The case's appraisal",
        "suspension_months": "Suspension months (empty: the case's)",
        "contract_ends": "Contract ends", "nursing_level": "Nursing level",
        "nursing_none": "None", "nursing_complete": "Completely unable to care for oneself",
        "nursing_mostly": "Mostly unable", "nursing_partly": "Partly unable",
        "regional_average": "Regional average monthly wage (empty: the data table)",
        "minimum_wage": "Local minimum monthly wage (empty: the data table)",
        "third_party_liable": "A third party is liable", "do_estimate": "Estimate",
        "estimate_items": "Estimate", "grade": "Grade", "grade_given": "given by hand",
        "wage_basis": "Wage basis", "payer": "Payer", "once": "Once", "monthly": "Monthly",
        "negotiation": "Range for the negotiation", "sources": "Figures used and their sources",
        "unverified": "unverified",
        "provincial_average": "Provincial average monthly wage when employment ends (Zhejiang; "
                              "empty: the data table)",
        "average_before_end": "Average monthly contribution wage of the 12 months before employment "
                              "ends (Guangdong art. 35)",
        "retirement_date": "Statutory retirement date (Zhejiang art. 27: the employment subsidy "
                           "falls near retirement)",
        "options": "Grades 5-6: two choices, each on its own, not added together",
        "options_hint": "Keep the job with the monthly allowance, or the worker asks to end the "
                        "employment and gets the two one-time subsidies; the totals include the "
                        "common items above.",
        "option_totals": "This choice in all",
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
        "result": lambda k: label(lang, labels.NOTICE_RESULTS, k),
        "channel": lambda k: label(lang, labels.NOTICE_CHANNELS, k),
        "action": lambda k: label(lang, labels.CASE_ACTIONS, k),
        "task": lambda k: label(lang, labels.CASE_TASKS, k),
        "field": lambda k: FIELDS[lang].get(k, k),
        "refusal": lambda code: refusal(lang, code),
    }
