"""``python -m causalbridge`` runs the CLI."""

from causalbridge.cli.main import main

main()
