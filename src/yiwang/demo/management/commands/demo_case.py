"""``yiwang demo-case``: one 律师事务所设立许可 case from a county window to delivery.

It uses the demo organizations and users of ``seed-demo`` and the real services, printing each
step with the deadlines as they move: supplement before acceptance, acceptance at the county
window, city review with a 现场核查 suspension, hand-over, province decision, delivery.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yiwang.accounts.models import Applicant, User
from yiwang.cases import engine
from yiwang.cases.materials import upload
from yiwang.cases.models import Case, Channel
from yiwang.cases.services import Submission, definition_for, perform, submit
from yiwang.core.errors import DomainError
from yiwang.demo.cases import material_pdf
from yiwang.organizations.models import Organization
from yiwang.workcalendar.services import add_workdays
from yiwang.workcalendar.workdays import parse_day

ITEM = "SF-LS-006"
COUNTY = "中牟县司法局"
# How far past the start the walk reaches, in working days: its last step is on the 14th, and
# the deadlines it computes end 30 working days after acceptance (on the 3rd) plus the 3 days
# of the site check. Checked before anything is stored, so that no case is left half walked.
REACH_WORKDAYS = 60


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有演示用户 {username}：请先运行 yiwang seed-demo")
    return user


class Command(BaseCommand):
    help = "演示一件律师事务所设立许可：县级窗口受理、市级审查（含现场核查）、省级决定、送达"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--start", help="收件日期（YYYY-MM-DD），默认今天；用于演示跨节假日的期限"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = parse_day(options["start"], "start") if options.get("start") else None
            # The calendar's own refusal (calendar.out_of_range) rather than whichever check
            # of the walk would meet the date first.
            add_workdays(start or timezone.localdate(), REACH_WORKDAYS)
            self._walk(start)
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc

    def _show(self, case: Case, label: str, day: dt.date) -> None:
        defn = definition_for(case.item_version_id)
        step = defn.steps[case.step_index]
        paused = "（特殊环节中，时限暂停）" if case.status == "suspended" else ""
        self.stdout.write(
            f"{day}  {label:<18} 状态：{engine.STATUS_LABELS[case.status]}  "
            f"当前：{case.owner_org.name if hasattr(case, 'owner_org') else ''}·{step.name}{paused}"
        )
        clocks = [
            ("受理期限", case.accept_due),
            ("环节期限", case.step_due),
            ("承诺期限", case.promised_due),
            ("法定期限", case.statutory_due),
        ]
        shown = "  ".join(f"{name} {value}" for name, value in clocks if value)
        if shown:
            note = "（暂定）" if case.deadline_provisional else ""
            self.stdout.write(f"            {shown}{note}")

    def _walk(self, start: dt.date | None) -> None:
        from django.utils import timezone

        day = start or timezone.localdate()
        applicant_user = _user("zhang.wei")
        firm = Applicant.objects.filter(name="河南中原正道律师事务所").first()
        county = Organization.objects.filter(name=COUNTY).first()
        if firm is None or county is None:
            raise CommandError("缺少演示数据：请先运行 yiwang seed-demo")
        self.stdout.write(f"事项：律师事务所设立许可（{ITEM}）  申请人：{firm.name}（代办人 张伟）")
        self.stdout.write(
            f"路径：{COUNTY} → 郑州市司法局 → 河南省司法厅（以下日期为模拟的办理日期）"
        )
        self.stdout.write("")

        case, _ = submit(
            applicant_user,
            Submission(
                item_code=ITEM,
                organization=county,
                applicant=firm,
                agent=Applicant.objects.filter(user=applicant_user).first(),
                idempotency_key=f"demo-{uuid.uuid4().hex[:12]}",
                form_data=_law_firm_form(firm.name),
                channel=Channel.ONLINE,
            ),
            today=day,
        )
        self.stdout.write(f"办件编号：{case.number}")
        self._show(Case.objects.select_related("owner_org").get(pk=case.pk), "提交申请", day)

        def act(kind: str, who: str, when: dt.date, /, reason: str = "", **params: Any) -> Case:
            updated = perform(case.pk, engine.Action(kind, reason, params), _user(who), today=when)
            fresh = Case.objects.select_related("owner_org").get(pk=updated.pk)
            self._show(fresh, engine.ACTION_LABELS[kind], when)
            return fresh

        def later(days: int) -> dt.date:
            return add_workdays(day, days).date

        act("request_supplement", "zhongmou.clerk", later(1), materials=[{"material": "资产证明", "problem": "验资证明缺少银行印章"}])  # fmt: skip
        # The applicant uploads the corrected file, then hands the supplement in.
        pdf = material_pdf("律师事务所设立许可", "资产证明（补正后）")
        upload(case, "资产证明", io.BytesIO(pdf), "资产证明.pdf", applicant_user)
        self.stdout.write(f"{later(2)}  上传补正材料：资产证明")
        act("supply_supplement", "zhang.wei", later(2))
        act("accept", "zhongmou.clerk", later(3))
        act(
            "suspend",
            "zhengzhou.handler",
            later(5),
            reason="对拟设律所住所进行现场核查",
            kind="site_check",
        )
        act("resume", "zhengzhou.handler", later(8))
        act("review", "zhengzhou.handler", later(9))
        act("hand_over", "zhengzhou.reviewer", later(10))
        act("decide", "henan.leader", later(12), decision="approve")
        act("conclude", "henan.clerk", later(13))
        final = act("deliver", "henan.clerk", later(14), method="online")
        documents = list(final.documents.order_by("pk").values_list("number", "kind"))
        self.stdout.write("")
        self.stdout.write(f"审计记录 {final.audit_seq} 条，链头 SM3 {final.audit_head[:16]}…")
        for number, kind in documents:
            self.stdout.write(f"文书：{number}（{kind}）")


def _law_firm_form(firm_name: str) -> dict[str, Any]:
    """The item's own example answers, for this firm and three partners (律师法 第15条)."""
    from yiwang.catalog.application_form import example_data, form_definition
    from yiwang.catalog.models import ItemVersion

    version = ItemVersion.objects.valid_on(timezone.localdate()).get(item__code=ITEM)
    data = example_data(form_definition(version))
    first = data["partners"][0]
    partners = [
        {**first, "name": "张伟", "id_number": "11010519491231002X"},
        {
            **first,
            "name": "李娜",
            "id_number": "110105198001010016",
            "licence_no": "14101201100000002",
        },
        {
            **first,
            "name": "王建国",
            "id_number": "410102197503150016",
            "licence_no": "14101201100000003",
        },
    ]
    return {**data, "firm_name": firm_name, "organization": "普通合伙", "partners": partners}
