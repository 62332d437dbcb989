"""Paper analysis (试卷分析): blueprints, item scores, item statistics and knowledge-point mastery.

- rules.py        pure definitions (P, D with its tie rule, item–rest r, α, SEM, skew, option shares, flags)
- models.py       blueprint, knowledge points, ability levels, item scores, stored item statistics
- blueprint.py    the blueprint's Excel template, import and the two-way table (双向细目表)
- importing.py    item columns of the score sheet (used by monitoring.score_import)
- reference.py    the plain Python engine (the SQLite demo, and what the tests hold the others to)
- engine_numpy.py the PostgreSQL default: one binary COPY of the item arrays, numpy, COPY of the rows
- engine_sql.py   all in PostgreSQL statements (compute_exam_items(engine="sql"))
- selectors.py, views.py, exports.py, forms.py  the pages
"""
