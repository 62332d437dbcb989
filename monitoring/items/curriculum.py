"""The seed of the knowledge-point trees: the compulsory-education curriculum standards' (2022) domains
and their main points, per subject code. The bureau edits the trees as data afterwards."""

ABILITY_LEVELS = ["了解", "理解", "掌握", "运用"]

DOMAINS: dict[str, list[tuple[str, list[str]]]] = {
    "SX": [
        ("数与代数", ["数与运算", "数量关系", "方程与不等式", "函数"]),
        ("图形与几何", ["图形的认识与测量", "图形的位置与运动", "图形的性质", "图形的变化"]),
        ("统计与概率", ["数据的收集、整理与表达", "随机现象发生的可能性", "抽样与数据分析"]),
        ("综合与实践", ["主题活动", "项目学习"]),
    ],
    "YW": [
        ("识字与写字", ["拼音", "字音字形", "书写"]),
        ("阅读与鉴赏", ["古诗文阅读", "现代文阅读", "整本书阅读"]),
        ("表达与交流", ["口语交际", "写作"]),
        ("梳理与探究", ["语言文字积累与梳理", "跨学科学习"]),
    ],
    "YY": [
        ("语言知识", ["语音", "词汇", "语法", "语篇"]),
        ("语言技能", ["听", "说", "读", "写"]),
        ("文化知识", ["文化理解"]),
    ],
    "WL": [
        ("物质", ["物质的形态和变化", "物质的属性", "物质的结构与物体的尺度"]),
        ("运动和相互作用", ["机械运动和力", "声和光", "电和磁"]),
        ("能量", ["机械能", "内能", "电磁能"]),
        ("实验探究", ["测量类实验", "探究类实验"]),
    ],
}


def seed(subject_model, point_model, ability_model) -> None:
    """Create the ability levels and the city's trees that do not exist yet (models given, so the
    migration can pass its historical ones)."""
    for order, name in enumerate(ABILITY_LEVELS):
        ability_model.objects.get_or_create(name=name, defaults={"order": order})
    subjects = {s.code: s for s in subject_model.objects.filter(code__in=DOMAINS)}
    for code, domains in DOMAINS.items():
        subject = subjects.get(code)
        if subject is None:
            continue
        for order, (domain, points) in enumerate(domains):
            parent, _ = point_model.objects.get_or_create(
                subject=subject, district=None, parent=None, name=domain, defaults={"order": order}
            )
            for point_order, name in enumerate(points):
                point_model.objects.get_or_create(
                    subject=subject, district=None, parent=parent, name=name, defaults={"order": point_order}
                )
