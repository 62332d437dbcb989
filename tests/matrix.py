"""Shared vocabulary of the URL × role matrix (tests/test_permission_matrix.py).

Each app with pages adds `tests/<app>/matrix.py` holding:

- `EXPECTED`: {"<app>:<url-name>": statuses(...)} for every named pattern of the app;
- `build(city) -> dict`: creates the objects its URLs are asked about (school A's, the bureau's);
- `url(name, objects) -> str`: the URL to request for `name`, given what `build` returned.

and lists the module in `APP_MATRICES` of tests/test_permission_matrix.py.
"""

ROLES = ["anonymous", "nobody", "bureau", "inspector", "principal", "academic_lead", "group_leader", "teacher"]
SIGNED_IN = ROLES[1:]


def statuses(default: int, **overrides: int) -> dict[str, int]:
    """Anonymous users are sent to the login page; everyone else gets `default` unless overridden."""
    table = {"anonymous": 302, **dict.fromkeys(SIGNED_IN, default)}
    table.update(overrides)
    return table


BUREAU_ONLY = statuses(403, bureau=200)
ANY_ROLE = statuses(200, nobody=403)
SCHOOL_PEOPLE = statuses(200, nobody=403, inspector=403)  # bureau and the school's own staff
STUDENT_READERS = statuses(200, nobody=403, inspector=403, teacher=403)  # 学生: bureau and school leaders
POST_ONLY = statuses(405)  # a GET on a mutation endpoint
