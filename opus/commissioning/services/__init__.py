"""Every write in commissioning: `<entity>_<verb>(*, ...)`, one transaction with its audit event.

Bad input raises `CommissioningError` naming the field, and changes nothing.
"""

from opus.commissioning.services.bids import (
    bid_submit,
    bid_withdraw,
    bids_open,
    consortium_create,
    consortium_invite,
    consortium_problems,
    consortium_respond,
)
from opus.commissioning.services.contracts import (
    award_decide,
    award_reverse,
    contract_sign,
    kpi_return_submit,
)
from opus.commissioning.services.evaluation import (
    conflict_declare,
    evaluation_compute,
    moderation_agree,
    moderation_ready,
    panel_add,
    panel_too_small,
    score_record,
    scores_submit,
)
from opus.commissioning.services.market import (
    alerts_send,
    clarification_answer,
    clarification_ask,
    lot_advice_for,
    opportunity_create,
    opportunity_publish,
    saved_search_create,
    saved_search_delete,
    value_table_load,
)
from opus.commissioning.services.plans import (
    decision_record,
    plan_create,
    plan_publish,
    proposal_for,
)

__all__ = [
    "alerts_send", "award_decide", "award_reverse", "bid_submit", "bid_withdraw", "bids_open",
    "clarification_answer", "clarification_ask", "conflict_declare", "consortium_create",
    "consortium_invite", "consortium_problems", "consortium_respond", "contract_sign",
    "decision_record", "evaluation_compute", "kpi_return_submit", "lot_advice_for",
    "moderation_agree", "moderation_ready", "opportunity_create", "opportunity_publish",
    "panel_add", "panel_too_small", "plan_create", "plan_publish", "proposal_for",
    "saved_search_create", "saved_search_delete", "score_record", "scores_submit",
    "value_table_load",
]  # fmt: skip
