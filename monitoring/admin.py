from monitoring.items import admin as items_admin  # noqa: F401  (registers the paper-analysis data)
