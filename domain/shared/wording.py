"""The one place where a code, a citation, a region or a recorder becomes words for a reader.

Every PDF passes what it shows through `Words`: Chinese (the default, for an arbitrator or a court:
labels from domain.shared.labels, citations as 《工伤保险条例》第二十条) or English on request
(`?lang=en`: the phrases below, citations as the domain writes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from domain.notices.proof import PROOF_GRADES_ZH
from domain.shared import labels
from domain.shared.calendar import local
from domain.shared.citations import article_zh

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# 参保地: the regions of the policy data (domain/data/*.json), by province-level division.
REGIONS = {
    "beijing": "北京市", "tianjin": "天津市", "hebei": "河北省", "shanxi": "山西省",
    "neimenggu": "内蒙古自治区", "liaoning": "辽宁省", "jilin": "吉林省", "heilongjiang": "黑龙江省",
    "shanghai": "上海市", "jiangsu": "江苏省", "zhejiang": "浙江省", "anhui": "安徽省",
    "fujian": "福建省", "jiangxi": "江西省", "shandong": "山东省", "henan": "河南省",
    "hubei": "湖北省", "hunan": "湖南省", "guangdong": "广东省", "guangxi": "广西壮族自治区",
    "hainan": "海南省", "chongqing": "重庆市", "sichuan": "四川省", "guizhou": "贵州省",
    "yunnan": "云南省", "xizang": "西藏自治区", "shaanxi": "陕西省", "gansu": "甘肃省",
    "qinghai": "青海省", "ningxia": "宁夏回族自治区", "xinjiang": "新疆维吾尔自治区",
}

# Who recorded an entry when no person did: the system, or an outside party through its gateway.
ACTORS = {
    "system": ("系统自动记录", "the system"),
    "employee": ("职工本人", "the employee"),
    "retention": ("系统（数据保存期限到期处理）", "the system (retention)"),
    "hospital": ("医院诊断接口", "the hospital gateway"),
    "courier": ("快递公司回传", "the courier"),
    "authority_simulator": ("社会保险行政部门（测试环境模拟）", "the injury authority (simulated)"),
    "courier_simulator": ("快递公司（测试环境模拟）", "the courier (simulated)"),
    "bureau_simulator": ("社保经办机构（测试环境模拟）", "the SI bureau (simulated)"),
    "si_bureau": ("社保经办机构", "the SI bureau"),
    "authority": ("社会保险行政部门", "the injury authority"),
    "tsa": ("可信时间戳服务机构", "the time-stamping authority"),
    "bureau": ("社保经办机构", "the SI bureau"),
    "injury_authority": ("社会保险行政部门", "the injury authority"),
}

DOCUMENT_KINDS = {
    "accident_report": "事故报告", "diagnosis": "诊断证明", "surgery_record": "手术记录",
    "invoice": "医疗费用票据", "courier_receipt": "快递回执", "agreement": "赔偿协议",
    "delay_evidence": "延迟原因证明", "determination_form": "工伤认定申请表（系统生成）",
    "bureau_receipt": "经办机构回执", "payment_voucher": "支付凭证",
    "labour_contract": "书面劳动合同", "other": "其他材料",
    "withdrawal_application": "社保增员撤销申请（系统生成）",
    "return_notice": "返岗通知书（系统生成）",
}

# Payload fields the event table explains (others stay in ledger.json, not in the PDF).
PAYLOAD_FIELDS = {
    "reason": "原因", "note": "备注", "reference": "文号", "recognised": "是否认定工伤",
    "decided_on": "决定日期", "accepted_on": "受理日期", "applied_on": "申请日期",
    "grade": "伤残等级", "amount": "金额（元）", "party": "报价方", "months": "月数",
    "filename": "文件名", "sha256": "SHA-256", "tracking_number": "运单号", "carrier": "快递公司",
    "status": "状态", "signed_by": "签收人", "purpose": "用途", "channel": "渠道",
    "recipient": "收件人", "text": "内容", "return_date": "返岗日期", "due_at": "届满时间",
    "contribution_base": "缴费基数", "type": "类型", "bureau_reference": "经办机构流水号",
    "hire_date": "入职日期", "region": "参保地", "employee_name": "职工姓名", "forum": "机构",
    "event": "事项", "entries": "记录条数", "invoice_number": "发票号码", "hospital": "医院",
    "head": "链头哈希", "gen_time": "签发时间", "seq": "序号", "tsa_url": "时间戳服务地址",
    "simple_case": "简易程序", "extended_months": "延长月数", "name": "名称", "kind": "材料类别",
    "proof": "送达证明",
}

_MOMENTS = {"gen_time", "due_at", "withdrawal_window_ends", "at"}

# Payload values that are codes, by field: the event table shows them in words.
_STATUS = {**labels.COURIER_STATUS, **labels.NOTICE_RESULTS, "failed": "发送失败",
           "delivered": "已送达", "read": "已阅读", "opened": "邮件已打开", "sent": "已发出"}
PAYLOAD_VALUES: dict[str, dict[str, str]] = {
    "purpose": labels.NOTICE_PURPOSES, "channel": labels.NOTICE_CHANNELS,
    "party": labels.OFFER_PARTIES, "status": _STATUS, "event": labels.DISPUTE_EVENTS,
    "type": labels.ENROLLMENT_TYPES, "kind": DOCUMENT_KINDS, "region": REGIONS,
    "note": {"generated from the case data": "根据案件数据生成"},
    "proof": PROOF_GRADES_ZH,  # each grade with what it proves (domain/notices/proof.py)
}


@dataclass(frozen=True)
class Words:
    """Words for one reader's language."""

    lang: Lang = "zh"

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def t(self, zh: str, en: str, **values: object) -> str:
        """The phrase in the reader's language, its {placeholders} filled in."""
        text = zh if self.zh else en
        return text.format(**values) if values else text

    def label(self, table: dict[str, str], key: str) -> str:
        """A code as its label: Chinese from the table; English as the code's words."""
        if self.zh:
            return table.get(key, key)
        return key.replace("_", " ")

    def article(self, citation: str) -> str:
        """A citation: 《工伤保险条例》第二十条 in Chinese; as the domain writes it in English."""
        if self.zh:
            return article_zh(citation)
        return citation.replace("product rule (seed KPI)", "product rule")

    def region(self, code: str) -> str:
        return REGIONS.get(code, code) if self.zh else code.capitalize()

    def actor(self, name: str) -> str:
        """Who recorded something: a person's name as recorded, a system party in words."""
        known = ACTORS.get(name)
        if known is None:
            return name
        return known[0] if self.zh else known[1]

    def document_kind(self, kind: str) -> str:
        return DOCUMENT_KINDS.get(kind, "其他材料") if self.zh else kind.replace("_", " ")

    def status(self, key: str) -> str:
        """A deadline's status: 已按期完成 / 逾期 / 未到期."""
        return self.label(labels.DEADLINE_STATUS, key)

    def yes(self, value: bool) -> str:
        return self.t("是", "yes") if value else self.t("否", "no")

    def value(self, key: str, value: object) -> str:
        """A payload value in words: a code by its field's table, a yes/no, else as recorded."""
        if isinstance(value, bool):
            return self.yes(value)
        text = str(value)
        if key in _MOMENTS:
            try:
                return local(datetime.fromisoformat(text))  # Beijing time, as the PDF says
            except ValueError:
                return text
        if self.zh and key in PAYLOAD_VALUES:
            return PAYLOAD_VALUES[key].get(text, text)
        return text

    def field(self, key: str) -> str | None:
        """A payload field's name for the event table, or None where the PDF leaves it out."""
        if self.zh:
            return PAYLOAD_FIELDS.get(key)
        return key if key in PAYLOAD_FIELDS else None


ZH = Words("zh")


def words(lang: str) -> Words:
    """Words for `lang` ("zh" or "en"); anything else is a ValueError."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}")
    return Words("zh" if lang == "zh" else "en")
