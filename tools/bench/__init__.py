"""`make bench`: the portal served as in production (granian, PostgreSQL), measured from outside.

Run with ``python -m tools.bench`` (``run``, the default) or ``python -m tools.bench compare a.json
b.json``. What it does and the variables it reads: README, "Prestanda / Performance".
"""
