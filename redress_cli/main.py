"""The `redress` command: `redress --help` lists the commands, `redress <command> --help` each."""

from __future__ import annotations

import typer

from redress_cli import dlq, lag, operations, topics
from redress_cli.config import console, fail
from shared.auth import Role, issue_staff_token
from shared.settings import ServiceSettings

app = typer.Typer(
    name="redress",
    help="Redress operator commands. Configuration comes from the services' environment "
    "variables (KAFKA_BOOTSTRAP_SERVERS, <SERVICE>_DATABASE_URL, REDRESS_*; docs/design.md §6).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold secrets or personal data
)
app.add_typer(topics.app, name="topics")
app.command("lag")(lag.lag)
app.add_typer(dlq.app, name="dlq")
app.add_typer(operations.rebuild_app, name="rebuild")
app.add_typer(operations.retention_app, name="retention")
app.add_typer(operations.keys_app, name="keys")
app.add_typer(operations.staff_app, name="staff")


@app.command()
def token(
    role: Role = typer.Option(Role.CASEWORKER, help="The staff role."),
    sub: str = typer.Option("dev-staff", help="The staff id (the token's subject)."),
    name: str = typer.Option("Development Staff", help="The name the token carries."),
) -> None:
    """Print a development staff token (JWT, signed with REDRESS_AUTH_SECRET). Refused when
    REDRESS_ENVIRONMENT=production: production staff sign in."""
    settings = ServiceSettings()
    if settings.environment == "production":
        raise fail("refusing to issue a development token in production", 2)
    console.print(
        issue_staff_token(settings.auth_secret_value, sub=sub, name=name, role=role),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
