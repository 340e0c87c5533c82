"""``python -m csvprep.cli``: the command line."""

from .entry import main

main()
