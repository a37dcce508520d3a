"""Norms: the cited, versioned legal norms (stichting, opheffing, isolatie), rules of thumb and user thresholds."""
