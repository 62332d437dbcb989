from django.contrib import admin
from django.utils.html import format_html

from eduquality.access_log import call_logged
from schools import codes, models


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "school_type", "district", "zone", "is_city_direct", "is_active"]
    list_filter = ["district", "school_type", "is_city_direct", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["school_type", "district", "zone"]


@admin.register(models.Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ["staff_number", "name", "school", "title", "is_active"]
    list_filter = ["title", "is_active"]
    search_fields = ["staff_number", "name", "school__name"]
    list_select_related = ["school", "title"]
    raw_id_fields = ["school", "user"]
    filter_horizontal = ["subjects"]


REVEAL = "reveal"  # ?reveal=1 on a student's change form shows (and lets one edit) the full name and 学籍号


@admin.register(models.StudentInAdmin)
class StudentAdmin(admin.ModelAdmin):
    """Students in the Django admin, held to the portal's rules for minors' data (docs/security.md):
    names and 学籍号 masked in the list and the change form; the full ones only on an explicit
    reveal of one student; every page (list, search, change form, reveal, history, add) written to
    the access log. No delete and no bulk action: a student leaves the registry as 不在籍."""

    list_display = ["masked_number", "masked_name", "school", "school_class", "is_active"]
    search_fields = ["student_number"]  # the full number finds a student; the list still masks it
    list_select_related = ["school", "school_class"]
    raw_id_fields = ["school", "school_class"]
    actions = None

    @admin.display(description="学籍号")
    def masked_number(self, obj) -> str:
        return codes.mask_student_number(obj.student_number)

    @admin.display(description="姓名")
    def masked_name(self, obj) -> str:
        return codes.mask_name(obj.name)

    @admin.display(description="姓名")
    def masked_name_with_reveal(self, obj) -> str:
        """On the change form: the masked name and the one way to the full record."""
        reveal = format_html(' <a class="button" href="?{}=1">显示完整姓名与学籍号（记入访问日志）</a>', REVEAL)
        return format_html("{}{}", codes.mask_name(obj.name), reveal)

    def _revealed(self, request, obj) -> bool:
        return obj is None or request.GET.get(REVEAL) == "1"

    def get_fields(self, request, obj=None):
        if self._revealed(request, obj):
            return ["student_number", "name", "gender", "school", "school_class", "is_active"]
        return ["masked_number", "masked_name_with_reveal", "gender", "school", "school_class", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        return [] if self._revealed(request, obj) else ["masked_number", "masked_name_with_reveal"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # ---- the access log: every admin page of student data, like the portal's own ----------------

    def changelist_view(self, request, extra_context=None):
        what = "学生名单（后台管理）" + ("：搜索" if request.GET.get("q") else "")
        return call_logged(request, what, super().changelist_view, request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        what = f"学生 #{object_id}（后台管理" + ("，显示完整姓名与学籍号）" if request.GET.get(REVEAL) == "1" else "）")
        return call_logged(request, what, super().change_view, request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        return call_logged(request, "新增学生（后台管理）", super().add_view, request, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        what = f"学生 #{object_id} 修改历史（后台管理）"
        return call_logged(request, what, super().history_view, request, object_id, extra_context)


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "school", "subject"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "school__name"]
    raw_id_fields = ["user", "school"]
    list_select_related = ["user", "school", "subject"]


@admin.register(models.SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["school", "start_year", "grade", "number", "head_teacher"]
    list_filter = ["start_year", "grade"]
    raw_id_fields = ["school", "head_teacher"]
    list_select_related = ["school", "head_teacher"]


@admin.register(models.TeachingGroup)
class TeachingGroupAdmin(admin.ModelAdmin):
    list_display = ["school", "subject", "leader"]
    raw_id_fields = ["school", "leader"]
    list_select_related = ["school", "subject", "leader"]


admin.site.register(models.TeacherHonour)
for reference_model in [
    models.District,
    models.Zone,
    models.Semester,
    models.SchoolType,
    models.UrbanRuralType,
    models.SchoolOperator,
    models.TeacherTitle,
    models.Subject,
    models.Honour,
]:
    admin.site.register(reference_model)
