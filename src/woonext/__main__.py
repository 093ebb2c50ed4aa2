"""`python -m woonext …` runs the CLI."""

from woonext.cli import app

app()
