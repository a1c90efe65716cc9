"""The database's own guards of the access log, as the connected role sees them (PostgreSQL).

The triggers of migrations 0002 and 0003 refuse UPDATE, DELETE and TRUNCATE, but the table's owner
(and any superuser) can switch them off with ``ALTER TABLE … DISABLE TRIGGER``. ``verify_audit_log``
therefore reports what would let the portal's own role do that: owning the table (or being a member
of the role that does), being a superuser, holding privileges beyond SELECT and INSERT on it, and
triggers that are missing, disabled or set to fire only in replication mode. README ("Drift") gives
the set-up in which the portal's role passes ``--strict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TABLE = "audit_accesslogentry"
TRIGGERS = ("audit_accesslogentry_append_only", "audit_accesslogentry_no_truncate")
NEEDLESS_PRIVILEGES = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")


@dataclass
class GuardReport:
    warnings: list[str] = field(default_factory=list)  # the role could switch the guards off
    errors: list[str] = field(default_factory=list)  # the guards are off now


def database_guards(connection) -> GuardReport:
    report = GuardReport()
    if connection.vendor != "postgresql":
        return report  # SQLite (demo, development) has no such guards; the HMAC chain is all there is
    with connection.cursor() as cursor:
        privileges = ", ".join(f"has_table_privilege(c.oid, '{name}')" for name in NEEDLESS_PRIVILEGES)
        cursor.execute(
            "SELECT current_user, r.rolsuper, pg_get_userbyid(c.relowner), "  # noqa: S608 (constants only)
            f"pg_has_role(current_user, c.relowner, 'MEMBER'), {privileges} "
            "FROM pg_class c JOIN pg_roles r ON r.rolname = current_user WHERE c.oid = to_regclass(%s)",
            [TABLE],
        )
        row = cursor.fetchone()
        if row is None:
            report.errors.append(f"Tabellen {TABLE} finns inte (har migrate körts?).")
            return report
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal", [TABLE]
        )
        triggers = dict(cursor.fetchall())
        cursor.execute("SELECT current_setting('session_replication_role')")
        replication_role = cursor.fetchone()[0]
    role, superuser, owner, owns, *held = row
    if superuser:
        report.warnings.append(
            f"Databasrollen {role} är superanvändare: den kan stänga av loggens triggrar och ta bort rader. "
            f"Låt portalen ansluta med en roll som bara har SELECT och INSERT på {TABLE} (README, Drift)."
        )
    elif owns:
        report.warnings.append(
            f"Databasrollen {role} äger tabellen {TABLE} (ägare: {owner}) och kan därför stänga av dess "
            f"triggrar. Kör migrate som ägarrollen och portalen som en roll utan ägarskap (README, Drift)."
        )
    else:
        extra = [name for name, has in zip(NEEDLESS_PRIVILEGES, held, strict=True) if has]
        if extra:
            report.warnings.append(
                f"Databasrollen {role} har {', '.join(extra)} på {TABLE}; portalen behöver bara SELECT och INSERT."
            )
    for name in TRIGGERS:
        state = triggers.get(name)
        if state is None:
            report.errors.append(f"Triggern {name} på {TABLE} saknas: databasen skyddar inte loggen.")
        elif state == "D":
            report.errors.append(
                f"Triggern {name} på {TABLE} är avstängd (ALTER TABLE … DISABLE TRIGGER): databasen skyddar "
                f"inte loggen. Utred vem som stängde av den och slå på den igen (ENABLE TRIGGER)."
            )
        elif state == "R":
            report.errors.append(f"Triggern {name} på {TABLE} gäller bara i replikeringsläge (ENABLE REPLICA).")
    if replication_role != "origin":
        report.errors.append(
            f"session_replication_role är {replication_role!r} för rollen {role}: loggens triggrar verkar inte."
        )
    return report
