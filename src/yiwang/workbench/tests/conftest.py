"""The demo province with cases made by the real services, for the workbench's tests."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from yiwang.accounts.models import Applicant, User
from yiwang.cases import engine
from yiwang.cases.models import Case, Channel
from yiwang.cases.services import Submission, perform, submit
from yiwang.organizations.models import Organization

PROVINCE = "1141000000002001X5"  # 河南省司法厅
ZHENGZHOU = "114101000100300196"  # 郑州市司法局
ZHONGMOU = "1141012201224001X9"  # 中牟县司法局 (under 郑州)
LANKAO = "11410225022540016C"  # 兰考县司法局 (under 开封)

# 基层法律服务工作者执业核准: county accepts and reviews, the city checks, decides and delivers.
COUNTY_ITEM = "SF-JC-001"
# 律师事务所设立许可: the county window accepts, the city handler reviews (收办分离).
SPLIT_ITEM = "SF-LS-006"
# 律师执业证书注销: every step at the province.
PROVINCE_ITEM = "SF-LS-003"

# A valid application form per item (checked on submission against the item's definition).
FORMS: dict[str, dict[str, Any]] = {
    COUNTY_ITEM: {
        "office_name": "中牟县城关法律服务所",
        "qualification": "法律职业资格",
        "certificate_no": "A20234101220001",
        "internship": "在基层法律服务所实习满一年",
        "internship_to": "2026-06-30",
        "phone": "13837156021",
    },
    SPLIT_ITEM: {
        "firm_name": "河南中牟正义律师事务所",
        "name_approval_no": "豫司律名〔2026〕第118号",
        "organization": "普通合伙",
        "address": "郑州市中牟县青年路 18 号 3 层",
        "phone": "0371-62171234",
        "capital": "50",
        "head_name": "张伟",
        "partners": [
            {"name": "张伟", "id_number": "410105198605170310",
             "licence_no": "14101201810123456", "years_of_practice": "8"},
            {"name": "李娜", "id_number": "410102199211030484",
             "licence_no": "14101201910234567", "years_of_practice": "5"},
        ],
    },
    PROVINCE_ITEM: {
        "licence_no": "14101201810123456",
        "firm_name": "河南中原正道律师事务所",
        "reason": "本人不愿继续执业",
        "cases_settled": "on",
    },
    "SF-FY-001": {
        "case_type": "民事或行政诉讼代理",
        "matter": "请求确认劳动关系或者支付劳动报酬",
        "summary": "用人单位拖欠工资六个月，申请代理劳动争议仲裁",
        "handling_authority": "中牟县劳动人事争议仲裁委员会",
        "household_size": "3",
        "monthly_income": "2100",
    },
}  # fmt: skip

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Demo:
    def __init__(self) -> None:
        self.applicant_user = User.objects.get(username="zhang.wei")
        self.applicant = Applicant.objects.get(user=self.applicant_user)
        self._keys = itertools.count(1)

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def org(self, credit_code: str) -> Organization:
        return Organization.objects.get(credit_code=credit_code)

    def submit(
        self,
        item: str = COUNTY_ITEM,
        org: str = ZHONGMOU,
        form_data: dict[str, Any] | None = None,
        applicant: Applicant | None = None,
    ) -> Case:
        applicant = applicant or self.applicant
        case, created = submit(
            applicant.user or self.applicant_user,
            Submission(
                item_code=item,
                organization=self.org(org),
                applicant=applicant,
                idempotency_key=f"wb-{next(self._keys)}",
                form_data=form_data if form_data is not None else FORMS[item],
                channel=Channel.ONLINE,
            ),
        )
        assert created
        return case

    def act(self, case: Case, action: str, username: str, reason: str = "", **params: Any) -> Case:
        return perform(case.pk, engine.Action(action, reason, params), self.user(username))

    def reload(self, case: Case) -> Case:
        return Case.objects.get(pk=case.pk)


@pytest.fixture
def demo(demo_province, db, settings) -> Demo:
    # Letters are numbered and stored in the step and rendered on first download: the
    # workbench's tests need the rows, not hundreds of milliseconds of PDF layout per step.
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    return Demo()


def login(client, demo: Demo, username: str):
    client.force_login(demo.user(username))
    return client
