"""Councillors' casework: residents' issues, their status, referrals and answers."""
