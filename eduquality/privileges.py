"""Least privilege in PostgreSQL: the owner role migrates; the web and worker processes connect as an
application role that reads and writes rows and does nothing else.

`grant_app_role(role, password)` runs as the owner (after every `migrate`; idempotent). The role gets:
CONNECT and TEMP (the statistics and the score import use temporary tables); SELECT, INSERT, UPDATE,
DELETE on every table and the sequences; on the access log only SELECT and INSERT; on
django_migrations only SELECT; no CREATE on the schema, so no DDL. Default privileges give the same
rights on tables and sequences the owner creates later, so a new migration needs nothing of its own.
"""

from django.db import connection, transaction

ACCESS_LOG = "eduquality_accesslog"
MIGRATIONS = "django_migrations"


def default_app_role(database: str) -> str:
    """The application role of a database: `<db>_app` for eduquality… databases, else `eduquality_<db>_app`
    (the role is cluster-wide; the name keeps two databases' roles, e.g. CI's and a developer's, apart)."""
    base = database if database.startswith("eduquality") else f"eduquality_{database}"
    return f"{base}_app"[:63]


def grant_app_role(role: str, password: str | None = None) -> list[str]:
    """Create or update `role` and grant it the application's rights; returns the statements run."""
    quote = connection.ops.quote_name
    name, database = quote(role), quote(connection.settings_dict["NAME"])
    statements = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        exists = cursor.fetchone() is not None
        cursor.execute("SELECT current_user")
        owner = quote(cursor.fetchone()[0])
        create = "ALTER ROLE" if exists else "CREATE ROLE"
        options = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
        if password:
            cursor.execute(f"{create} {name} {options} PASSWORD %s", [password])
        else:
            cursor.execute(f"{create} {name} {options}")
        statements.append(f"{create} {name} {options}{' PASSWORD …' if password else ''}")
        script = [
            # PostgreSQL 15 creates databases this way; an older cluster's PUBLIC may still create.
            f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {name}",
            f"GRANT USAGE, CREATE ON SCHEMA public TO {owner}",
            f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {name}",
            f"GRANT USAGE ON SCHEMA public TO {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {name}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {name}",
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {quote(ACCESS_LOG)} FROM {name}",
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {quote(MIGRATIONS)} FROM {name}",
        ]
        with transaction.atomic():
            for statement in script:
                cursor.execute(statement)
        statements += script
    return statements
