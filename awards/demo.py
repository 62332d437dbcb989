"""Demo award campaigns for `seed_demo`: one in every stage, so every page of the app has something to show.

Nominations are written directly (demo records, as a school would have filed them); the judging, the
ranking, the public notice and the announcement go through the services, as in real use.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from awards import rules, services
from awards.catalogue import load_campaign_types
from awards.models import Assignment, Campaign, CampaignType, Criterion, Holiday, Nomination, Objection
from schools.models import Honour, RoleAssignment, School, Teacher, TeacherHonour

SEED = 20260506
EXPERTS = 6

# 2026 放假安排 (国务院办公厅); the bureau keeps this table current on the 节假日设置 page.
HOLIDAYS_2026 = [
    ("2026-01-01", "元旦", False),
    ("2026-01-02", "元旦", False),
    ("2026-01-03", "元旦", False),
    ("2026-01-04", "元旦调休上班", True),
    *[(f"2026-02-{day:02d}", "春节", False) for day in range(15, 24)],
    ("2026-02-14", "春节调休上班", True),
    ("2026-02-28", "春节调休上班", True),
    ("2026-04-04", "清明节", False),
    ("2026-04-05", "清明节", False),
    ("2026-04-06", "清明节", False),
    *[(f"2026-05-{day:02d}", "劳动节", False) for day in range(1, 6)],
    ("2026-05-09", "劳动节调休上班", True),
    ("2026-06-19", "端午节", False),
    ("2026-06-20", "端午节", False),
    ("2026-06-21", "端午节", False),
    ("2026-09-25", "中秋节", False),
    ("2026-09-26", "中秋节", False),
    ("2026-09-27", "中秋节", False),
    ("2026-09-20", "国庆节调休上班", True),
    *[(f"2026-10-{day:02d}", "国庆节", False) for day in range(1, 8)],
    ("2026-10-10", "国庆节调休上班", True),
]


def build_demo() -> list[str]:
    from schools.demo import DEMO_SCHOOL, PASSWORD

    rng = random.Random(SEED)
    today = timezone.localdate()
    User = get_user_model()
    bureau = User.objects.get(username="bureau")
    with transaction.atomic():
        # A fresh demo city (seed_demo, or --reset) gets fresh campaigns.
        Nomination.objects.all().delete()
        Campaign.objects.all().delete()
        if not CampaignType.objects.exists():
            from django.apps import apps

            load_campaign_types(apps)
        for day, name, workday in HOLIDAYS_2026:
            Holiday.objects.update_or_create(date=day, defaults={"name": name, "is_workday": workday})
        demo_school = School.objects.get(name=DEMO_SCHOOL)
        experts = _experts(demo_school, PASSWORD)
        judges = [User.objects.get(username="inspector"), *experts]
        teacher_login = Teacher.objects.filter(user__username="teacher").first()
        pool = list(Teacher.objects.filter(is_active=True).select_related("school").order_by("staff_number"))
        rng.shuffle(pool)
        pool = [t for t in pool if t != teacher_login]

        ctx = _Context(rng, today, bureau, judges, pool, teacher_login, demo_school)
        plans = [
            (ctx.announced, "reading", f"{today.year - 1}年书香校园读书活动教师评选", 14),
            (ctx.notice, "research-result", f"{today.year}年优秀教科研成果评选", 24),
            (ctx.judging_done, "chief-teacher", f"{today.year}年学科首席教师评选", 16),
            (ctx.judging, "model-lesson", f"{today.year}年精品课例评选", 15),
            (ctx.nominating, "outstanding-teacher", f"{today.year}年优秀教师评选", 12),
            (ctx.nominating, "star-school", f"{today.year}年教学常规星级学校表彰", 0),
        ]
        lines = []
        for build, code, name, count in plans:
            try:
                with transaction.atomic():
                    lines.append(build(code, name, count))
            except services.AwardError as error:  # a very small demo city (--scale) lacks people for a stage
                lines.append(f"{name}（演示数据不足，未生成：{error.message}）")
    return ["评选表彰：" + "；".join(lines)]


def _experts(demo_school: School, password: str) -> list:
    """Expert judges from other schools (logins expert1…), each a teacher of their own school."""
    User = get_user_model()
    experts, used_schools = [], set()
    for teacher in (
        Teacher.objects.filter(user__isnull=True, is_active=True).exclude(school=demo_school).order_by("staff_number")
    ):
        if teacher.school_id in used_schools:
            continue
        used_schools.add(teacher.school_id)
        user, _ = User.objects.get_or_create(username=f"expert{len(experts) + 1}")
        user.full_name = teacher.name
        user.set_password(password)
        user.save()
        RoleAssignment.objects.get_or_create(user=user, role="teacher", school=teacher.school)
        teacher.user = user
        teacher.save(update_fields=["user"])
        experts.append(user)
        if len(experts) == EXPERTS:
            break
    return experts


class _Context:
    def __init__(self, rng, today, bureau, judges, pool, teacher_login, demo_school):
        self.rng, self.today, self.bureau, self.judges = rng, today, bureau, judges
        self.pool, self.teacher_login, self.demo_school = pool, teacher_login, demo_school

    def _campaign(self, code: str, name: str, opens, closes, year=None) -> Campaign:
        kind = CampaignType.objects.get(code=code)
        campaign = Campaign(
            campaign_type=kind,
            name=name,
            year=year or self.today.year,
            nomination_opens=opens,
            nomination_closes=closes,
            judges_per_nomination=5,
            description=f"依据《白山市教育教学质量提升工程实施方案》开展{kind.name}评选。",
        )
        return services.create_campaign(campaign=campaign, by=self.bureau)

    def _take(self, campaign: Campaign, count: int, *, include_teacher=False, status=Nomination.Status.ELIGIBLE):
        kind = campaign.campaign_type
        chosen, per_school = [], {}
        if include_teacher and self.teacher_login:
            chosen.append(self.teacher_login)
            per_school[self.teacher_login.school_id] = 1
        for teacher in self.pool:
            if len(chosen) >= count:
                break
            if kind.max_per_school and per_school.get(teacher.school_id, 0) >= kind.max_per_school:
                continue
            if kind.city_direct_only and not teacher.school.is_city_direct:
                continue
            chosen.append(teacher)
            per_school[teacher.school_id] = per_school.get(teacher.school_id, 0) + 1
        self.pool = [t for t in self.pool if t not in chosen] + chosen  # spread people over campaigns
        nominations = []
        for index, teacher in enumerate(chosen):
            subject = teacher.subjects.order_by("order").first()  # the 学科 the notice lists
            if kind.requires_subject and subject is None:
                continue
            nominations.append(
                Nomination.objects.create(
                    campaign=campaign,
                    teacher=teacher,
                    school=teacher.school,
                    subject=subject,
                    level=kind.levels[index % len(kind.levels)] if kind.levels else "",
                    school_category=teacher.school.category_code,
                    work_title=_title(kind.code, index),
                    summary="坚持立德树人，潜心教书育人，教学实绩突出，积极参与校本教研。",
                    status=status,
                    nominated_by=self.bureau,
                    endorsed_at=timezone.now(),
                )
            )
        return nominations

    def _judge(self, campaign: Campaign, judged_on, *, finish: bool) -> None:
        for user in self.judges:
            services.add_judge(campaign=campaign, user=user, by=self.bureau)
        services.open_judging(campaign=campaign, by=self.bureau, today=judged_on)
        criteria = list(campaign.criteria.all())
        assignments = Assignment.objects.filter(nomination__campaign=campaign).select_related("judge__user")
        for assignment in assignments.order_by("pk"):
            if not finish and assignment.judge.user.username == "inspector" and self.rng.random() < 0.6:
                continue  # the demo inspector still has work in the queue
            values = {c.pk: _score(self.rng, c.max_score) for c in criteria}
            services.save_scores(assignment=assignment, values=values, by=assignment.judge.user)

    def announced(self, code: str, name: str, count: int) -> str:
        opens = self.today - timedelta(days=150)
        campaign = self._campaign(code, name, opens, opens + timedelta(days=30), year=self.today.year - 1)
        self._take(campaign, count, include_teacher=True)
        self._judge(campaign, opens + timedelta(days=31), finish=True)
        # The login teacher wins something to show their certificate.
        self._boost(campaign, self.teacher_login)
        services.compute_results(campaign=campaign, by=self.bureau)
        notice_day = opens + timedelta(days=45)
        services.start_notice(campaign=campaign, by=self.bureau, today=notice_day)
        winners = services.selectors.winners(campaign)
        objection = Objection.objects.create(
            campaign=campaign,
            nomination=winners.first(),
            text="该教师读书笔记篇数与申报材料不一致，请核实。",
            lodged_by=get_user_model().objects.get(username="principal2"),
        )
        services.resolve_objection(
            objection=objection, upheld=False, resolution="经核实，读书笔记原件齐全，异议不成立。", by=self.bureau
        )
        campaign.refresh_from_db()
        services.announce(campaign=campaign, by=self.bureau, today=campaign.notice_ends_on + timedelta(days=1))
        return f"{campaign.name}（已公布，获奖 {winners.count()} 项）"

    def notice(self, code: str, name: str, count: int) -> str:
        opens = self.today - timedelta(days=60)
        campaign = self._campaign(code, name, opens, opens + timedelta(days=30))
        self._take(campaign, count)
        self._judge(campaign, opens + timedelta(days=31), finish=True)
        services.compute_results(campaign=campaign, by=self.bureau)
        holidays, workdays = services.holiday_calendar()
        start = self.today - timedelta(days=1)
        while not rules.is_working_day(start, holidays, workdays):
            start -= timedelta(days=1)
        services.start_notice(campaign=campaign, by=self.bureau, today=start)
        target = services.selectors.winners(campaign).last()
        principal = get_user_model().objects.get(username="principal")
        Objection.objects.create(
            campaign=campaign, nomination=target, text="该成果与往年获奖成果内容高度重复，请核查。", lodged_by=principal
        )
        return f"{campaign.name}（公示中，1 条异议待处理）"

    def judging_done(self, code: str, name: str, count: int) -> str:
        return self.judging(code, name, count, finish=True)

    def judging(self, code: str, name: str, count: int, *, finish: bool = False) -> str:
        opens = self.today - timedelta(days=40)
        campaign = self._campaign(code, name, opens, opens + timedelta(days=30))
        if code == "chief-teacher":
            self._prepare_chief_candidates(count)
        self._take(campaign, count)
        self._judge(campaign, opens + timedelta(days=31), finish=finish)
        if finish:
            services.compute_results(campaign=campaign, by=self.bureau)
        return f"{campaign.name}（评审中）"

    def nominating(self, code: str, name: str, count: int) -> str:
        campaign = self._campaign(code, name, self.today - timedelta(days=7), self.today + timedelta(days=21))
        if count:
            nominations = self._take(campaign, count, status=Nomination.Status.ENDORSED)
            for nomination in nominations[: count // 3]:
                nomination.status = Nomination.Status.ELIGIBLE
                nomination.save(update_fields=["status"])
            if self.teacher_login:
                Nomination.objects.filter(campaign=campaign, teacher=self.teacher_login).delete()
                Nomination.objects.create(
                    campaign=campaign,
                    teacher=self.teacher_login,
                    school=self.teacher_login.school,
                    school_category=self.teacher_login.school.category_code,
                    work_title="扎根课堂二十年",
                    summary="本人申报，待学校推荐。",
                    nominated_by=self.teacher_login.user,
                )
        return f"{campaign.name}（申报中）"

    def _boost(self, campaign: Campaign, teacher) -> None:
        if teacher is None:
            return
        criteria = {c.pk: c.max_score for c in Criterion.objects.filter(campaign=campaign)}
        for assignment in Assignment.objects.filter(
            nomination__campaign=campaign, nomination__teacher=teacher
        ).select_related("judge__user"):
            services.save_scores(assignment=assignment, values=criteria, by=assignment.judge.user)

    def _prepare_chief_candidates(self, count: int) -> None:
        """Chief teachers come from city-direct schools and hold an honour: make sure the demo has some."""
        honour = Honour.objects.get(name="骨干教师")
        # 语文 and 数学 teachers first, so that the quota of two per subject and school category shows.
        main = set(Teacher.objects.filter(subjects__code__in=["YW", "SX"]).values_list("pk", flat=True))
        candidates = [t for t in self.pool if t.school.is_city_direct and t.pk in main][:count]
        for teacher in candidates:
            TeacherHonour.objects.get_or_create(teacher=teacher, honour=honour, year=self.today.year - 2)
        self.pool = candidates + [t for t in self.pool if t not in candidates]


def _score(rng: random.Random, maximum: Decimal) -> Decimal:
    return (maximum * Decimal(str(rng.uniform(0.62, 0.98)))).quantize(Decimal("0.1"))


TITLES = {
    "research-result": ["“双减”背景下作业设计研究", "大单元教学实践研究", "农村小学阅读能力培养", "信息技术与学科融合"],
    "model-lesson": ["《桂林山水》", "分数的初步认识", "光的折射", "《背影》", "二次函数的图像"],
    "reading": ["《给教师的建议》读书笔记", "《教育的情调》读后感", "《论语》研读"],
}


def _title(code: str, index: int) -> str:
    titles = TITLES.get(code)
    return titles[index % len(titles)] if titles else ""
