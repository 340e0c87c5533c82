"""``python -m csvprep.cli``: the command line."""

from .main import main

main()
