"""The command-line interface: strings are parsed here and nowhere else."""
