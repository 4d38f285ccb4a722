"""Administrators' page for the reward policy versions: list them, add a new one (never edit)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import bp
from admin.reward_policy_forms import RewardPolicyForm
from portal.audit.chain import Actor
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.rewards.policies import add_reward_policy, all_policies, latest_policy
from portal.site.messages import report_error_text


def _page(form, status=200):
    return render_template("admin/rewards/policies.html", form=form, versions=all_policies()), status


@bp.get("/rewards/policies")
def reward_policies():
    form = RewardPolicyForm()
    latest = latest_policy()
    if latest is not None:  # start from the terms in force; the administrator changes what changed
        for name in (*RewardPolicyForm.TERMS, "source"):
            value = getattr(latest, name)
            form[name].data = value if name in ("claim_working_days", "source") else f"{value.normalize():f}"
    return _page(form)


@bp.post("/rewards/policies")
def add_reward_policy_version():
    form = RewardPolicyForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    values = {name: form[name].data for name in (*RewardPolicyForm.TERMS, "source")}
    try:
        add_reward_policy(form.version.data, form.effective_from.data, Actor.for_user(current_user), **values)
    except ReportError as exc:
        db.session.rollback()
        flash(report_error_text(exc.code), "danger")
        return _page(form, 409)
    db.session.commit()
    flash(_("Reward policy %(version)s was added.", version=form.version.data), "success")
    return redirect(url_for("admin.reward_policies"))
