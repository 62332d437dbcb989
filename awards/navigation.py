"""The awards menu and home cards (see eduquality/extensions.py)."""

from django.urls import reverse

from awards import selectors
from awards.models import Campaign, Nomination


def menu(user) -> dict | None:
    if not selectors.can_use_awards(user):
        return None
    children = [("评选活动", reverse("awards:campaign-list")), ("我的评审任务", reverse("awards:judge-queue"))]
    if selectors.can_manage(user):
        children.append(("节假日设置（公示期）", reverse("awards:holiday-list")))
    return {"label": "评选表彰", "icon": "award", "children": children}


def home_panels(user) -> list[dict]:
    if not selectors.can_use_awards(user):
        return []
    items = []
    for campaign in selectors.campaign_qs_for(user=user).exclude(stage=Campaign.Stage.ANNOUNCED)[:5]:
        items.append(
            {
                "text": campaign.name,
                "url": reverse("awards:campaign-detail", kwargs={"pk": campaign.pk}),
                "badge": campaign.get_stage_display(),
                "badge_class": "warning" if campaign.stage == Campaign.Stage.NOTICE else "info",
            }
        )
    pending = selectors.judge_queue(user=user).filter(submitted_at__isnull=True).count()
    if pending:
        items.append(
            {
                "text": "待评审的申报",
                "url": reverse("awards:judge-queue"),
                "badge": pending,
                "badge_class": "danger",
            }
        )
    leader_pending = (
        selectors.nomination_qs_for(user=user)
        .filter(status=Nomination.Status.SUBMITTED)
        .exclude(nominated_by=user)
        .count()
        if not selectors.can_manage(user)
        else selectors.nomination_qs_for(user=user).filter(status=Nomination.Status.ENDORSED).count()
    )
    if leader_pending:
        label = "待资格审查的申报" if selectors.can_manage(user) else "待处理的申报"
        items.append(
            {
                "text": label,
                "url": reverse("awards:campaign-list"),
                "badge": leader_pending,
                "badge_class": "secondary",
            }
        )
    return [
        {
            "title": "评选表彰",
            "icon": "award",
            "url": reverse("awards:campaign-list"),
            "items": items,
            "empty": "暂无进行中的评选。",
        }
    ]
