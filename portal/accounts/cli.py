"""`flask users …`: account chores for administrators at the console. Each command calls the
domain operations, which audit it with the actor system:cli."""

import click
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.accounts.operations import change_password, create_user, deactivate_user, set_email
from portal.accounts.passwords import AccountError
from portal.accounts.two_factor import reset_totp
from portal.audit.chain import Actor
from portal.extensions import db

CLI_ACTOR = Actor("system", "cli")

ACCOUNT_ERRORS = {
    "password_too_short": "the password is too short: use at least 12 characters",
    "department_required": "staff and lead accounts need --department CODE",
    "department_not_allowed": "only staff and lead accounts belong to a department; leave out --department",
    "username_taken": "that username is already in use",
    "username_invalid": "a username is one word without spaces or control characters",
    "email_invalid": "that is not an email address",
}


def _refuse(exc):
    return click.ClickException(ACCOUNT_ERRORS.get(exc.code, exc.code))


def _user(username):
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user


def _department(code):
    from portal.directory.loader import by_code
    from portal.directory.models import Department

    try:
        return by_code(Department, code)
    except ValueError:
        raise click.ClickException(f"no department with code {code!r}") from None


@click.group(help="Staff accounts: create, deactivate, reset passwords and two-step sign-in.")
def users():
    pass


@users.command("create", help="Create a staff account (the password rule applies).")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--department", "department_code", help="Department code (staff and lead only).")
@click.option("--password", required=True)
@click.option("--display-name", help="Name shown in the back office (default: the username).")
def create(username, role, department_code, password, display_name):
    department = _department(department_code) if department_code else None
    try:
        user = create_user(username, display_name or username, role, department, password, CLI_ACTOR)
    except AccountError as exc:
        raise _refuse(exc) from None
    db.session.commit()
    second = " (two-step sign-in will be set up at the first sign-in)" if user.needs_second_factor else ""
    click.echo(f"created {role} account {username}{second}")


@users.command("deactivate", help="Deactivate an account and end all its sessions.")
@click.argument("username")
def deactivate(username):
    deactivate_user(_user(username), CLI_ACTOR)
    db.session.commit()
    click.echo(f"deactivated {username}")


@users.command("reset-password", help="Set a new password; every session of the account ends.")
@click.argument("username")
@click.option("--password", required=True)
def reset_password(username, password):
    try:
        change_password(_user(username), password, CLI_ACTOR)
    except AccountError as exc:
        raise _refuse(exc) from None
    db.session.commit()
    click.echo(f"password of {username} changed")


@users.command("set-email", help="Set the address the leads' digests go to (no EMAIL: remove it).")
@click.argument("username")
@click.argument("email", required=False)
def set_email_command(username, email):
    try:
        changed = set_email(_user(username), email, CLI_ACTOR)
    except AccountError as exc:
        raise _refuse(exc) from None
    db.session.commit()
    user = _user(username)
    click.echo(f"email of {username}: {user.email or 'none'}{'' if changed else ' (unchanged)'}")


@users.command("reset-totp", help="Forget the account's TOTP secret and recovery codes (new phone).")
@click.argument("username")
def reset_totp_command(username):
    reset_totp(_user(username), CLI_ACTOR)
    db.session.commit()
    click.echo(f"two-step sign-in of {username} reset; it is set up again at the next sign-in")


@users.command("totp-code", help="Print the current TOTP code of a demo account (development only).")
@click.argument("username")
def totp_code(username):
    from flask import current_app

    from portal.accounts.totp import code_at
    from portal.clock import utcnow

    if current_app.config["ENV_NAME"] != "development":
        raise click.ClickException("totp-code only works with PORTAL_ENV=development (demo accounts)")
    user = _user(username)
    if not user.totp_enrolled:
        raise click.ClickException(f"{username} has no two-step sign-in set up")
    click.echo(code_at(user.totp_secret, utcnow()))


@users.command("token", help="Make a personal API token for a staff account; it is printed once.")
@click.argument("username")
@click.option("--expires-days", default=90, show_default=True, type=click.IntRange(min=1))
def token(username, expires_days):
    from portal.api.tokens import TokenError, create_token

    try:
        row, plain = create_token(_user(username), CLI_ACTOR, expires_days)
    except TokenError as exc:
        raise click.ClickException(f"no token made: {exc.code.replace('_', ' ')}") from None
    db.session.commit()
    expires = row.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"token {row.id} for {username}, valid until {expires}; it is not shown again:", err=True)
    click.echo(plain)


@users.command("revoke-token", help="Revoke a token by its id, or every live token of a user.")
@click.argument("token_id_or_username")
def revoke_token(token_id_or_username):
    from portal.api.tokens import revoke_tokens

    revoked = revoke_tokens(token_id_or_username, CLI_ACTOR)
    if not revoked:
        raise click.ClickException(f"no live token matches {token_id_or_username!r}")
    db.session.commit()
    click.echo("revoked token " + ", ".join(str(t.id) for t in revoked))
