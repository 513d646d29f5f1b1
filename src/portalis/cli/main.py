"""``portalis``: ``main_parser()`` builds the parser, ``main(argv)`` runs it, ``entrypoint()``
is the console script. The library raises typed exceptions; this module turns them into one
clear line, a hint and an exit status. Tracebacks appear only with ``--debug``, which every
command accepts before or after its name (``portalis --debug build k.py`` or
``portalis build k.py --debug``).

Exit status: 0 success; 1 an error, including bad arguments (argparse's own 2 would read as a
run's "some module failed"); 2 some module or variant failed (``run``, ``sweep``); 130 Ctrl-C;
141 the reader of stdout went away."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from portalis import __version__
from portalis.errors import PortalisError

#: Subcommands, in the order ``portalis --help`` lists them. Each names a module of this
#: package; modules are imported lazily so ``portalis inspect`` does not pay for USD.
COMMANDS: tuple[str, ...] = (
    "build",
    "inspect",
    "run",
    "sweep",
    "demo",
    "bench",
    "package",
    "cache",
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = EXIT_ERROR  # bad arguments: the status the docs promise, not argparse's 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool killed by it


class UsageParser(argparse.ArgumentParser):
    """An argparse parser whose usage errors exit with :data:`EXIT_USAGE` (1), the usage and
    the message on stderr as argparse writes them. ``add_subparsers`` makes every command's
    parser of the same class."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


DEBUG_HELP = "show full tracebacks for errors"


def main_parser() -> argparse.ArgumentParser:
    parser = UsageParser(
        prog="portalis",
        description="Typed Python kernels → sandboxed WebAssembly → USD scenes.",
    )
    parser.add_argument("--version", action="version", version=f"portalis {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"portalis.cli.{name.replace('-', '_')}")
        except ModuleNotFoundError as e:
            if e.name != f"portalis.cli.{name}":
                raise
            continue
        module.add_parser(subparsers)
    for command in subparsers.choices.values():
        # `--debug` after the command too. SUPPRESS as the default: a command's parser sets
        # the attribute only when given, so it never undoes a `--debug` before the command.
        # (`bench` hands what follows its name to the benchmark and takes `--debug` out.)
        if "--debug" not in command._option_string_actions:
            command.add_argument(
                "--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP
            )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = main_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        return int(args.handler(args))
    except PortalisError as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        if e.hint:
            print(f"hint: {e.hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def entrypoint() -> None:
    try:
        status = main(sys.argv[1:])
        sys.stdout.flush()  # inside the try: a pipe's buffered output is written only here
    except BrokenPipeError:
        # The reader went away (`portalis inspect m.wasm | head`): stop quietly, as Unix tools
        # do, and keep Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    sys.exit(status)


if __name__ == "__main__":
    entrypoint()
