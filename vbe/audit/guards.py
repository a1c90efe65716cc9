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

from django.utils.translation import gettext as _

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
            report.errors.append(_("Tabellen %(table)s finns inte (har migrate körts?).") % {"table": TABLE})
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
            _(
                "Databasrollen %(role)s är superanvändare: den kan stänga av loggens triggrar och ta bort rader. "
                "Låt portalen ansluta med en roll som bara har SELECT och INSERT på %(table)s (README, Drift)."
            )
            % {"role": role, "table": TABLE}
        )
    elif owns:
        report.warnings.append(
            _(
                "Databasrollen %(role)s äger tabellen %(table)s (ägare: %(owner)s) och kan därför stänga av dess "
                "triggrar. Kör migrate som ägarrollen och portalen som en roll utan ägarskap (README, Drift)."
            )
            % {"role": role, "table": TABLE, "owner": owner}
        )
    else:
        extra = [name for name, has in zip(NEEDLESS_PRIVILEGES, held, strict=True) if has]
        if extra:
            report.warnings.append(
                _("Databasrollen %(role)s har %(privileges)s på %(table)s; portalen behöver bara SELECT och INSERT.")
                % {"role": role, "privileges": ", ".join(extra), "table": TABLE}
            )
    for name in TRIGGERS:
        state = triggers.get(name)
        if state is None:
            report.errors.append(
                _("Triggern %(trigger)s på %(table)s saknas: databasen skyddar inte loggen.")
                % {"trigger": name, "table": TABLE}
            )
        elif state == "D":
            report.errors.append(
                _(
                    "Triggern %(trigger)s på %(table)s är avstängd (ALTER TABLE … DISABLE TRIGGER): databasen "
                    "skyddar inte loggen. Utred vem som stängde av den och slå på den igen (ENABLE TRIGGER)."
                )
                % {"trigger": name, "table": TABLE}
            )
        elif state == "R":
            report.errors.append(
                _("Triggern %(trigger)s på %(table)s gäller bara i replikeringsläge (ENABLE REPLICA).")
                % {"trigger": name, "table": TABLE}
            )
    if replication_role != "origin":
        report.errors.append(
            _("session_replication_role är %(value)r för rollen %(role)s: loggens triggrar verkar inte.")
            % {"value": replication_role, "role": role}
        )
    return report
