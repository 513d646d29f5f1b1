"""The ``portalis`` command. Each subcommand is one module here exposing
``add_parser(subparsers)`` and ``run(args) -> int``; :mod:`portalis.cli.main` wires them."""
