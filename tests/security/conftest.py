"""The matrix's world (school A's objects, a bureau job) for every security check."""

from tests.test_permission_matrix import matrix_world  # noqa: F401 – the fixture, shared
