"""``meldingen``: the daily run of notifications."""
