"""Flask CLI commands. They call the domain layer; no rule lives here."""

import click

from portal.accounts.cli import users
from portal.extensions import db
from portal.rewards.cli import rewards


def init_cli(app):
    app.cli.add_command(seed)
    app.cli.add_command(audit)
    app.cli.add_command(evidence)
    app.cli.add_command(holidays)
    app.cli.add_command(deadlines)
    app.cli.add_command(users)
    app.cli.add_command(outbox)
    app.cli.add_command(rewards)
    app.cli.add_command(stats)


@click.group(help="Load reference and demo data.")
def seed():
    pass


@seed.command("reference", help="Load categories, departments, regions, routing rules (idempotent).")
def seed_reference():
    from portal.directory.loader import ReferenceDataError, load_reference_data

    try:
        counts = load_reference_data()
    except ReferenceDataError as exc:
        raise click.ClickException(f"reference data not loaded: {exc}") from None
    db.session.commit()
    click.echo("reference data: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@seed.command("demo", help="Create demo staff accounts and ~50 demo reports (once).")
@click.option("--count", default=50, show_default=True)
def seed_demo(count):
    from portal.demo import (
        DEMO_PASSWORD,
        DemoRefused,
        ensure_demo_users,
        load_demo_conversation,
        load_demo_ratings,
        load_demo_reports,
    )
    from portal.demo_rewards import load_demo_rewards
    from portal.reports.receipts import format_key

    try:
        users = ensure_demo_users()
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    reports = load_demo_reports(count)
    conversation = load_demo_conversation()
    from portal.oversight.demo import load_demo_oversight

    oversight = load_demo_oversight()
    db.session.commit()
    rewards = load_demo_rewards()
    db.session.commit()
    # Ratings last: rating a decided report refreshes the statistics, which count the rewards too.
    ratings = load_demo_ratings()
    db.session.commit()
    if oversight:
        click.echo(f"demo oversight: {', '.join(sorted(oversight))} (see /notices, /lists, /admin/oversight)")
    reports += (1 if conversation else 0) + len(rewards)
    click.echo(f"demo data: {users} new staff accounts (password {DEMO_PASSWORD!r}), {reports} new reports")
    if conversation:
        key = format_key(conversation.access_key)
        click.echo(
            f"demo conversation: {conversation.report.number}, access key {key} (market.staff asked, "
            "the reporter answered; `flask outbox deliver --once` prints the mails)"
        )
    click.echo(f"demo ratings: {ratings} (statistics refreshed, audit head published)")
    for step in ("eligible", "approved"):
        if step in rewards:
            receipt = rewards[step]
            click.echo(
                f"demo reward ({step}): {receipt.report.number}, access key {format_key(receipt.access_key)}"
                " (README: Rewards walkthrough)"
            )
    click.echo("leads, finance, auditor and admin also need a code: flask users totp-code USERNAME")


@click.group(help="Audit trail.")
def audit():
    pass


@audit.command(
    "verify",
    help="Re-compute the keyed hash chain and the head's seal in one snapshot; exit 1 if broken. "
    "Keep the printed head hash outside the database: a later head must descend from it.",
)
@click.option("--batch", default=1000, show_default=True, help="Events read per query.")
@click.option(
    "--against",
    "against",
    type=click.Path(exists=True, dir_okay=False),
    help="A published heads file (AUDIT_HEADS_FILE or a copy): every head in it must still be in the chain.",
)
def audit_verify(batch, against):
    from portal.audit.verify import verify_chain

    if against:
        from portal.audit.anchor import verify_against

        anchored = verify_against(against)
        if not anchored.ok:
            raise click.ClickException(
                f"audit chain BROKEN against {against}: {anchored.problem} "
                f"({anchored.heads} published heads fine before it)"
            )
        click.echo(f"{anchored.heads} published heads found in the chain")
    result = verify_chain(batch=batch)
    if result.ok:
        click.echo(f"audit chain OK: {result.checked} events, head {result.head_hash}")
        return
    where = f" at event {result.event_id}" if result.event_id else ""
    raise click.ClickException(
        f"audit chain BROKEN{where}: {result.problem} ({result.checked} events fine before it)"
    )


@click.group(help="Evidence files.")
def evidence():
    pass


@evidence.command(
    "purge-staging", help="Remove staged uploads past their expiry (2 hours) that were never submitted."
)
def evidence_purge():
    from portal.evidence.storage import purge_stale_staging

    click.echo(f"removed {purge_stale_staging()} stale staged uploads")


@click.group(help="The working-day calendar.")
def holidays():
    pass


@holidays.command(
    "import",
    help="Load the State Council's holiday schedule for one year from a JSON file (format: README); "
    "idempotent, audited.",
)
@click.argument("file", type=click.File("r", encoding="utf-8"))
def holidays_import(file):
    import json

    from portal.audit.chain import Actor
    from portal.deadlines.holidays import ScheduleError, import_schedule

    try:
        year, changed = import_schedule(json.load(file), Actor("system", "holidays-import"))
    except (ScheduleError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"schedule not loaded: {exc}") from None
    db.session.commit()
    click.echo(f"holidays {year}: {changed} days changed")


@click.group(help="Working-day deadlines.")
def deadlines():
    pass


@deadlines.command(
    "sweep",
    help="Flag due-soon and overdue deadlines, queue the leads' daily digests, purge stale uploads "
    "(idempotent; run hourly).",
)
def deadlines_sweep():
    from portal.deadlines.sweep import sweep_deadlines

    result = sweep_deadlines()
    db.session.commit()
    changed = ", ".join(f"{k}={v}" for k, v in sorted(result.changed.items())) or "none"
    click.echo(
        f"deadlines changed: {changed}; {result.digests} daily digests queued; "
        f"removed {result.purged_uploads} stale staged uploads "
        f"and {result.purged_sessions} session records older than 30 days"
    )


@click.group(help="Notifications waiting in the outbox.")
def outbox():
    pass


@outbox.command(
    "deliver",
    help="Send due notifications over SMTP (MAIL_SERVER; without it, print them). Loops until "
    "stopped; --once sends what is due and exits (for cron).",
)
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--interval", default=10, show_default=True, help="Seconds between looks at the outbox.")
def outbox_deliver(once, interval):
    import time

    from portal.notify.delivery import deliver_due

    while True:
        try:
            result = deliver_due()
        except Exception:
            db.session.rollback()
            if once:
                raise
            click.echo("outbox: delivery failed; trying again shortly", err=True)
            result = None
        if result is not None and (result.handled or once):
            click.echo(f"outbox: {result.sent} sent, {result.retried} to retry, {result.dead} dead-lettered")
        if once:
            return
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            return


@audit.command(
    "publish-head", help="Append today's chain head to AUDIT_HEADS_FILE (once a day; the sweep does it)."
)
def audit_publish_head():
    from portal.audit.anchor import heads_file, publish_head

    entry = publish_head()
    if entry is None:
        click.echo("today's head is already published")
    else:
        click.echo(f"published head {entry['head']} (length {entry['length']}) to {heads_file()}")


@click.group(help="Public statistics.")
def stats():
    pass


@stats.command(
    "refresh",
    help="Recount the statistics aggregate since the last refresh and the dashboard's period "
    "figures (the hourly sweep does both); --full rebuilds the aggregate from all rows (after bulk "
    "loads or corrections).",
)
@click.option("--full", is_flag=True, help="Rebuild every day, not only those since the last refresh.")
def stats_refresh(full):
    from portal.oversight.snapshot import refresh_dashboard_figures
    from portal.statistics.refresh import refresh_statistics

    days = refresh_statistics(full=full)
    refresh_dashboard_figures()
    db.session.commit()
    click.echo(f"statistics recounted: {days[0]} to {days[1]}" if days else "statistics: nothing to count")
