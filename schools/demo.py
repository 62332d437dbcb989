"""The demo city (演示数据): 白山市, its six districts, about 60 schools and 20,000 students.

Everything is drawn from `random.Random` generators with fixed seeds (never the global generator), so
two builds give the same names, codes and numbers. The people are written with bulk_create inside one
transaction: a full build takes seconds on SQLite and on PostgreSQL.
"""

import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError

from schools.models import (
    District,
    Honour,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolType,
    Semester,
    Student,
    Subject,
    Teacher,
    TeacherHonour,
    TeacherTitle,
    TeachingGroup,
    Zone,
)

SEED = 20260901
PASSWORD = "Demo-2026!"
CURRENT_YEAR = 2026  # 2026—2027学年: the classes and the current semester
PROVINCE_CODE = "22"  # 吉林省
CITY_NAME = "白山市"
BATCH_SIZE = 2000


# ---- The city: districts, zones and schools (GB/T 2260 codes of 吉林省白山市) ---------------------------


@dataclass(frozen=True)
class DistrictPlan:
    code: str
    name: str
    zones: tuple[str, ...]  # the first is the seat's zone (城区), the second the townships'
    phone_prefix: str


DISTRICTS = [
    DistrictPlan("220602", "浑江区", ("浑江区城区片区", "浑江区乡镇片区"), "3"),
    DistrictPlan("220605", "江源区", ("江源区城区片区", "江源区乡镇片区"), "3"),
    DistrictPlan("220621", "抚松县", ("抚松县城区片区", "抚松县松江河片区"), "6"),
    DistrictPlan("220622", "靖宇县", ("靖宇县城区片区",), "7"),
    DistrictPlan("220623", "长白朝鲜族自治县", ("长白县城区片区",), "8"),
    DistrictPlan("220681", "临江市", ("临江市城区片区", "临江市乡镇片区"), "5"),
]

CITY, TOWN, VILLAGE = "city", "town", "village"  # 城区 / 镇区 / 乡村


@dataclass(frozen=True)
class SchoolPlan:
    name: str
    type_code: str
    district_code: str
    locale: str  # CITY, TOWN or VILLAGE: urban/rural code, zone and class size follow from it
    size: int  # classes per grade at full scale (1–4)
    city_direct: bool = False
    private: bool = False


HUNJIANG, JIANGYUAN, FUSONG, JINGYU, CHANGBAI, LINJIANG = (plan.code for plan in DISTRICTS)

# The demo school (演示学校) comes first: the principal, academic lead, group leader and teacher logins.
SCHOOLS = [
    # 市直学校 (in 浑江区, the city seat)
    SchoolPlan("白山市实验小学", "211", HUNJIANG, CITY, 4, city_direct=True),
    SchoolPlan("白山市第二实验小学", "211", HUNJIANG, CITY, 2, city_direct=True),
    SchoolPlan("白山市第一中学", "342", HUNJIANG, CITY, 4, city_direct=True),
    SchoolPlan("白山市第二中学", "341", HUNJIANG, CITY, 2, city_direct=True),
    SchoolPlan("白山市第三中学", "311", HUNJIANG, CITY, 3, city_direct=True),
    SchoolPlan("白山市第十二中学", "311", HUNJIANG, CITY, 2, city_direct=True),
    SchoolPlan("白山市外国语学校", "345", HUNJIANG, CITY, 1, city_direct=True, private=True),
    # 浑江区
    SchoolPlan("浑江区实验小学", "211", HUNJIANG, CITY, 3),
    SchoolPlan("浑江区第一小学", "211", HUNJIANG, CITY, 2),
    SchoolPlan("浑江区第二小学", "211", HUNJIANG, CITY, 2),
    SchoolPlan("浑江区新建小学", "211", HUNJIANG, CITY, 1),
    SchoolPlan("浑江区红旗小学", "211", HUNJIANG, CITY, 1),
    SchoolPlan("浑江区第五中学", "311", HUNJIANG, CITY, 2),
    SchoolPlan("浑江区六道江镇中心小学", "211", HUNJIANG, TOWN, 1),
    SchoolPlan("浑江区七道江镇中心小学", "211", HUNJIANG, TOWN, 1),
    SchoolPlan("浑江区三道沟镇中心学校", "312", HUNJIANG, VILLAGE, 1),
    SchoolPlan("浑江区红土崖镇中心小学", "211", HUNJIANG, VILLAGE, 1),
    # 江源区
    SchoolPlan("江源区实验小学", "211", JIANGYUAN, CITY, 2),
    SchoolPlan("江源区孙家堡子小学", "211", JIANGYUAN, CITY, 1),
    SchoolPlan("江源区第一中学", "341", JIANGYUAN, CITY, 2),
    SchoolPlan("江源区第二中学", "311", JIANGYUAN, CITY, 1),
    SchoolPlan("江源区砟子镇中心小学", "211", JIANGYUAN, TOWN, 1),
    SchoolPlan("江源区石人镇中心小学", "211", JIANGYUAN, TOWN, 1),
    SchoolPlan("江源区湾沟镇中心学校", "312", JIANGYUAN, TOWN, 1),
    SchoolPlan("江源区大阳岔镇中心小学", "211", JIANGYUAN, VILLAGE, 1),
    # 抚松县
    SchoolPlan("抚松县第一中学", "342", FUSONG, CITY, 3),
    SchoolPlan("抚松县第二中学", "311", FUSONG, CITY, 2),
    SchoolPlan("抚松县实验小学", "211", FUSONG, CITY, 2),
    SchoolPlan("抚松县第一小学", "211", FUSONG, CITY, 2),
    SchoolPlan("抚松县第二小学", "211", FUSONG, CITY, 1),
    SchoolPlan("抚松县松江河镇中心小学", "211", FUSONG, TOWN, 1),
    SchoolPlan("抚松县松江河中学", "341", FUSONG, TOWN, 1),
    SchoolPlan("抚松县泉阳镇中心学校", "312", FUSONG, TOWN, 1),
    SchoolPlan("抚松县露水河镇中心学校", "312", FUSONG, TOWN, 1),
    SchoolPlan("抚松县万良镇中心小学", "211", FUSONG, VILLAGE, 1),
    SchoolPlan("抚松县仙人桥镇中心小学", "211", FUSONG, VILLAGE, 1),
    SchoolPlan("抚松县兴参镇中心小学", "211", FUSONG, VILLAGE, 1),
    # 靖宇县
    SchoolPlan("靖宇县第一中学", "341", JINGYU, CITY, 2),
    SchoolPlan("靖宇县第二中学", "311", JINGYU, CITY, 1),
    SchoolPlan("靖宇县实验小学", "211", JINGYU, CITY, 2),
    SchoolPlan("靖宇县东兴小学", "211", JINGYU, CITY, 1),
    SchoolPlan("靖宇县育才小学", "211", JINGYU, CITY, 1),
    SchoolPlan("靖宇县三道湖镇中心小学", "211", JINGYU, VILLAGE, 1),
    SchoolPlan("靖宇县那尔轰镇中心学校", "312", JINGYU, VILLAGE, 1),
    # 长白朝鲜族自治县
    SchoolPlan("长白朝鲜族自治县第一中学", "341", CHANGBAI, CITY, 1),
    SchoolPlan("长白朝鲜族自治县实验小学", "211", CHANGBAI, CITY, 1),
    SchoolPlan("长白朝鲜族自治县第二小学", "211", CHANGBAI, CITY, 1),
    SchoolPlan("长白朝鲜族自治县朝鲜族学校", "345", CHANGBAI, CITY, 1),
    SchoolPlan("长白朝鲜族自治县八道沟镇中心学校", "312", CHANGBAI, VILLAGE, 1),
    # 临江市
    SchoolPlan("临江市第一中学", "342", LINJIANG, CITY, 3),
    SchoolPlan("临江市第二中学", "341", LINJIANG, CITY, 1),
    SchoolPlan("临江市第三中学", "311", LINJIANG, CITY, 1),
    SchoolPlan("临江市实验小学", "211", LINJIANG, CITY, 2),
    SchoolPlan("临江市第一小学", "211", LINJIANG, CITY, 2),
    SchoolPlan("临江市光华小学", "211", LINJIANG, CITY, 1),
    SchoolPlan("临江市大湖小学", "211", LINJIANG, CITY, 1),
    SchoolPlan("临江市博文学校", "312", LINJIANG, CITY, 1, private=True),
    SchoolPlan("临江市六道沟镇中心小学", "211", LINJIANG, TOWN, 1),
    SchoolPlan("临江市花山镇中心学校", "312", LINJIANG, TOWN, 1),
    SchoolPlan("临江市闹枝镇中心小学", "211", LINJIANG, VILLAGE, 1),
    SchoolPlan("临江市四道沟镇中心小学", "211", LINJIANG, VILLAGE, 1),
]

DEMO_SCHOOL = SCHOOLS[0].name
SECOND_SCHOOL = "浑江区实验小学"

GRADES_OF_TYPE = {
    "211": range(1, 7),
    "311": range(7, 10),
    "312": range(1, 10),
    "341": range(7, 13),
    "342": range(10, 13),
    "345": range(1, 13),
}
URBAN_RURAL_OF_LOCALE = {CITY: ("111", "112"), TOWN: ("121", "122"), VILLAGE: ("210", "220")}
CLASS_SIZE_OF_LOCALE = {CITY: (40, 48), TOWN: (34, 44), VILLAGE: (22, 34)}
STUDENTS_PER_TEACHER = 13
STREETS = ["人民大街", "新华路", "建设街", "东风路", "胜利街", "光明路", "民主街", "朝阳路", "和平街", "文化路"]


def stage_of(grade: int) -> str:
    return "primary" if grade <= 6 else "junior" if grade <= 9 else "senior"


# ---- Subjects, titles, honours ---------------------------------------------------------------------

# Who teaches what, by weight (语文/数学 dominate in 小学; 中学 has the full range of subjects).
SUBJECT_WEIGHTS = {
    "primary": {"YW": 30, "SX": 26, "YY": 10, "DF": 5, "KX": 5, "TY": 7, "YYUE": 5, "MS": 5, "XK": 3, "ZH": 2, "LD": 2},
    "junior": {
        "YW": 16, "SX": 16, "YY": 14, "WL": 7, "HX": 5, "SW": 5, "LS": 5,
        "DL": 4, "DF": 6, "TY": 7, "XK": 3, "YYUE": 3, "MS": 3,
    },
    "senior": {
        "YW": 14, "SX": 14, "YY": 13, "WL": 9, "HX": 8, "SW": 7, "ZZ": 6,
        "LS": 6, "DL": 6, "TY": 6, "XX": 3, "TJ": 2, "YYUE": 2, "MS": 2,
    },
}  # fmt: skip
STAGE_FLAG = {"primary": "in_primary", "junior": "in_junior", "senior": "in_senior"}
# 教研组 per stage: the main subjects of the school.
GROUP_SUBJECTS = {
    "primary": ["YW", "SX", "YY"],
    "junior": ["YW", "SX", "YY", "WL", "HX", "SW", "DF", "LS", "DL"],
    "senior": ["YW", "SX", "YY", "WL", "HX", "SW", "ZZ", "LS", "DL"],
}
# 班主任 usually teach a main subject.
HEAD_TEACHER_SUBJECTS = {"YW", "SX", "YY", "WL", "HX"}
TITLE_WEIGHTS = {"正高级教师": 1, "高级教师": 24, "一级教师": 40, "二级教师": 28, "三级教师": 3, "未取得职称": 4}
# (honour, share of teachers, conferred by)
HONOUR_PLAN = [
    ("骨干教师", 0.12, "白山市教育局"),
    ("学科带头人", 0.04, "白山市教育局"),
    ("教坛新星", 0.05, "白山市教育局"),
]
HONOUR_YEARS = range(2017, 2026)
FEMALE_SHARE = {"primary": 0.8, "junior": 0.65, "senior": 0.55}


# ---- Names -------------------------------------------------------------------------------------------

# Surnames weighted as in Northeast China (‰ of the population, rounded).
SURNAMES = {
    "王": 80, "李": 78, "张": 75, "刘": 62, "赵": 34, "孙": 28, "杨": 27, "陈": 25, "于": 20, "高": 18,
    "徐": 16, "马": 15, "周": 15, "吴": 13, "朱": 12, "郭": 12, "姜": 12, "董": 11, "宋": 10, "韩": 10,
    "田": 9, "曲": 8, "崔": 8, "冯": 8, "曹": 7, "郑": 7, "付": 7, "胡": 7, "林": 6, "何": 6,
    "谢": 5, "许": 5, "邢": 5, "关": 5, "隋": 4, "宫": 4, "唐": 4, "白": 4, "孟": 4, "姚": 4,
    "吕": 4, "史": 4, "邓": 3, "黄": 3, "梁": 3, "罗": 3, "金": 3, "常": 3, "贾": 3, "秦": 3,
    "侯": 3, "潘": 3, "卢": 3, "段": 3, "魏": 3, "闫": 3, "袁": 3, "薛": 2, "佟": 2, "尹": 2,
    "范": 2, "石": 2, "任": 2, "丁": 2, "沈": 2, "苏": 2, "武": 2, "郝": 2, "邵": 2, "欧阳": 1,
}  # fmt: skip
# 长白朝鲜族自治县: many Korean-Chinese (朝鲜族) families.
KOREAN_SURNAMES = {"金": 30, "朴": 20, "李": 20, "崔": 12, "郑": 8, "姜": 6, "韩": 5, "申": 3, "许": 3, "全": 3}
KOREAN_SHARE = {CHANGBAI: 0.3}


def _words(text: str) -> list[str]:
    return text.split()


# Given names of the generation: pupils born 2008–2020, teachers born 1965–2000 (重名 is realistic).
CHILD_GIVEN = {
    "M": _words(
        "浩宇 子轩 宇轩 浩然 俊杰 博文 一鸣 睿泽 子墨 宇航 天佑 皓轩 明哲 思远 文博 嘉诚 梓豪 铭轩 鹏程 泽宇 "
        "晨阳 煜祺 昊然 奕辰 锦程 子豪 宇辰 子瑞 家豪 雨泽 沐阳 俊熙 梓睿 思源 天宇 瑞霖 承泽 浩 轩 博 "
        "阳 睿 哲 昊 凯 宁 鑫 航 宸 森"
    ),
    "F": _words(
        "欣怡 梓涵 诗涵 雨萱 紫涵 可馨 一诺 佳怡 思涵 梦瑶 雨桐 子涵 语嫣 欣妍 诗琪 若汐 艺涵 芷若 晨曦 佳琪 "
        "雅婷 婉清 静怡 思琪 梓萱 依诺 心怡 安琪 雨欣 沐晴 梦琪 嘉怡 雅琪 思彤 佳悦 书瑶 晓雯 宇彤 欣悦 紫萱 "
        "悦 琪 婷 妍 萱 彤 瑶 馨 雪 楠"
    ),
}
ADULT_GIVEN = {
    "M": _words(
        "伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 鹏 斌 波 峰 宇 浩 建国 建华 国庆 志刚 志强 海涛 海峰 立新 立军 "
        "永刚 文博 晓东 晓峰 俊峰 宏伟 振华 春雷 德胜 铁军 广辉 玉龙 成龙 家明 洪涛 子健 鹏飞 云龙 建军 "
        "宝山 大伟 海波 庆丰 东升 明辉"
    ),
    "F": _words(
        "芳 娜 敏 静 丽 艳 娟 霞 玲 燕 红 梅 莉 萍 雪 琳 丹 洁 颖 晶 爽 莹 丽华 秀英 晓燕 艳华 淑珍 海燕 "
        "玉梅 红梅 桂芳 丽娟 雪梅 淑华 春燕 晓丽 凤霞 秀梅 丽娜 婷婷 佳慧 冬梅 玉兰 丹丹 晓红 美玲 雅琴 "
        "淑芬 金凤 明月 丽萍 宏艳 春梅"
    ),
}


def pick_weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def person_name(rng: random.Random, gender: str, *, adult: bool, district_code: str) -> str:
    surnames = KOREAN_SURNAMES if rng.random() < KOREAN_SHARE.get(district_code, 0) else SURNAMES
    surname = pick_weighted(rng, surnames)
    return surname + rng.choice((ADULT_GIVEN if adult else CHILD_GIVEN)[gender])


# ---- 学籍号: G + the GB 11643 citizen ID number -----------------------------------------------------------

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    return _ID_CHECK[sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def birth_date_range(grade: int, start_year: int = CURRENT_YEAR) -> tuple[date, date]:
    """Pupils start grade 1 at 6 (born 1 September – 31 August): grade 1 of 2026 was born 2019-09 to 2020-08."""
    first = date(start_year - 6 - grade, 9, 1)
    return first, date(first.year + 1, 8, 31)


class StudentNumbers:
    """Unique 学籍号 for the whole city: district code + birth date + sequence (odd for boys) + check digit."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def draw(self, rng: random.Random, district_code: str, born: date, gender: str) -> str:
        while True:
            sequence = rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{district_code}{born:%Y%m%d}{sequence:03d}"
            if first17 not in self.used:
                self.used.add(first17)
                return "G" + first17 + id_check_digit(first17)


# ---- Semesters ------------------------------------------------------------------------------------


def _weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def semester_dates(start_year: int, term: int) -> tuple[date, date]:
    """Term 1: 1 September to the Friday before mid-January; term 2: late February to early July."""
    if term == 1:
        return date(start_year, 9, 1), _weekday_on_or_before(date(start_year + 1, 1, 16), 4)
    starts = _weekday_on_or_before(date(start_year + 1, 3, 1), 0)  # the Monday before 1 March
    return starts, _weekday_on_or_before(date(start_year + 1, 7, 10), 4)


SEMESTERS = [(2024, 1), (2024, 2), (2025, 1), (2025, 2), (CURRENT_YEAR, 1)]


def build_semesters() -> list[Semester]:
    semesters = []
    for start_year, term in SEMESTERS:
        starts_on, ends_on = semester_dates(start_year, term)
        semester, _ = Semester.objects.update_or_create(
            start_year=start_year, term=term, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
        semesters.append(semester)
    current = semesters[-1]
    current.is_current = True
    current.save()  # demotes any other current semester
    return semesters


# ---- Districts and schools -------------------------------------------------------------------------


def build_districts() -> tuple[dict[str, District], dict[str, list[Zone]]]:
    districts, zones = {}, {}
    for plan in DISTRICTS:
        district, _ = District.objects.update_or_create(code=plan.code, defaults={"name": plan.name})
        districts[plan.code] = district
        zones[plan.code] = [Zone.objects.get_or_create(district=district, name=name)[0] for name in plan.zones]
    return districts, zones


def draw_school_codes(rng: random.Random) -> list[str]:
    """10-digit 学校标识码: type class (2) + province (2) + a unique 6-digit number."""
    prefixes = dict(SchoolType.objects.filter(code__in=GRADES_OF_TYPE).values_list("code", "identifier_prefix"))
    numbers = rng.sample(range(1, 1_000_000), len(SCHOOLS))
    return [
        f"{prefixes[plan.type_code]}{PROVINCE_CODE}{number:06d}" for plan, number in zip(SCHOOLS, numbers, strict=True)
    ]


def school_address(rng: random.Random, plan: SchoolPlan, district_name: str) -> str:
    """城区: a street and number; 乡镇: the town of the name (…六道江镇中心小学 → 六道江镇); 村小: a village."""
    rest = plan.name.removeprefix(district_name)
    town = rest[: rest.index("镇") + 1] if "镇" in rest else ""
    if plan.locale == VILLAGE:
        place = f"{town}{rng.choice('东西南北')}岔村"
    else:
        place = f"{town}{rng.choice(STREETS)}{rng.randint(1, 399)}号"
    return f"吉林省{CITY_NAME}{district_name}{place}"


def new_school(rng: random.Random, plan: SchoolPlan, code: str, district: District, zones: list[Zone]) -> School:
    district_plan = next(item for item in DISTRICTS if item.code == plan.district_code)
    # 市直 schools belong to no district zone; township schools to the district's second zone.
    zone = None if plan.city_direct else zones[0] if plan.locale == CITY or len(zones) == 1 else zones[1]
    return School(
        code=code,
        name=plan.name,
        school_type_id=plan.type_code,
        district=district,
        zone=zone,
        urban_rural_id=rng.choice(URBAN_RURAL_OF_LOCALE[plan.locale]),
        operator_id="22" if plan.private else "21",
        is_city_direct=plan.city_direct,
        address=school_address(rng, plan, district.name),
        phone=f"0439-{district_plan.phone_prefix}{rng.randint(0, 999999):06d}",
    )


def build_schools(rng: random.Random, districts: dict, zones: dict) -> list[School]:
    codes = draw_school_codes(rng)
    schools = [
        new_school(rng, plan, code, districts[plan.district_code], zones[plan.district_code])
        for plan, code in zip(SCHOOLS, codes, strict=True)
    ]
    return School.objects.bulk_create(schools, batch_size=BATCH_SIZE)


# ---- Teachers, classes, students, groups of one school ------------------------------------------------


@dataclass
class References:
    """The reference rows the build draws on (from the data migration), by code or name."""

    subjects: dict[str, Subject]
    titles: dict[str, TeacherTitle]
    honours: dict[str, Honour]

    @classmethod
    def load(cls) -> "References":
        return cls(
            subjects={subject.code: subject for subject in Subject.objects.all()},
            titles={title.name: title for title in TeacherTitle.objects.all()},
            honours={honour.name: honour for honour in Honour.objects.all()},
        )


@dataclass
class TeacherDraft:
    """A teacher before saving: the stage and subjects steer head-teacher and group-leader choice."""

    teacher: Teacher
    stage: str
    subject_codes: list[str]
    title_order: int
    honours: list[tuple[str, int, str]] = field(default_factory=list)


@dataclass
class SchoolDraft:
    school: School
    plan: SchoolPlan
    index: int
    rng: random.Random
    class_sizes: dict[tuple[int, int], int] = field(default_factory=dict)  # (grade, number) → students
    teachers: list[TeacherDraft] = field(default_factory=list)

    @property
    def grades(self) -> range:
        return GRADES_OF_TYPE[self.plan.type_code]

    @property
    def stages(self) -> list[str]:
        return list(dict.fromkeys(stage_of(grade) for grade in self.grades))

    @property
    def student_count(self) -> int:
        return sum(self.class_sizes.values())


def plan_classes(draft: SchoolDraft, scale: float) -> None:
    """Classes per grade shrink with the scale; class sizes shrink with what is left of it."""
    per_grade = max(1, round(draft.plan.size * scale))
    low, high = CLASS_SIZE_OF_LOCALE[draft.plan.locale]
    size_factor = scale * draft.plan.size / per_grade
    for grade in draft.grades:
        for number in range(1, per_grade + 1):
            draft.class_sizes[grade, number] = max(1, round(draft.rng.randint(low, high) * size_factor))


def group_subjects_of(stages: Iterable[str], subjects: dict[str, Subject]) -> list[str]:
    codes = dict.fromkeys(code for stage in stages for code in GROUP_SUBJECTS[stage])
    return sorted(codes, key=lambda code: subjects[code].order)


def teachable(stage: str, subjects: dict[str, Subject]) -> dict[str, int]:
    flag = STAGE_FLAG[stage]
    return {code: weight for code, weight in SUBJECT_WEIGHTS[stage].items() if getattr(subjects[code], flag)}


def draft_teachers(draft: SchoolDraft, refs: References) -> None:
    """About one teacher per 13 students; the first ones cover every 教研组 subject."""
    rng, stages = draft.rng, draft.stages
    required = group_subjects_of(stages, refs.subjects)
    count = max(len(required) + 2, round(draft.student_count / STUDENTS_PER_TEACHER))
    stage_weights = Counter(stage_of(grade) for grade, _ in draft.class_sizes)
    for number in range(1, count + 1):
        if number <= len(required):
            code = required[number - 1]
            stage = next(stage for stage in stages if code in teachable(stage, refs.subjects))
        else:
            stage = pick_weighted(rng, stage_weights)
            code = pick_weighted(rng, teachable(stage, refs.subjects))
        draft.teachers.append(new_teacher(draft, refs, number, stage, code))


def new_teacher(draft: SchoolDraft, refs: References, number: int, stage: str, code: str) -> TeacherDraft:
    rng = draft.rng
    gender = "F" if rng.random() < FEMALE_SHARE[stage] else "M"
    codes = [code]
    if rng.random() < 0.2:  # 兼课: a second subject of the same stage
        others = {key: weight for key, weight in teachable(stage, refs.subjects).items() if key != code}
        codes.append(pick_weighted(rng, others))
    title = refs.titles[pick_weighted(rng, TITLE_WEIGHTS)]
    teacher = Teacher(
        school=draft.school,
        staff_number=f"T{draft.index:03d}{number:04d}",
        name=person_name(rng, gender, adult=True, district_code=draft.plan.district_code),
        gender=gender,
        title=title,
        phone=f"1{rng.choice('3579')}{rng.randint(0, 999_999_999):09d}",
    )
    honours = [
        (honour, rng.choice(HONOUR_YEARS), source) for honour, share, source in HONOUR_PLAN if rng.random() < share
    ]
    return TeacherDraft(teacher, stage, codes, title.order, honours)


def head_teacher_queue(draft: SchoolDraft, stage: str) -> list[Teacher]:
    """Teachers of the stage who teach a main subject first, then the rest of the stage, then anyone."""
    ranked = sorted(
        draft.teachers,
        key=lambda item: (item.stage != stage, not HEAD_TEACHER_SUBJECTS.intersection(item.subject_codes)),
    )
    return [item.teacher for item in ranked]


def new_classes(draft: SchoolDraft) -> list[SchoolClass]:
    queues = {stage: head_teacher_queue(draft, stage) for stage in draft.stages}
    taken: Counter = Counter()
    classes = []
    for grade, number in draft.class_sizes:
        queue = queues[stage_of(grade)]
        # Each class its own 班主任 while there are enough teachers; tiny demo schools share them.
        position = min(range(len(queue)), key=lambda i, queue=queue: (taken[queue[i].staff_number], i))
        head = queue[position]
        taken[head.staff_number] += 1
        classes.append(
            SchoolClass(school=draft.school, start_year=CURRENT_YEAR, grade=grade, number=number, head_teacher=head)
        )
    return classes


def new_students(draft: SchoolDraft, classes: Sequence[SchoolClass], numbers: StudentNumbers) -> list[Student]:
    rng, district_code = draft.rng, draft.plan.district_code
    students = []
    for school_class in classes:
        first, last = birth_date_range(school_class.grade)
        for _ in range(draft.class_sizes[school_class.grade, school_class.number]):
            gender = rng.choice("MF")
            born = first + timedelta(days=rng.randrange((last - first).days + 1))
            students.append(
                Student(
                    student_number=numbers.draw(rng, district_code, born, gender),
                    name=person_name(rng, gender, adult=False, district_code=district_code),
                    gender=gender,
                    school=draft.school,
                    school_class=school_class,
                )
            )
    return students


def group_leader(draft: SchoolDraft, code: str) -> Teacher:
    """The most senior teacher of the subject (lowest title order), the first of them on a tie."""
    candidates = [item for item in draft.teachers if code in item.subject_codes]
    return min(candidates, key=lambda item: item.title_order).teacher


def new_groups(draft: SchoolDraft, refs: References) -> list[TeachingGroup]:
    return [
        TeachingGroup(school=draft.school, subject=refs.subjects[code], leader=group_leader(draft, code))
        for code in group_subjects_of(draft.stages, refs.subjects)
    ]


# ---- The whole build ------------------------------------------------------------------------------------


@dataclass
class DemoLogin:
    username: str
    full_name: str
    role_label: str
    school: str


@dataclass
class DemoSummary:
    districts: int
    schools: int
    teachers: int
    classes: int
    students: int
    logins: list[DemoLogin]
    seconds: float = 0.0


def save_teachers(drafts: list[SchoolDraft], refs: References) -> None:
    everyone = [item for draft in drafts for item in draft.teachers]
    Teacher.objects.bulk_create([item.teacher for item in everyone], batch_size=BATCH_SIZE)
    through = Teacher.subjects.through
    through.objects.bulk_create(
        [
            through(teacher_id=item.teacher.pk, subject_id=refs.subjects[code].pk)
            for item in everyone
            for code in item.subject_codes
        ],
        batch_size=BATCH_SIZE,
    )
    TeacherHonour.objects.bulk_create(
        [
            TeacherHonour(teacher=item.teacher, honour=refs.honours[name], year=year, source=source)
            for item in everyone
            for name, year, source in item.honours
        ],
        batch_size=BATCH_SIZE,
    )


def save_classes_and_students(drafts: list[SchoolDraft]) -> None:
    classes_of = {draft.school.pk: new_classes(draft) for draft in drafts}
    SchoolClass.objects.bulk_create([item for rows in classes_of.values() for item in rows], batch_size=BATCH_SIZE)
    numbers = StudentNumbers()
    students = [student for draft in drafts for student in new_students(draft, classes_of[draft.school.pk], numbers)]
    Student.objects.bulk_create(students, batch_size=BATCH_SIZE)


def build_people(schools: list[School], scale: float, refs: References) -> list[SchoolDraft]:
    drafts = []
    for index, (school, plan) in enumerate(zip(schools, SCHOOLS, strict=True), start=1):
        # One generator per school, seeded by its name: a school's people do not depend on the others.
        draft = SchoolDraft(school, plan, index, random.Random(f"{SEED}:{plan.name}"))
        plan_classes(draft, scale)
        draft_teachers(draft, refs)
        drafts.append(draft)
    save_teachers(drafts, refs)
    save_classes_and_students(drafts)
    TeachingGroup.objects.bulk_create([group for draft in drafts for group in new_groups(draft, refs)])
    return drafts


# ---- Demo logins ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginPlan:
    username: str
    full_name: str  # empty: the name of the linked teacher
    role: str
    school: str = ""
    subject: str = ""
    superuser: bool = False


LOGINS = [
    LoginPlan("admin", "系统管理员", Role.BUREAU, superuser=True),
    LoginPlan("bureau", "王立新", Role.BUREAU),
    LoginPlan("inspector", "赵德明", Role.INSPECTOR),
    LoginPlan("principal", "李淑华", Role.PRINCIPAL, DEMO_SCHOOL),
    LoginPlan("academic", "孙海燕", Role.ACADEMIC_LEAD, DEMO_SCHOOL),
    LoginPlan("leader", "", Role.GROUP_LEADER, DEMO_SCHOOL, subject="YW"),
    LoginPlan("teacher", "", Role.TEACHER, DEMO_SCHOOL),
    LoginPlan("principal2", "张国庆", Role.PRINCIPAL, SECOND_SCHOOL),
]
DEMO_USERNAMES = [plan.username for plan in LOGINS]


def linked_teachers(demo: SchoolDraft) -> dict[str, Teacher]:
    """The leader login is the school's 语文 group leader; the teacher login another (语文) teacher."""
    leader = group_leader(demo, "YW")
    others = [item for item in demo.teachers if item.teacher != leader]
    chinese = [item for item in others if "YW" in item.subject_codes]
    return {"leader": leader, "teacher": (chinese or others)[0].teacher}


def build_logins(drafts: list[SchoolDraft], refs: References) -> list[DemoLogin]:
    schools = {draft.school.name: draft.school for draft in drafts}
    teachers = linked_teachers(next(draft for draft in drafts if draft.school.name == DEMO_SCHOOL))
    logins = []
    for plan in LOGINS:
        teacher = teachers.get(plan.username)
        school = schools.get(plan.school)
        user = demo_user(plan, teacher.name if teacher else plan.full_name)
        subject = refs.subjects[plan.subject] if plan.subject else None
        RoleAssignment.objects.create(user=user, role=plan.role, school=school, subject=subject)
        if teacher:
            teacher.user = user
            teacher.save(update_fields=["user"])
        where = school.name if school else "全市"
        logins.append(DemoLogin(plan.username, user.full_name, describe_role(plan, subject), where))
    return logins


def describe_role(plan: LoginPlan, subject: Subject | None) -> str:
    label = Role(plan.role).label + (f"（{subject}）" if subject else "")
    return f"超级管理员、{label}" if plan.superuser else label


def demo_user(plan: LoginPlan, full_name: str):
    """Create or refresh the login: password, flags and name; its old roles are dropped."""
    user, _ = get_user_model().objects.get_or_create(username=plan.username)
    user.full_name = full_name
    user.is_active = True
    user.is_staff = user.is_superuser = plan.superuser
    user.set_password(PASSWORD)
    user.save()
    RoleAssignment.objects.filter(user=user).delete()
    Teacher.objects.filter(user=user).update(user=None)
    return user


# ---- Entry points --------------------------------------------------------------------------------------


def demo_data_exists() -> bool:
    return School.objects.exists()


def build_demo_city(scale: float = 1.0) -> DemoSummary:
    """Build the whole demo city in one transaction. The registry must be empty of schools."""
    started = time.monotonic()
    rng = random.Random(SEED)
    refs = References.load()
    with transaction.atomic():
        build_semesters()
        districts, zones = build_districts()
        schools = build_schools(rng, districts, zones)
        drafts = build_people(schools, scale, refs)
        logins = build_logins(drafts, refs)
    return DemoSummary(
        districts=len(districts),
        schools=len(schools),
        teachers=sum(len(draft.teachers) for draft in drafts),
        classes=sum(len(draft.class_sizes) for draft in drafts),
        students=sum(draft.student_count for draft in drafts),
        logins=logins,
        seconds=time.monotonic() - started,
    )


def delete_with_dependents(queryset: QuerySet, depth: int = 0) -> None:
    """Delete the rows, first deleting whatever other apps keep that protects them (exams, visits …).

    A reset wipes the demo city, so records of other apps that PROTECT a school, teacher or semester go too.
    """
    for _ in range(20):
        try:
            queryset.delete()
            return
        except (ProtectedError, RestrictedError) as error:
            if depth > 5:
                raise
            blockers = getattr(error, "protected_objects", None) or error.restricted_objects
            by_model = defaultdict(set)
            for blocker in blockers:
                by_model[type(blocker)].add(blocker.pk)
            for model, pks in by_model.items():
                delete_with_dependents(model._default_manager.filter(pk__in=pks), depth + 1)
    queryset.delete()


def reset_demo_data() -> None:
    """Remove the registry's people, schools, places, semesters and the demo logins."""
    with transaction.atomic():
        for model in (Student, SchoolClass, TeachingGroup, Teacher, School, Zone, District, Semester):
            delete_with_dependents(model._default_manager.all())
        delete_with_dependents(get_user_model().objects.filter(username__in=DEMO_USERNAMES))


def summary_lines(summary: DemoSummary) -> list[str]:
    """The report printed at the end of seed_demo: counts and the table of demo logins."""
    lines = [
        f"演示数据已生成（用时 {summary.seconds:.1f} 秒）：",
        f"  区县 {summary.districts} 个，学校 {summary.schools} 所，教师 {summary.teachers:,} 名，"
        f"班级 {summary.classes:,} 个，学生 {summary.students:,} 名。",
        "",
        f"演示账号（密码均为 {PASSWORD}）：",
    ]
    rows = [("用户名", "密码", "姓名", "角色", "学校")]
    rows += [(item.username, PASSWORD, item.full_name, item.role_label, item.school) for item in summary.logins]
    widths = [max(display_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        lines.append("  " + "  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return lines


def display_width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
