"""Excel exports of the awards app: a header and a row generator per sheet."""

from django.utils import timezone

from eduquality import excel

NOMINATION_HEADER = [
    "学校",
    "同类学校",
    "被推荐人",
    "学科",
    "申报层次",
    "题目",
    "状态",
    "申报时间",
    "材料数",
    "资格审查意见",
]
RESULT_HEADER = [
    "排名分组",
    "组内名次",
    "被推荐人",
    "学校",
    "学科",
    "申报层次",
    "有效评委数",
    "最终得分",
    "拟获奖项",
    "名额边界同分",
    "证书编号",
    "一次性奖励（元）",
]


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def nominations_response(campaign, nominations):
    rows = (
        [
            n.school.name,
            n.category_label,
            n.nominee_name,
            str(n.subject or ""),
            n.level,
            n.work_title,
            n.get_status_display(),
            timezone.localtime(n.created_at),
            n.file_count,
            n.check_note,
        ]
        for n in nominations
    )
    sheet = excel.Sheet(
        title="申报名单", header=NOMINATION_HEADER, rows=rows, widths=[24, 10, 12, 8, 14, 30, 14, 18, 8, 30]
    )
    return excel.export_response(f"{campaign.name}-申报名单-{_stamp()}.xlsx", [sheet])


def results_response(campaign, nominations):
    rows = (
        [
            n.ranking_group_label,
            n.rank,
            n.nominee_name,
            n.school.name,
            str(n.subject or ""),
            n.level,
            n.judge_count,
            n.final_score,
            n.prize,
            n.tie_at_quota,
            n.certificate_number,
            n.bonus_amount,
        ]
        for n in nominations
    )
    sheet = excel.Sheet(
        title="评审结果", header=RESULT_HEADER, rows=rows, widths=[24, 8, 12, 24, 8, 14, 10, 10, 14, 12, 20, 14]
    )
    return excel.export_response(f"{campaign.name}-评审结果-{_stamp()}.xlsx", [sheet])
