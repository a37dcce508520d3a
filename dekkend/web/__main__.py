"""``python -m dekkend.web ARGS``: Django's management commands with the workspace's settings.

The task worker runs as ``python -m dekkend.web db_worker``; ``dekkend web`` starts it for you.
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dekkend.web.settings")
    execute_from_command_line(["python -m dekkend.web", *sys.argv[1:]])


if __name__ == "__main__":
    main()
