"""``python -m fsr_opt``: the same command line as ``fsr-opt``."""

from fsr_opt.cli import main

main()
