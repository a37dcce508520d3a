"""Optimisation: regional configurations that keep the offer complete, reachable and viable (HiGHS)."""
