"""Teaching-research pages: liaison."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from eduquality.listing import paginate
from research import forms, selectors, services
from research.views._common import as_of_for, chosen_semester, ordered_lines, require
from schools.models import ResearchLiaison
from schools.scoping import is_bureau, is_inspector, school_leader_ids_for

# ---- Researcher liaison ------------------------------------------------------------------------------------


@login_required
def liaison_list(request: HttpRequest) -> HttpResponse:
    require(selectors.sees_all(request.user) or bool(school_leader_ids_for(request.user)))
    liaisons = selectors.liaison_qs_for(user=request.user)
    page = paginate(request, liaisons)
    return render(
        request,
        "research/liaison_list.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "form": forms.LiaisonForm() if is_bureau(request.user) else None,
        },
    )


@login_required
@require_POST
def liaison_create(request: HttpRequest) -> HttpResponse:
    require(is_bureau(request.user))
    form = forms.LiaisonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[n].label}：{'；'.join(e)}" for n, e in form.errors.items()))
    else:
        try:
            liaison = services.assign_liaison(by=request.user, **form.cleaned_data)
            messages.success(request, f"已分配：{liaison}。")
        except services.Refused as error:
            messages.error(request, "；".join(error.messages))
    return redirect("research:liaison-list")


@login_required
def my_schools(request: HttpRequest) -> HttpResponse:
    """教研员's own schools: their duties this semester, recent activities, and where their warnings are."""
    require(is_inspector(request.user))
    semester = chosen_semester(request)
    as_of = as_of_for(semester)
    schools = selectors.my_liaison_schools(user=request.user, on=timezone.localdate())
    results = selectors.semester_results(school_ids=[s.pk for s in schools], semester=semester, as_of=as_of)
    subjects = {}
    for liaison in (
        ResearchLiaison.objects.on(timezone.localdate()).filter(researcher=request.user).select_related("subject")
    ):
        subjects.setdefault(liaison.school_id, []).append(liaison.subject.name if liaison.subject_id else "全校")
    recent = selectors.recent_activities(school_ids=[s.pk for s in schools], semester=semester)
    names = {line.code: line.name for line in ordered_lines()}
    rows = [
        {
            "school": school,
            "missing": [names.get(r.code, r.code) for r in results[school.pk] if not r.met],
            "subjects": "、".join(subjects.get(school.pk, [])),
            "results": results[school.pk],
            "met": sum(r.met for r in results[school.pk]),
            "recent": recent[school.pk],
        }
        for school in schools
    ]
    return render(
        request,
        "research/my_schools.html",
        {"rows": rows, "semester": semester, "lines": ordered_lines()},
    )
