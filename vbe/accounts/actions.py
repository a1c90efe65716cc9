"""Every action the permission rules answer for (``vbe.accounts.permissions.RULES``), by domain. Read
it from ``vbe.accounts.permissions``, which re-exports it."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    VIEW_GUIDELINE = "view_guideline"
    VIEW_ORGANISATIONS = "view_organisations"
    VIEW_COORDINATORS = "view_coordinators"
    VIEW_OWN_MISSION = "view_own_mission"
    VIEW_ACCESS_LOG = "view_access_log"
    USE_ADMIN_SITE = "use_admin_site"
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_USERS = "manage_users"
    MANAGE_GUIDELINE = "manage_guideline"
    # The event track (vbe.incidents)
    REPORT_INCIDENT = "report_incident"
    VIEW_INCIDENT_RECEIPT = "view_incident_receipt"
    LIST_INCIDENTS = "list_incidents"
    VIEW_INCIDENT = "view_incident"
    HANDLE_INCIDENT = "handle_incident"
    REROUTE_INCIDENT = "reroute_incident"
    VIEW_STATISTICS = "view_statistics"
    # The concern routine (vbe.concerns)
    REPORT_CONCERN = "report_concern"
    VIEW_CONCERN_RECEIPT = "view_concern_receipt"
    LIST_CONCERNS = "list_concerns"
    VIEW_CONCERN = "view_concern"
    HANDLE_CONCERN = "handle_concern"
    COORDINATE_CONCERN = "coordinate_concern"
    HAND_OVER_CONCERN = "hand_over_concern"
    # The plan cycle (vbe.plans, vbe.reports)
    LIST_PLANS = "list_plans"
    VIEW_PLAN = "view_plan"
    EDIT_PLAN = "edit_plan"
    REPORT_DUTIES = "report_duties"
    VIEW_CALENDAR = "view_calendar"
    VIEW_COMPLIANCE = "view_compliance"
    MANAGE_STATUS_REPORT = "manage_status_report"
    READ_STATUS_REPORT = "read_status_report"
    # Four eyes on power (vbe.accounts.four_eyes)
    DECIDE_ACCESS_CHANGE = "decide_access_change"
    # Competence (vbe.competence)
    VIEW_TRAINING_CATALOGUE = "view_training_catalogue"
    MANAGE_TRAINING_CATALOGUE = "manage_training_catalogue"
    REGISTER_OWN_TRAINING = "register_own_training"
    MANAGE_ORGANISATION_TRAINING = "manage_organisation_training"
    MANAGE_TRAINING_REMINDERS = "manage_training_reminders"
    VIEW_TRAINING_COVERAGE = "view_training_coverage"
    # Support (vbe.knowledge)
    VIEW_SUPPORT = "view_support"
    MANAGE_RESOURCES = "manage_resources"
    MANAGE_SYMBOL_GUIDE = "manage_symbol_guide"
    # Democracy condition and collaboration (vbe.collaboration)
    VIEW_ACTOR_REGISTER = "view_actor_register"
    MANAGE_ACTORS = "manage_actors"
    ASSESS_DEMOCRACY = "assess_democracy"
    MANAGE_DEMOCRACY_CRITERIA = "manage_democracy_criteria"
    VIEW_FORUMS = "view_forums"
    MANAGE_FORUMS = "manage_forums"
    VIEW_MEETINGS = "view_meetings"
    RECORD_MEETINGS = "record_meetings"
