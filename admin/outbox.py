"""Administrators see the dead letters of the outbox and requeue one (audited). They see what
failed and why, never the recipient's address or the mail's text."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from admin import bp
from portal.audit.chain import Actor
from portal.extensions import db
from portal.notify.delivery import requeue
from portal.notify.models import NotificationKind, Outbox, OutboxState

KIND_TEXT = {
    NotificationKind.MESSAGE: _l("New message"),
    NotificationKind.STATE_CHANGE: _l("Change of state"),
    NotificationKind.LEGAL_NOTICE: _l("Legal notice"),
    NotificationKind.RECEIPT: _l("Receipt"),
    NotificationKind.DIGEST: _l("Daily digest"),
}


@bp.get("/outbox")
def outbox_dead_letters():
    rows = db.session.scalars(
        select(Outbox)
        .where(Outbox.state == OutboxState.DEAD)
        .options(joinedload(Outbox.report))
        .order_by(Outbox.id.desc())
        .limit(200)
    ).all()
    return render_template("admin/outbox.html", rows=rows, kind_text=KIND_TEXT)


@bp.post("/outbox/<int:outbox_id>/requeue")
def outbox_requeue(outbox_id):
    row = db.session.get(Outbox, outbox_id)
    if row is None:
        abort(404)
    if row.state != OutboxState.DEAD:
        flash(_("This notification is not a dead letter (it was requeued or sent meanwhile)."), "info")
    else:
        requeue(row, Actor.for_user(current_user))
        db.session.commit()
        flash(_("Requeued: the deliverer sends it on its next run."), "success")
    return redirect(url_for("admin.outbox_dead_letters"))
