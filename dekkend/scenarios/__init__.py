"""Cooperation scenarios: close, merge, move, concentrate, share or teach remotely, and their effects."""
