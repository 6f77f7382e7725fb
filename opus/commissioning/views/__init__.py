"""Commissioning pages: public (opportunities, plans, contracts, diversity), providers
(bids, consortia, searches, returns), commissioners (plans, opportunities, evaluation,
awards, contracts) and auditors (openings and reversals)."""
