"""The ``dsg`` command: the headless face of the add-in (batch, CI, Linux).

Each sub-command lives beside the code it drives and registers itself
through a ``register(subparsers)`` function; this module only assembles them.
Exit codes: 0 success, 2 bad input (message on stderr), 1 anything else.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from models.errors import DSGError

#: Modules that add sub-commands, in the order ``dsg --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "addin.cli_refresh",
    "addin.cli_show",
    "addin.cli_model",
    "addin.cli_dfe",
    "addin.cli_caseload",
    "addin.cli_forecast",
    "addin.cli_scenarios",
    "addin.cli_serve",
    "addin.cli_lite",
)


#: The module of each sub-command, so that a command imports only what it needs.
COMMANDS: dict[str, str] = {
    "refresh": "addin.cli_refresh",
    "show": "addin.cli_show",
    "new-model": "addin.cli_model",
    "build-example": "addin.cli_model",
    "dfe-history": "addin.cli_dfe",
    "benchmark": "addin.cli_dfe",
    "caseload": "addin.cli_caseload",
    "forecast": "addin.cli_forecast",
    "scenarios": "addin.cli_scenarios",
    "serve": "addin.cli_serve",
    "lite": "addin.cli_lite",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dsg",
        description="High Needs / DSG deficit tools: the DfE monitoring return, "
        "the model workbook and DfE statistics.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    modules = [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except DSGError as e:
        print(f"dsg {args.command}: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
