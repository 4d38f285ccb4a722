"""The reporter's side of a reward: the decision on the status page (site/_reward.html, fed by
the reward_for() template global so the status view needs no change) and the bank claim."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.extensions import db
from portal.reports.errors import ReportError
from portal.rewards.models import AwardStatus, RewardAward
from portal.rewards.operations import awards_of, claim_by_bank
from portal.site import bp
from portal.site.reward_messages import reward_error_text
from portal.validators import single_line, strip

# What the reporter sees of an award (a proposal in progress is not shown: nothing is decided).
SHOWN = (AwardStatus.APPROVED, AwardStatus.LAPSED, AwardStatus.REJECTED, AwardStatus.REVERSED)


class ClaimForm(FlaskForm):
    payee_name = StringField(
        _l("Account holder's name"),
        filters=[strip],
        validators=[DataRequired(), single_line, Length(max=100)],
    )
    bank_name = StringField(
        _l("Bank"), filters=[strip], validators=[DataRequired(), single_line, Length(max=100)]
    )
    bank_account = StringField(
        _l("Account number"), filters=[strip], validators=[DataRequired(), single_line, Length(max=40)]
    )


def reward_for(report):
    """The latest decided award of this report the reporter may see (None if none)."""
    shown = [a for a in awards_of(report) if a.status in SHOWN]
    return shown[-1] if shown else None


@bp.app_template_global("reward_claim_form")
def reward_claim_form():
    return ClaimForm()


bp.add_app_template_global(reward_for, "reward_for")


@bp.post("/track/reward/claim")
def claim_reward():
    from portal.site.tracking import _tracked_report

    report = _tracked_report()
    if report is None:
        return redirect(url_for("site.track"))
    form = ClaimForm()
    award = reward_for(report)
    if not form.validate_on_submit() or not isinstance(award, RewardAward):
        flash(_("Fill in the account holder's name, the bank and the account number."), "danger")
        return redirect(url_for("site.status"))
    try:
        claim_by_bank(award, form.payee_name.data, form.bank_name.data, form.bank_account.data)
    except ReportError as exc:
        db.session.rollback()
        flash(reward_error_text(exc), "danger")
        return redirect(url_for("site.status"))
    db.session.commit()
    flash(_("Your claim was received. Finance will transfer the reward to your account."), "success")
    return redirect(url_for("site.status"))
