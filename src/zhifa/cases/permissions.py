"""One authorisation rule per action on cases (CKAN style), checked by the views.

These rules say who may use a page at all; the services still check everything that depends
on the case (its agency, its current step, the step's roles, certificates, AV records).
Reading is a Django permission (`cases.view_case`, granted to roles in org.roles); acting
needs an agency (a Staff row) and one of the roles the action's flow steps name.
"""

from __future__ import annotations

from zhifa.org.roles import Role, role_names

OFFICER, HEAD, LEADER = Role.OFFICER.value, Role.UNIT_HEAD.value, Role.LEADER.value
REVIEWER, OFFICE = Role.REVIEWER.value, Role.OFFICE.value
HANDLING = {OFFICER, HEAD, LEADER, REVIEWER}


def _acting(user, *roles: str) -> bool:
    """A user of an agency (writes belong to the writer's agency) holding one of `roles`."""
    if getattr(user, "staff", None) is None or not user.staff.is_active:
        return False
    return bool(role_names(user) & set(roles))


def can_view_cases(user) -> bool:
    return user.has_perm("cases.view_case")


def can_register_clue(user) -> bool:
    return _acting(user, OFFICER)


def can_simple_penalty(user) -> bool:
    return _acting(user, OFFICER)


def can_apply_licence(user) -> bool:
    return _acting(user, OFFICER)


def can_file(user) -> bool:
    return _acting(user, HEAD, LEADER)


def can_advance(user) -> bool:
    return _acting(user, *HANDLING, OFFICE)


def can_propose_decision(user) -> bool:
    return _acting(user, OFFICER, HEAD, REVIEWER)


def can_notify(user) -> bool:
    return _acting(user, OFFICER, HEAD)


def can_record_response(user) -> bool:
    return _acting(user, OFFICER, HEAD)


def can_decide(user) -> bool:
    return _acting(user, LEADER)


def can_record_consent(user) -> bool:
    return _acting(user, OFFICER, HEAD)


def can_serve(user) -> bool:
    return _acting(user, OFFICER)


def can_record_payment(user) -> bool:
    return _acting(user, OFFICER)


def can_set_handlers(user) -> bool:
    return _acting(user, HEAD, LEADER)


def can_close(user) -> bool:
    return _acting(user, HEAD, LEADER)


def can_archive(user) -> bool:
    return _acting(user, OFFICER, OFFICE)


def can_attach_evidence(user) -> bool:
    return _acting(user, OFFICER, HEAD, LEADER)


def can_approve_av_exception(user) -> bool:
    return _acting(user, LEADER)


def can_request_correction(user) -> bool:
    return _acting(user, OFFICER)


def can_accept_licence(user) -> bool:
    return _acting(user, OFFICER)


def can_not_accept_licence(user) -> bool:
    return _acting(user, OFFICER, HEAD)


def can_extend_licence(user) -> bool:
    return _acting(user, LEADER)


def can_decide_licence(user) -> bool:
    return _acting(user, LEADER)


def can_record_hearing(user) -> bool:
    """听证笔录: the roles of the 听证 step (the service checks the step and the presider)."""
    return _acting(user, OFFICER, LEADER, REVIEWER)


def can_request_extension(user) -> bool:
    """A handler or unit head asks to extend the decision deadline (处罚法 art. 60)."""
    return _acting(user, OFFICER, HEAD)


def can_decide_extension(user) -> bool:
    """The agency's head (局领导) approves or rejects the extension (处罚法 art. 60)."""
    return _acting(user, LEADER)


def can_record_violation(user) -> bool:
    """违法行为发生时间 for the 追责时效 (处罚法 art. 36), before 立案."""
    return _acting(user, OFFICER, HEAD, LEADER)


def can_apply_recusal(user) -> bool:
    """A handler declares, or records the party's application for, a recusal (处罚法 art. 43)."""
    return _acting(user, OFFICER, HEAD, LEADER)


def can_decide_recusal(user) -> bool:
    """The agency's head (局领导) decides a recusal (处罚法 art. 43)."""
    return _acting(user, LEADER)


def can_cash_hand_over(user) -> bool:
    """An officer hands cash collected on the spot to the agency (处罚法 art. 71)."""
    return _acting(user, OFFICER)


def can_cash_bank(user) -> bool:
    """The 办公室 pays the cash it received into the designated bank (处罚法 art. 71)."""
    return _acting(user, OFFICE)
