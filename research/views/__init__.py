"""Teaching-research pages. Thin: role gate → scoped selector/form → service → render/redirect.
A package by concern: activities; the duties' tables and zones; growth files; researcher liaison."""

from research.views.activities import (  # noqa: F401
    activity_attach,
    activity_attendance,
    activity_confirm,
    activity_create,
    activity_detail,
    activity_export,
    activity_link,
    activity_list,
    activity_update,
    attachment_download,
)
from research.views.growth import (  # noqa: F401
    growth_detail,
    growth_material,
    growth_reading,
    growth_record,
    growth_school,
    my_growth,
)
from research.views.liaison import liaison_create, liaison_list, my_schools  # noqa: F401
from research.views.tables import city_export, city_table, my_table, school_table, zone_detail  # noqa: F401
