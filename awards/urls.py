"""URL names of the awards app; the permission matrix (tests/awards/matrix.py) covers every one."""

app_name = "awards"

urlpatterns: list = []
