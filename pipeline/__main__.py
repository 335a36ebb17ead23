"""``python -m vnfacts``: the command line."""

from .cli import main

main(prog_name="vnfacts")
