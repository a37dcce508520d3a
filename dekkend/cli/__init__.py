"""The ``dekkend`` command line: thin Dutch shells over the library.

:mod:`dekkend.cli.app` assembles the application; :mod:`dekkend.cli.support` holds what the commands
share (consoles, options, progress, the error boundary); every other module is one area's commands
and imports only the support module and the library.
"""

from dekkend.cli.app import app, main

__all__ = ["app", "main"]
