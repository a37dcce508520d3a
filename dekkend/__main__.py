"""``python -m dekkend``."""

from dekkend.cli import main

main()
