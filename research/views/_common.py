"""Helpers shared by the teaching-research pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eduquality import excel
from research import rules
from research.models import RuleLine
from schools.models import Semester
from schools.scoping import grants_of, is_bureau


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def signed_in_with_role(user) -> bool:
    return bool(grants_of(user)) or is_bureau(user)


def chosen_semester(request: HttpRequest) -> Semester:
    chosen = request.GET.get("semester")
    if chosen:
        try:
            return get_object_or_404(Semester, pk=int(chosen))
        except ValueError as error:
            raise Http404 from error
    semester = Semester.objects.filter(is_current=True).first() or Semester.objects.first()
    if semester is None:
        raise Http404("尚未设置学期")
    return semester


def as_of_for(semester: Semester):
    today = timezone.localdate()
    return min(today, semester.ends_on) if semester.ends_on else today


def export(filename: str, title: str, columns, objects) -> HttpResponse:
    sheet = excel.Sheet(
        title=title,
        header=[column.header for column in columns],
        rows=([column.value(obj) for column in columns] for obj in objects),
        widths=[column.width for column in columns],
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return excel.export_response(f"{filename}-{stamp}.xlsx", [sheet])


def ordered_lines() -> list[RuleLine]:
    lines = {line.code: line for line in RuleLine.objects.all()}
    return [lines[code] for code in rules.RULE_CODES if code in lines]
