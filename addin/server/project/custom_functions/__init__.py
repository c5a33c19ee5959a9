"""xlwings Server's custom functions: those of ``addin.server.FUNCTION_MODULES``."""

import importlib

from addin.server import FUNCTION_MODULES

for _name in FUNCTION_MODULES:
    _module = importlib.import_module(_name)
    globals().update(
        {
            k: v
            for k, v in vars(_module).items()
            if hasattr(v, "__xlfunc__") and not k.startswith("_")
        }
    )
