"""`python -m redress_cli`: the same as the `redress` script."""

from redress_cli.main import app

app(prog_name="redress")
