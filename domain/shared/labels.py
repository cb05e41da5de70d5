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
    "policy_recomputed": "依管理员载入的官方数据重新核定缴费基数上下限或缴费比例",
    "withdrawal_window_recomputed": "依管理员载入的官方数据重新核定增员撤销时限（适用于此后办结的增员）",
    "figures_notice_sent": "缴费基数上下限变更，已通知人事复核增员申请",
    "estimate_figures_changed": "赔偿估算所用政策数据已更新",
    "expense_recorded": "登记工伤费用（医疗票据、住院伙食补助或异地就医交通食宿费）",
    "expense_travel_approved": "记录经办机构同意异地就医（交通食宿费计入）",
    "expense_claim_exported": "导出工伤医疗费用申领明细",
    "case_outcome": "结案记录（纠纷数据库）",
    "ledger_timestamped": "可信时间戳机构对证据链链头签发时间戳",
    "assigned": "指派经办人",
    "benefit_claim_failed": "工伤待遇申领未成功",
    "bureau_outcome_recorded": "记录社保经办机构办理结果",
    "calendar_loaded": "载入节假日安排",
    "determination_not_accepted": "工伤认定申请未被受理",
    "determination_paused": "工伤认定中止（等待司法机关或有关行政主管部门的结论）",
    "determination_resumed": "工伤认定恢复（已作出结论，认定时限继续计算）",
    "late_application_costs": "用人单位逾期申请工伤认定：期间费用由用人单位负担",
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
    "change_proposed": "职工提交个人信息变更",
    "change_approved": "人事通过职工的信息变更",
    "change_rejected": "人事驳回职工的信息变更",
    "written_contract_watch_opened": "开始跟踪书面劳动合同签订期限（用工之日起一个月）",
    "written_contract_reminder_sent": "书面劳动合同签订期限即将届满提醒",
    "written_contract_escalated": "用工满一个月未订立书面劳动合同，已升级通知（二倍工资起算）",
    "open_ended_contract_deemed": "用工满一年未订立书面劳动合同，视为已订立无固定期限劳动合同",
    "written_contract_signed": "登记已签订的书面劳动合同",
    "written_contract_watch_closed": "劳动关系结束，停止跟踪书面劳动合同",
    "employment_left": "员工离职（登记离职日期），书面劳动合同的二倍工资计至离职之日",
    "monthly_wage_recorded": "登记月工资（二倍工资计算基数）",
    "leave_date_corrected": "更正离职日期（减员期限与二倍工资按更正后的日期计算）",
}

DEADLINE_NAMES = {
    "si_registration": "社会保险登记期限（入职之日起30日）",
    "contract_si_mismatch": "劳动合同履行30日参保核对",
    "written_contract": "订立书面劳动合同（用工之日起一个月内）",
    "materials_filed": "工伤认定材料备齐（报告后24小时，内部目标）",
    "determination_application": "用人单位申请工伤认定（事故之日起30日）",
    "employee_application": "职工本人申请工伤认定（事故之日起1年）",
    "determination_acceptance": "工伤认定申请受理审核（提出申请之日起15日）",
    "determination_decision": "工伤认定决定（受理之日起60日/15日）",
    "administrative_review": "不服认定申请行政复议（收到决定之日起60日）",
    "suspension_end": "停工留薪期届满",
    "appraisal_conclusion": "劳动能力鉴定结论（60日，可延长30日）",
    "reappraisal_conclusion": "再次鉴定结论（60日，可延长30日）",
    "reappraisal_request": "申请再次鉴定（收到结论之日起15日）",
    "settlement_agreement": "赔偿协商（15日内部目标）",
    "arbitration_claim": "劳动仲裁时效（1年）",
}

DEADLINE_STATUS = {"upcoming": "未到期", "met": "已按期完成", "missed": "逾期",
                   "paused": "中止计算"}

WRITTEN_CONTRACT_STATUS = {
    "upcoming": "未到期", "met": "已按期签订", "missed": "逾期未签（二倍工资累计中）",
    "signed_late": "逾期后补签", "open_ended_deemed": "满一年未签，视为无固定期限劳动合同",
    "ended": "劳动关系已结束", "ended_missed": "劳动关系已结束（结束前逾期未签）",
}
"""The written-contract watch's statuses (domain/employees/written_contract_watch.status_of)."""

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
    "written_contract_reminder_sent": "书面劳动合同签订提醒",
    "written_contract_escalated": "书面劳动合同逾期通知",
    "open_ended_contract_deemed": "视为无固定期限劳动合同通知",
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

CASE_ACTIONS = {
    "file_materials": "提交认定材料", "apply_determination": "申请工伤认定",
    "record_acceptance": "登记受理", "record_determination": "登记认定结论",
    "grant_extension": "登记延期批准", "start_suspension": "开始停工留薪期",
    "extend_suspension": "延长停工留薪期", "record_return": "登记返岗",
    "record_courier_notice": "登记邮寄通知", "record_courier_status": "登记邮件状态",
    "record_benefit_claim": "登记待遇申领结果", "record_contact": "登记与职工联系",
    "apply_appraisal": "申请劳动能力鉴定", "record_appraisal": "登记鉴定结论",
    "request_reappraisal": "申请再次鉴定", "open_negotiation": "开始赔偿协商",
    "record_offer": "登记报价", "record_agreement": "登记赔偿协议", "record_payment": "登记支付",
    "record_dispute": "登记争议进展", "withdraw": "撤回案件", "close": "结案",
    "override_si_standing": "更正参保状态",
    "pause_determination": "登记认定中止", "resume_determination": "登记中止结论（恢复计时）",
}
"""The HR actions on a case (domain/injury/rules.py ACTIONS), as the workspace names them."""

REFUSALS = {
    "role.forbidden": "您的角色无权办理此事项。",
    "stage.conflict": "案件当前阶段不能办理此事项。",
    "case.closed": "案件已结束，不再办理任何事项。",
    "materials.missing": "工伤认定申请材料不全：请先提交所缺材料，或填写材料不全仍申请的理由。",
    "materials.required": "请至少勾选一项已备齐的材料。",
    "materials.unknown": "所选材料不在本案的材料清单中。",
    "documents.required": "此事项须附上文件（先在下方上传）。",
    "recognised.required": "请选择是否认定为工伤。",
    "accepted.required": "请选择基金是否受理。",
    "si_enrolled.required": "请选择是否已参保。",
    "si_standing.unchanged": "所填参保状态与现有记录相同，无需更正。",
    "on.required": "请填写日期。", "on.future": "日期不能晚于今天。",
    "on.before_accident": "日期不能早于事故日。", "on.before_application": "日期不能早于申请日。",
    "on.before_suspension": "日期不能早于停工留薪期开始日。",
    "on.before_acceptance": "中止日期不能早于受理日。", "on.before_pause": "结论日期不能早于中止日。",
    "received_on.future": "送达（收到）日期不能晚于今天。",
    "received_on.before_decision": "送达（收到）日期不能早于决定或结论作出之日。",
    "diagnosed_on.required": "职业病须填写诊断或鉴定之日。",
    "diagnosed_on.future": "诊断或鉴定日期不能晚于今天。",
    "diagnosed_on.before_accident": "诊断或鉴定日期不能早于所报的接触（事故）日期。",
    "diagnosed_on.not_occupational": "仅职业病案件填写诊断或鉴定日期。",
    "date.outside_window": "日期超出可接受的范围。",
    "until.required": "请填写延至的最后一日。", "until.not_later": "延至日期须晚于原期限。",
    "until.beyond_maximum": "延期超过法定上限。",
    "months.required": "请填写月数。", "months.beyond_maximum": "月数超过法定上限。",
    "int.range": "数值超出允许范围。", "grade.range": "伤残等级须为 1 至 10 级或未达等级。",
    "amount.positive": "金额须大于零。", "party.unknown": "请选择报价方。",
    "purpose.unknown": "请选择邮寄的通知。", "status.choice": "请选择邮件状态。",
    "event.unknown": "请选择争议进展。", "tracking_number.unknown": "没有这个运单号的邮寄记录。",
    "tracking_number.format": "运单号须为 6 至 30 位字母或数字。",
    "courier.duplicate": "这个运单号已登记过。",
    "deadline.not_open": "所选期限已不在进行中。", "deadline.not_extendable": "所选期限不能延期。",
    "reappraisal.window_closed": "申请再次鉴定的 15 日期限已过。",
    "meeting.time_missing": "请同时填写协商时间和地点。", "meeting.past": "协商时间须在将来。",
    "text.control_character": "文字中含有不可见的控制字符。",
    "document.kind": "请选择文件类别。", "document.too_large": "文件过大。",
    "document.type": "文件须为 PDF、JPEG 或 PNG。", "document.empty": "文件是空的。",
    "bill_date.future": "票据日期不能晚于今天。", "expense.amount": "金额须大于零且不超过票面金额。",
    "expense.document_unknown": "所选扫描件不是本案的文件。",
    "expense.duplicate_file": "这份扫描件已登记过。", "expense.duplicate_invoice": "这张发票已登记过。",
    "expense.file_mismatch": "扫描件与所填哈希不一致。",
    "expense.insurance_above_eligible": "医保统筹支付不能超过符合目录的金额。",
    "expense.missing": "请填写必填项。", "expense.overpaid": "各方支付合计超过了票面金额。",
    "expense.kind": "请选择费用项目。",
    "expense.not_medical_insurance":
        "医保不支付住院伙食补助费和异地就医交通食宿费：医保相关栏目请留空，支付方选职工或单位。",
    "expense.not_for_kind":
        "所填栏目不属于所选费用项目（住院日期和标准只用于伙食补助，同意文号只用于交通食宿费）。",
    "expense.stay_missing": "伙食补助须填写入院日期、出院日期、每日标准及标准依据。",
    "expense.stay_order": "出院日期不能早于入院日期。",
    "expense.already_approved": "这笔交通食宿费已记录过经办机构同意文号。",
    "expense.not_found": "本案没有这条费用记录。",
    "expense.stay_before_accident": "入院日期不能早于事故日期：伙食补助只针对本次工伤的住院。",
    "expense.daily_standard": "每日伙食补助标准须大于零且不超过 1000 元。",
    "expense.standard_source": "请填写每日标准所依据的统筹地区文件（名称及文号）。",
    "expense.allowance_mismatch": "金额须等于住院天数乘以每日标准（可不填，由系统计算）。",
    "expense.stay_overlap": "这段住院与已登记的住院日期重叠：同一天只能计一次伙食补助。",
    "expense.bill_date": "伙食补助以出院日期为准，票据日期请留空。",
    "discharged_on.future": "出院日期不能晚于今天。",
    "compensation.no_grade": "案件尚无伤残等级（未申请鉴定或鉴定未结束）：请选择伤残等级后再估算。",
    "grade.invalid": "伤残等级须为 1 至 10 级。", "grade.out_of_range": "伤残等级须为 1 至 10 级。",
    "compensation.average_wage_missing":
        "数据表中没有该地区当年的职工月平均工资：请按当地公布的上年度数据填写。",
    "compensation.wage_missing": "请填写受伤前 12 个月的平均月工资，或各月工资（二选一）。",
    "compensation.wage_months": "各月工资须为 1 至 12 个月。",
    "compensation.contract_ends_before_injury": "劳动合同到期日早于受伤日。",
    "compensation.suspension_too_long": "停工留薪期一般不超过 12 个月，经确认最长可延长 12 个月。",
    "compensation.nursing_level": "请选择生活护理等级。", "region.unknown": "不认识这个统筹地区。",
    "compensation.died_on_without_death": "死亡日期只适用于因工死亡。",
    "compensation.died_before_injury": "死亡日期不能早于受伤日期。",
    "died_on.future": "死亡日期不能晚于今天。",
    "compensation.grade_or_death":
        "请填写伤残等级或选择因工死亡（停工留薪期满后死亡的一至四级伤残职工除外）。",
    "compensation.timing_without_death": "“停工留薪期满后死亡”只适用于因工死亡。",
    "compensation.death_after_suspension_grade":
        "停工留薪期满后死亡的，只有一至四级伤残职工的近亲属享受丧葬补助金和供养亲属抚恤金"
        "（《工伤保险条例》第三十九条第三款）：请填写一至四级伤残等级。",
    "compensation.provincial_average_missing":
        "数据表中没有上年度全省职工月平均工资：请按解除或终止劳动关系时的公布数据填写。",
    "compensation.relation": "供养亲属的关系须为配偶、子女、父母、祖父母、孙子女或兄弟姐妹。",
    "compensation.two_spouses": "供养亲属中至多一名配偶。",
    "compensation.relation_missing": "请为标记为孤儿或孤寡老人的供养亲属选择关系。",
    "compensation.orphan_position": "孤儿或孤寡老人须是所列供养亲属之一。",
    "compensation.dependants_without_death":
        "只有因工死亡时供养亲属才领取抚恤金（《工伤保险条例》第三十九条）。",
    "compensation.nursing_after_death": "生活护理费只适用于在世的伤残职工，不适用于因工死亡。",
    "expense.paid_by": "请选择当时由谁支付。", "expense.slip_mismatch": "结算单合计与票据金额不一致。",
    "reason.required": "驳回须填写理由（将告知职工）。",
    "withdrawal.reason_required": "请填写撤销理由（将写入撤销申请）。",
    "proposal.decided": "此申请已处理或已被新的申请取代。",
    "proposal.outdated": "提交申请后档案已变更，请驳回并请职工重新提交。",
    "owed.period.format": "欠缴月份须为“年-月”（YYYY-MM）。",
    "late_fee.amount": "欠缴金额须为零或正数，精确到分。",
    "late_fee.month_repeated": "同一欠缴月份只能列一次。",
    "back_payment.before_hire": "补缴测算日不能早于入职日。",
    "contribution_base.negative": "缴费基数不能为负数。",
    "monthly_wage.range": "月工资须大于零且不超过一千万元。",
    "monthly_wage.fen": "月工资最多保留两位小数（分）。",
    "signed_on.future": "签订日期不能晚于今天。",
    "signed_on.before_start": "签订日期早于用工之日一年以上，请确认是否为本次用工的劳动合同。",
    "signed_on.after_as_of": "签订日期晚于测算日。",
    "document.required": "请上传已签订的书面劳动合同。",
    "document.not_a_contract": "所选文件不是本次用工的书面劳动合同（先上传，类别选“书面劳动合同”）。",
    "written_contract.recorded": "书面劳动合同已登记，不能重复登记。",
    "written_contract.ended": "劳动关系已结束，不再登记书面劳动合同。",
    "leave.correction_at_bureau": "减员已交社保经办机构办理或已办结，离职日期请先向经办机构更正。",
    "leave.not_recorded": "尚未登记离职，没有可更正的离职日期；请先登记离职。",
    "leave.changed": "离职日期已被他人更正，请重新查看后再更正。",
    "leave_date.before_hire": "离职日期不能早于入职日期。",
    "leave_date.after_next_hire": "离职日期须早于该员工再次入职的日期：两段用工不能重叠。",
}
"""What the workspace says, in Chinese, when an action is refused, by the rule's code; the
rule's own message (with its particulars) follows it."""

CASE_TASKS = {
    "file_materials": "补齐工伤认定申请材料", "apply_determination": "申请工伤认定",
    "await_determination": "等待社保行政部门作出工伤认定",
    "next_step": "办理下一步：停工留薪、劳动能力鉴定、再次鉴定、赔偿协商或结案",
    "decide_review": "决定是否申请行政复议，或结案", "track_return": "职工返岗或延长停工留薪期",
    "await_appraisal": "等待劳动能力鉴定结论",
    "await_acceptance": "等待社保行政部门受理工伤认定申请（15日内）",
    "await_conclusion": "工伤认定已中止：取得司法机关或有关行政主管部门的结论后登记",
    "reach_agreement": "达成赔偿协议",
    "pay_settlement": "支付约定的赔偿", "close": "结案",
    "courier_notice": "以邮政特快专递或顺丰快递邮寄书面复工通知，并登记快递公司和运单号",
    "contact_employee": "联系职工：致电紧急联系人或上门家访，并登记",
    "review_answer": "职工已答复复工通知：请审阅答复",
    "courier_returned": "书面通知被退回：请换地址或上门送达",
    "courier_decision": "职工未确认决定通知：请邮寄书面通知",
    "form_by_hand": "手工填写工伤认定申请表（系统未能生成），作为申请材料提交",
    "diagnosis_by_hand": "向医院取得诊断证明（系统未能获取），作为申请材料提交",
    "submit_by_hand": "到窗口或邮寄提交工伤认定申请（电子申报未成功）",
    "benefit_claim_by_hand": "到社保经办机构手工申领工伤保险待遇（电子申领未成功）",
    "courier_tracking_by_hand": "在快递公司网站查询书面通知的投递并登记（登记跟踪未成功）",
}
"""A case's open tasks (domain/injury/overview.py) as the workspace names them."""

COMPENSATION_ITEMS = {
    "suspension_wages": "停工留薪期工资福利", "one_time_disability_subsidy": "一次性伤残补助金",
    "monthly_disability_allowance": "伤残津贴（按月）", "minimum_wage_top_up": "补足至最低工资的差额",
    "nursing_care": "生活护理费", "one_time_medical_subsidy": "一次性工伤医疗补助金",
    "one_time_employment_subsidy": "一次性伤残就业补助金", "funeral_subsidy": "丧葬补助金",
    "one_time_death_subsidy": "一次性工亡补助金", "dependant_pension": "供养亲属抚恤金",
    "late_period_medical_expenses":
        "逾期申请期间的工伤医疗费、住院伙食补助费（由基金转由用人单位负担）",
    "late_period_dependant_pension": "逾期申请期间的供养亲属抚恤金（由基金转由用人单位负担）",
}
"""The line items of a compensation estimate (domain/compensation/items.py codes)."""

COMPENSATION_OPTIONS = {
    "keep_employment":
        "保留劳动关系：安排适当工作，难以安排的按月发给伤残津贴（《工伤保险条例》第三十六条第一款）",
    "end_employment":
        "职工本人提出解除劳动关系：一次性工伤医疗补助金和一次性伤残就业补助金（第三十六条第二款）",
}
"""The two choices of a grade 5-6 worker (domain/compensation/estimate.py options), shown apart."""

DEPENDANT_RELATIONS = {
    "spouse": "配偶", "child": "子女", "parent": "父母", "grandparent": "祖父母、外祖父母",
    "grandchild": "孙子女、外孙子女", "sibling": "兄弟姐妹",
}
"""Dependants' relations (MOLSS Order 18 art. 2), for the per-dependant pensions."""

PAYERS = {"fund": "工伤保险基金", "employer": "用人单位"}
