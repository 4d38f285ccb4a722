"""`flask rewards quote`: anyone can re-run the calculation with the policy of a given version."""

from decimal import Decimal, InvalidOperation

import click


class _Yuan(click.ParamType):
    name = "yuan"

    def convert(self, value, param, ctx):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not an amount in yuan", param, ctx)
        if not amount.is_finite() or amount < 0:
            self.fail(f"{value!r} is not an amount in yuan", param, ctx)
        return amount


YUAN = _Yuan()


@click.group(help="Rewards for tip-offs.")
def rewards():
    pass


@rewards.command("quote", help="Print the award the rules give (yuan, to the fen).")
@click.option("--level", type=click.IntRange(1, 3), required=True)
@click.option("--fines", type=YUAN, required=True, help="Confiscations and fines in yuan (0: none).")
@click.option("--already-awarded", type=YUAN, default="0", help="Awarded for the same case before.")
@click.option("--insider-multiplier", type=YUAN, default="1", help="Insider raise (1 to the policy's max).")
@click.option("--policy", "version", help="Policy version code (default: the one in force today).")
@click.option("--explain", is_flag=True, help="Also print how the amount was reached.")
def quote_command(level, fines, already_awarded, insider_multiplier, version, explain):
    from portal.clock import local_today
    from portal.rewards.calculation import quote
    from portal.rewards.policies import policy_by_version, policy_in_force

    policy = policy_by_version(version) if version else policy_in_force(local_today())
    if policy is None:
        raise click.ClickException(f"no reward policy {version or 'in force today'}")
    try:
        result = quote(policy.terms(), level, fines, already_awarded, insider_multiplier)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{result.amount:.2f}")
    if explain:
        click.echo(
            f"policy {policy.version}; by rate {result.by_rate:.2f}; floor applied {result.floor_applied}; "
            f"raised {result.raised}; capped {result.capped}; finance sign-off {result.needs_signoff}"
        )
