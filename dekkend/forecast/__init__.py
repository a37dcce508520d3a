"""Forecasting pupils per vestiging, onderwijstype and leerjaar, with intervals and back-tests."""
