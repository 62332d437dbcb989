from django.contrib import admin

from schools import models


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


@admin.register(models.Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ["student_number", "name", "school", "school_class", "is_active"]
    search_fields = ["student_number"]
    list_select_related = ["school", "school_class"]
    raw_id_fields = ["school", "school_class"]


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
