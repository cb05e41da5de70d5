"""Who may use the tools beside the two processes: the expense ledger, the dispute history, the
dev simulators, the Temporal codec endpoint. An onboarding's actions have their roles in
domain.onboarding.rules (ACTION_ROLES), a case's in domain.injury.rules (CASE_ROLES)."""

from __future__ import annotations

from domain.shared.errors import Forbidden
from domain.shared.people import Actor

HR_ROLES = frozenset({"hr", "hr_manager", "admin"})
TOOL_ROLES: dict[str, frozenset[str]] = {
    "record_expense": HR_ROLES,
    "import_disputes": HR_ROLES,
    "drive_simulators": HR_ROLES,
    # The outbox and the notices hold whole phones, emails and message bodies: the roles that
    # handle the cases (a manager reads the cases through masks: domain.shared.masking).
    "read_messages": HR_ROLES,
    # Who read which employee's personal information (PIPL art. 54 audits).
    "read_access_log": frozenset({"admin"}),
    # The codec endpoint opens any workflow's payloads, every employee's whole record at once (ID
    # numbers, diagnoses): the roles that may read documents and export bundles, not `manager`.
    "decode_payloads": HR_ROLES,
    # The directory decides who holds every role and key: admins only.
    "manage_people": frozenset({"admin"}),
    # Subject rights (PIPL arts. 45, 47): everything held on one employee in one ZIP, and the
    # legal holds that keep records past their retention period: admins only.
    "export_personal_data": frozenset({"admin"}),
    "manage_legal_holds": frozenset({"admin"}),
    # What the processes found only an admin can mend (a role nobody reachable holds).
    "handle_admin_tasks": frozenset({"admin"}),
    # An employee's WeCom/DingTalk ids and channel order: the roles that send them notices.
    "edit_employee_contacts": HR_ROLES,
    # An employee's proposed change to their own details (self-service): whole values, HR decides.
    "review_employee_changes": HR_ROLES,
}
_DOING = {"record_expense": "record expenses", "import_disputes": "import disputes",
          "drive_simulators": "drive the simulators",
          "read_messages": "read the outbox or notices", "read_access_log": "read the access log",
          "decode_payloads": "decode or encode Temporal payloads",
          "manage_people": "manage people and their API keys",
          "export_personal_data": "export an employee's personal data",
          "manage_legal_holds": "place, lift or list legal holds",
          "handle_admin_tasks": "read or close admin tasks",
          "edit_employee_contacts": "change how an employee is reached",
          "review_employee_changes": "review employees' proposed changes"}


def check_role(action: str, actor: Actor) -> None:
    """403 unless the actor's role may use the tool."""
    roles = TOOL_ROLES[action]
    if actor.role not in roles:
        raise Forbidden("role.forbidden", f"role '{actor.role}' may not {_DOING[action]}; "
                        f"allowed: {', '.join(sorted(roles))}", "role")
