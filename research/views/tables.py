"""Teaching-research pages: tables."""

import json

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from eduquality.listing import paginate
from research import exports, filters, rules, selectors
from research.models import Activity, Participation
from research.views._common import as_of_for, chosen_semester, export, ordered_lines, require, signed_in_with_role
from schools.models import School, Semester, Zone, responsible_researchers
from schools.scoping import school_ids_for

# ---- The duties' tables ------------------------------------------------------------------------------------


@login_required
def my_table(request: HttpRequest) -> HttpResponse:
    """学期教研常规: a school person's own school; the bureau and researchers the city table."""
    own = sorted(school_ids_for(request.user))
    if own:
        return redirect("research:school-table", pk=own[0])
    require(selectors.sees_all(request.user))
    return redirect("research:city-table")


@login_required
def school_table(request: HttpRequest, pk: int) -> HttpResponse:
    """One school's semester: each duty met or not, with its evidence records."""
    require(signed_in_with_role(request.user))
    visible = (
        School.objects.all()
        if selectors.sees_all(request.user)
        else School.objects.filter(pk__in=school_ids_for(request.user))
    )
    school = get_object_or_404(visible.select_related("district", "zone"), pk=pk)
    semester = chosen_semester(request)
    as_of = as_of_for(semester)
    rows = selectors.school_semester_table(school=school, semester=semester, as_of=as_of)
    return render(
        request,
        "research/school_table.html",
        {
            "school": school,
            "semester": semester,
            "semesters": Semester.objects.all(),
            "as_of": as_of,
            "rows": rows,
            "met": sum(row["result"].met for row in rows),
            "responsible": responsible_researchers([school.pk], on=timezone.localdate()).get(school.pk, []),
        },
    )


def _city_rows(request):
    semester = chosen_semester(request)
    filterset = filters.CityTableFilter(request.GET, queryset=School.objects.filter(is_active=True), request=request)
    as_of = as_of_for(semester)
    return semester, as_of, filterset, selectors.city_table(semester=semester, as_of=as_of, schools=filterset.qs)


@login_required
def city_table(request: HttpRequest) -> HttpResponse:
    require(selectors.sees_all(request.user))
    semester, as_of, filterset, rows = _city_rows(request)
    lines = ordered_lines()
    show = request.GET.get("show", "")
    if show == "behind":
        rows = [row for row in rows if row["met"] < row["total"]]
    page = paginate(request, rows)
    responsible = responsible_researchers([row["school"].pk for row in page.object_list], on=timezone.localdate())
    for row in page.object_list:
        row["responsible"] = responsible.get(row["school"].pk, [])
    totals = [sum(1 for row in rows if i < len(row["results"]) and row["results"][i].met) for i in range(len(lines))]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "research/city_table.html",
        {
            "filter": filterset,
            "semester": semester,
            "semesters": Semester.objects.all(),
            "as_of": as_of,
            "lines": lines,
            "page": page,
            "totals": list(zip(lines, totals, strict=True)),
            "count": len(rows),
            "query": query.urlencode(),
            "show": show,
            "chart": json.dumps(
                {"labels": [line.name for line in lines], "met": totals, "not_met": [len(rows) - n for n in totals]},
                ensure_ascii=False,
            ),
        },
    )


@login_required
def city_export(request: HttpRequest) -> HttpResponse:
    require(selectors.sees_all(request.user))
    semester, _, _, rows = _city_rows(request)
    return export(f"教研常规达标{semester}", "教研常规", exports.city_columns(ordered_lines()), rows)


# ---- Zones -------------------------------------------------------------------------------------------------


@login_required
def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A zone's schools side by side: their activities, attendance and duties met this semester."""
    require(signed_in_with_role(request.user))
    zone = get_object_or_404(Zone.objects.select_related("district"), pk=pk)
    schools = list(School.objects.filter(zone=zone, is_active=True).order_by("code"))
    if not selectors.sees_all(request.user) and not (school_ids_for(request.user) & {s.pk for s in schools}):
        raise Http404
    semester = chosen_semester(request)
    as_of = as_of_for(semester)
    results = selectors.semester_results(school_ids=[s.pk for s in schools], semester=semester, as_of=as_of)
    counts = {
        row["school_id"]: row
        for row in Activity.objects.filter(semester=semester, school__in=schools)
        .values("school_id")
        .annotate(
            n=Count("pk", distinct=True),
            invited=Count("participations", distinct=True),
            confirmed=Count(
                "participations", filter=Q(participations__status=Participation.Status.CONFIRMED), distinct=True
            ),
        )
    }
    zone_activities = (
        selectors.activity_qs_for(user=request.user)
        .filter(Q(zone=zone) | Q(level="inter_school", school__in=schools), semester=semester)
        .annotate(
            invited_count=Count("participations", distinct=True),
            confirmed_count=Count(
                "participations", filter=Q(participations__status=Participation.Status.CONFIRMED), distinct=True
            ),
        )
    )
    rows = []
    for school in schools:
        count = counts.get(school.pk, {})
        invited, confirmed = count.get("invited", 0), count.get("confirmed", 0)
        rows.append(
            {
                "school": school,
                "activities": count.get("n", 0),
                "invited": invited,
                "confirmed": confirmed,
                "attendance": rules.completion(confirmed, invited),
                "results": results[school.pk],
                "met": sum(r.met for r in results[school.pk]),
            }
        )
    return render(
        request,
        "research/zone_detail.html",
        {
            "zone": zone,
            "semester": semester,
            "semesters": Semester.objects.all(),
            "rows": rows,
            "lines": ordered_lines(),
            "zone_activities": zone_activities,
            "chart": json.dumps(
                {
                    "labels": [row["school"].name for row in rows],
                    "activities": [row["activities"] for row in rows],
                    "attendance": [row["attendance"] for row in rows],
                },
                ensure_ascii=False,
            ),
        },
    )
