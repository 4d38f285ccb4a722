"""The reward page of a tip-off and the list of rewards. Thin views: load (admin/access.py has
already checked the action on the report) → validate → call portal/rewards/operations.py → render."""

from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import report_or_404
from admin.reward_forms import (
    QUESTIONS,
    ConfirmCorrectionForm,
    ConfirmForm,
    DecideRewardForm,
    InPersonClaimForm,
    PayoutForm,
    ProposeRewardForm,
    ReasonForm,
    ReversePayoutForm,
    SignOffForm,
    answers_of,
)
from portal.accounts.permissions import Action, can, scoped_reports
from portal.clock import local_today
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.models import Report
from portal.rewards import corrections, operations
from portal.rewards.eligibility import eligibility_problem, penalty_total
from portal.rewards.models import RewardAward, RewardPayout, RewardShare
from portal.rewards.policies import policy_in_force
from portal.site.reward_messages import reward_error_text


@bp.get("/rewards")
def rewards():
    visible = scoped_reports(current_user).with_only_columns(Report.id)
    awards = db.session.scalars(
        select(RewardAward)
        .where(RewardAward.report_id.in_(visible))
        .order_by(RewardAward.id.desc())
        .limit(200)
    ).all()
    return render_template("admin/rewards/list.html", awards=awards)


def _quotes(report):
    quotes = {}
    for level in (1, 2, 3):
        try:
            quotes[level] = operations.reward_quote(report, level)[1]
        except ReportError:
            return {}
    return quotes


def _page(report, propose_form=None, status=200):
    policy = policy_in_force(local_today())
    problem = eligibility_problem(report, policy)
    html = render_template(
        "admin/rewards/reward.html",
        report=report,
        policy=policy,
        problem=reward_error_text(problem) if problem else None,
        quotes=_quotes(report) if problem is None else {},
        penalty=penalty_total(report),
        awards=operations.awards_of(report),
        live=operations.live_award(report),
        questions=QUESTIONS,
        propose_form=propose_form or ProposeRewardForm(),
        decide_form=DecideRewardForm(),
        signoff_form=SignOffForm(),
        confirm_form=ConfirmForm(),
        payout_form=PayoutForm(),
        reverse_form=ReversePayoutForm(),
        in_person_form=InPersonClaimForm(),
        reason_form=ReasonForm(),
        confirm_correction_form=ConfirmCorrectionForm(),
        may=lambda action: can(current_user, action, report),
        may_withdraw=lambda award: corrections.may_withdraw(current_user, award),
        may_request_correction=lambda award: corrections.may_request_correction(current_user, award),
        may_confirm_correction=lambda award: corrections.may_confirm_correction(current_user, award),
        replacement_of=corrections.replacement_of,
        Action=Action,
        sees_payee=operations.may_see_payee(current_user),
    )
    return html, status


@bp.get("/reports/<number>/reward")
def reward(number):
    return _page(report_or_404(number, Action.VIEW_REWARD))


def _done(report, message):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.reward", number=report.number))


def _refused(report, exc, form=None):
    db.session.rollback()
    flash(reward_error_text(exc), "danger")
    return _page(report, form, 409)


@bp.post("/reports/<number>/reward/propose")
def propose_reward(number):
    report = report_or_404(number, Action.PROPOSE_REWARD)
    form = ProposeRewardForm()
    if not form.validate_on_submit():
        return _page(report, form, 400)
    try:
        multiplier = Decimal(form.insider_multiplier.data or "1")
        operations.propose_reward(
            report,
            current_user,
            int(form.level.data),
            form.justification.data,
            answers_of(form),
            amount=form.amount.data or None,
            amount_reason=form.amount_reason.data,
            insider_multiplier=multiplier,
        )
    except InvalidOperation:
        return _refused(report, ReportError("reward_terms_invalid"), form)
    except ReportError as exc:
        return _refused(report, exc, form)
    return _done(report, _("The reward was proposed; a lead of the department decides it."))


def _live(report):
    award = operations.live_award(report)
    if award is None:
        raise ReportError("reward_not_in_state")
    return award


@bp.post("/reports/<number>/reward/decide")
def decide_reward(number):
    report = report_or_404(number, Action.DECIDE_REWARD)
    form = DecideRewardForm()
    if not form.validate_on_submit():
        return _page(report, status=400)
    try:
        award = _live(report)
        if form.decision.data == "approve":
            operations.approve_reward(award, current_user)
            message = _("The reward was approved; the reporter can now claim it.")
        else:
            operations.reject_reward(award, current_user, form.reason.data)
            message = _("The reward was rejected.")
    except ReportError as exc:
        return _refused(report, exc)
    return _done(report, message)


@bp.post("/reports/<number>/reward/sign-off")
def sign_off_reward(number):
    report = report_or_404(number, Action.SIGN_OFF_REWARD)
    form = SignOffForm()
    if not form.validate_on_submit():
        return _page(report, status=400)
    try:
        operations.sign_off_reward(_live(report), current_user, form.kind.data, form.note.data)
    except ReportError as exc:
        return _refused(report, exc)
    return _done(report, _("Finance's sign-off was recorded."))


def _share(award, share_id):
    share = db.session.get(RewardShare, share_id) if award else None
    if share is None or share.award_id != award.id:
        raise ReportError("reward_not_in_state")
    return share


@bp.post("/reports/<number>/reward/claim-in-person")
def claim_reward_in_person(number):
    report = report_or_404(number, Action.RECORD_PAYOUT)
    form = InPersonClaimForm()
    if not form.validate_on_submit():
        return _page(report, status=400)
    try:
        award = _live(report)
        share = _share(award, form.share_id.data)
        operations.claim_in_person(award, current_user, share, form.identity_note.data)
    except ReportError as exc:
        return _refused(report, exc)
    return _done(report, _("The claim in person was recorded."))


@bp.post("/reports/<number>/reward/payout")
def record_reward_payout(number):
    report = report_or_404(number, Action.RECORD_PAYOUT)
    form = PayoutForm()
    if not form.validate_on_submit():
        return _page(report, status=400)
    try:
        award = operations.live_award(report)
        share = _share(award, form.share_id.data)
        operations.record_payout(
            award,
            share,
            current_user,
            form.amount.data,
            form.method.data,
            form.reference.data,
            form.paid_on.data,
        )
    except ReportError as exc:
        return _refused(report, exc)
    return _done(report, _("The payout was recorded."))


@bp.post("/reports/<number>/reward/reverse")
def reverse_reward_payout(number):
    report = report_or_404(number, Action.RECORD_PAYOUT)
    form = ReversePayoutForm()
    if not form.validate_on_submit():
        return _page(report, status=400)
    payout = db.session.get(RewardPayout, form.payout_id.data)
    award = db.session.get(RewardAward, payout.award_id) if payout else None
    try:
        if award is None or award.report_id != report.id:
            raise ReportError("reward_not_in_state")
        operations.reverse_payout(payout, current_user, form.reason.data)
    except ReportError as exc:
        return _refused(report, exc)
    return _done(report, _("The payout was reversed."))


def _casework_report(number):
    """The report, for someone who proposes or decides its rewards (staff or lead); others 404/403."""
    report = report_or_404(number, Action.VIEW_REWARD)
    if not (
        can(current_user, Action.PROPOSE_REWARD, report) or can(current_user, Action.DECIDE_REWARD, report)
    ):
        abort(403)
    return report


@bp.post("/reports/<number>/reward/withdraw")
def withdraw_reward(number):
    report = _casework_report(number)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _invalid(report, "reason_required")
    try:
        corrections.withdraw_reward(_live(report), current_user, form.reason.data)
    except ReportError as exc:
        return _refused(report, exc)
    return _done(report, _("The proposal was withdrawn; a new one may be made."))


def _invalid(report, code):
    """A form posted incomplete: the page again (400), saying what is missing."""
    flash(reward_error_text(ReportError(code)), "danger")
    return _page(report, status=400)


def _correctable(report):
    """The award a correction is about: the report's approved or lapsed award."""
    award = operations.live_award(report)
    if award is None or award.status not in corrections.CORRECTABLE:
        raise ReportError("reward_not_in_state")
    return award


@bp.post("/reports/<number>/reward/correction")
def request_reward_correction(number):
    report = _casework_report(number)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _invalid(report, "reason_required")
    try:
        corrections.request_correction(_correctable(report), current_user, form.reason.data)
    except ReportError as exc:
        return _refused(report, exc)
    return _done(report, _("The correction was requested; another lead of the department confirms it."))


@bp.post("/reports/<number>/reward/correction/confirm")
def confirm_reward_correction(number):
    report = report_or_404(number, Action.DECIDE_REWARD)
    form = ConfirmCorrectionForm()
    if not form.validate_on_submit():
        return _page(report, status=400)
    try:
        award = _correctable(report)
        if award.id != form.award_id.data:
            raise ReportError("reward_changed")
        corrections.confirm_correction(award, current_user)
    except ReportError as exc:
        return _refused(report, exc)
    return _done(report, _("The award was reversed; a corrected reward may now be proposed."))
