"""The command line (Typer): thin wrappers over plain functions."""
