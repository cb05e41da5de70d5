"""The filled-in 工伤认定申请表 from the case data (Regs. art. 18 ¶2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.injury.forms import ApplicationForm, application_form
from domain.injury.materials import checklist_for
from domain.injury.payloads import CaseInput, CaseTiming, Witness
from domain.shared.company import Company
from tests.factories import employee

GENERATED_AT = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 2026-11-25 01:30 in Beijing
MALE_ID = "110105198001010016"  # born 1980-01-01, 17th digit odd


def case_input(case_id: str = "C1001", **overrides: Any) -> CaseInput:
    """A Beijing case: 张三 (ID 11010519491231002X) cut his hand at 09:30 Beijing time."""
    checklist = checklist_for("beijing", traffic_accident=False, has_witnesses=True)
    values: dict[str, Any] = {
        "case_id": case_id, "employee": employee(), "region": "beijing",
        "accident_at": datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        "location": "一号车间冲压线", "description": "操作冲床时右手被模具夹伤，\n班组长立即送医。",
        "injury": "右手食指开放性骨折", "witnesses": (Witness("李四", "13900000001"), Witness("王五")),
        "si_enrolled": True, "reported_at": datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        "created_by": "hr-alice", "materials": checklist.items, "materials_source": checklist.source,
        "timing": CaseTiming(materials_sla=timedelta(hours=24), determination_reminder_days=(7, 3, 1),
                             return_notice_lead=timedelta(days=3), notice_response=timedelta(days=3),
                             settlement_target_days=30, reminder_lead=timedelta(days=2),
                             chase_interval=timedelta(days=1)),
        "company": "北京示例制造有限公司",
    }
    values.update(overrides)
    return CaseInput(**values)


def test_the_form_has_the_fields_of_the_national_template_in_order():
    form = application_form(case_input(), GENERATED_AT)
    assert form.title == "工伤认定申请表"
    assert [label for label, _ in form.cover] == [
        "编号", "申请人", "受伤害职工", "申请人与受伤害职工关系", "填表日期"]
    assert [label for label, _ in form.rows] == [
        "职工姓名", "性别", "出生日期", "身份证号码", "联系电话", "家庭地址", "邮政编码", "工作单位",
        "单位联系电话", "单位地址", "单位邮政编码", "职业、工种或工作岗位", "参加工作时间",
        "事故时间、地点及主要原因", "诊断时间", "受伤害部位", "职业病名称", "接触职业病危害岗位",
        "接触职业病危害时间", "受伤害经过简述（可附页）"]
    assert [b.heading for b in form.boxes] == [
        "申请事项：", "用人单位意见：", "社会保险行政部门审查资料和受理意见：", "备注："]


def test_values_come_from_the_case_the_resident_id_and_the_company():
    company = Company("北京示例制造有限公司", "91350100M000100Y43", "北京市朝阳区示例路1号",
                      "王人事 010-12345678")
    form = application_form(case_input(), GENERATED_AT, company)
    assert form.value("职工姓名") == form.value("受伤害职工") == "张三"
    assert form.value("性别") == "女"                      # 17th digit 2: even
    assert form.value("出生日期") == "1949年12月31日"
    assert form.value("身份证号码") == "11010519491231002X"
    assert form.value("联系电话") == "13800138000"
    assert form.value("工作单位") == form.value("申请人") == "北京示例制造有限公司"
    assert form.value("单位地址") == "北京市朝阳区示例路1号"
    assert form.value("单位联系电话") == "王人事 010-12345678"
    assert form.value("申请人与受伤害职工关系") == "用人单位"
    assert form.value("事故时间、地点及主要原因") == "2026年11月23日 09:30（北京时间），一号车间冲压线"
    assert form.value("受伤害部位") == "右手食指开放性骨折"
    assert form.value("受伤害经过简述（可附页）").endswith("证人：李四、王五")
    assert form.boxes[0].text == "申请认定张三于2026年11月23日所受事故伤害为工伤。"
    assert form.boxes[3].text == "已参加工伤保险。"


def test_what_the_records_do_not_hold_is_left_blank_never_invented():
    form = application_form(case_input(), GENERATED_AT)
    for blank in ("编号", "家庭地址", "邮政编码", "单位邮政编码", "职业、工种或工作岗位", "参加工作时间",
                  "诊断时间", "职业病名称", "接触职业病危害岗位", "接触职业病危害时间", "单位地址"):
        assert form.value(blank) == "", blank
    assert form.boxes[1].text == form.boxes[2].text == ""  # the employer's and authority's boxes
    assert form.value("工作单位") == "北京示例制造有限公司"  # the case's company without settings


def test_the_fill_date_is_the_beijing_date_of_generation():
    assert application_form(case_input(), GENERATED_AT).value("填表日期") == "2026年11月25日"


def test_a_male_employee_and_a_case_without_witnesses_or_insurance():
    case = case_input(employee=employee(id_number=MALE_ID), witnesses=(), si_enrolled=False)
    form = application_form(case, GENERATED_AT)
    assert (form.value("性别"), form.value("出生日期")) == ("男", "1980年01月01日")
    assert "证人" not in form.value("受伤害经过简述（可附页）")
    assert form.boxes[3].text.startswith("未参加工伤保险")


def test_an_id_that_does_not_parse_leaves_sex_and_birth_date_blank():
    case = case_input(employee=replace(employee(), id_number="E12345678"))
    form = application_form(case, GENERATED_AT)
    assert (form.value("性别"), form.value("出生日期"), form.value("身份证号码")) == ("", "", "E12345678")


def test_the_text_rendering_lists_every_row_the_boxes_and_the_basis():
    form = application_form(case_input(), GENERATED_AT)
    text = form.text()
    assert text.startswith("工伤认定申请表\n")
    assert "职工姓名：张三\n" in text
    assert "受伤害经过简述（可附页）：操作冲床时右手被模具夹伤，\n班组长立即送医。\n" in text
    assert "社会保险行政部门审查资料和受理意见：\n经办人签字：\n负责人签字：" in text
    assert text.rstrip().endswith("依据：《工伤保险条例》第十八条；《工伤认定办法》第六条、第二十六条")


def test_the_form_is_a_frozen_value():
    form = application_form(case_input(), GENERATED_AT)
    assert form == application_form(case_input(), GENERATED_AT)
    assert isinstance(form, ApplicationForm) and hash(form)
