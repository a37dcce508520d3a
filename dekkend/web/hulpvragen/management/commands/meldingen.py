"""``python -m dekkend.web meldingen``: the daily run of notifications (reminders, then the digests)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dekkend.web.notify import run_daily


class Command(BaseCommand):
    help = "Verstuur de herinneringen en de dagelijkse samenvattingen van meldingen (eens per dag draaien)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in run_daily().items():
            self.stdout.write(f"{name}: {count}")
