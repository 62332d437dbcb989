"""URL names of the inspections app; the permission matrix (tests/inspections/matrix.py) covers every one."""

app_name = "inspections"

urlpatterns: list = []
