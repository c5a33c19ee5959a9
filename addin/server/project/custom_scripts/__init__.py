"""xlwings Server's scripts: those of ``addin.server.SCRIPT_MODULES``, run off the event loop."""

from addin.server.scripts import served_scripts

globals().update(served_scripts())
