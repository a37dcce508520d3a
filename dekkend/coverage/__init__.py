"""Coverage: reachability of every onderwijstype and vmbo-profiel from every home area, and viability."""
