"""URL names of the reports app; the permission matrix (tests/reports/matrix.py) covers every one."""

app_name = "reports"

urlpatterns: list = []
