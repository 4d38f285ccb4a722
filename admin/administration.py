"""Administrators' screens for reference data and routing rules (never case content).

Thin views: load → validate → call portal/directory/admin_ops.py → render. admin/access.py lets
only administrators in (RULES); every change is audited by the operation.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from admin import bp
from admin.administration_forms import (
    ANY,
    CategoryForm,
    ConfirmForm,
    DepartmentForm,
    NewRuleForm,
    PreviewForm,
    RegionForm,
    RuleForm,
)
from portal.audit.chain import Actor
from portal.directory import admin_ops
from portal.directory.models import Category, Department, Region, RoutingRule
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.site.messages import report_error_text

# kind in the URL → (model, form, operation, order); the form's fields are the operation's keywords.
REFERENCE = {
    "departments": (Department, DepartmentForm, admin_ops.update_department, Department.code),
    "categories": (Category, CategoryForm, admin_ops.update_category, Category.position),
    "regions": (Region, RegionForm, admin_ops.update_region, Region.code),
}


def _actor():
    return Actor.for_user(current_user)


def _values(form):
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def _refused(exc):
    db.session.rollback()
    flash(report_error_text(exc.code), "danger")


@bp.get("/administration/")
def administration():
    return render_template("admin/administration/index.html")


def _kind(kind):
    if kind not in REFERENCE:
        abort(404)
    return REFERENCE[kind]


@bp.get("/administration/<kind>/")
def reference_list(kind):
    model, _form, _op, order = _kind(kind)
    rows = db.session.scalars(select(model).order_by(order)).all()
    return render_template("admin/administration/reference_list.html", kind=kind, rows=rows)


def _row(kind, item_id):
    row = db.session.get(_kind(kind)[0], item_id)
    if row is None:
        abort(404)
    return row


def _item_page(kind, row, form, status=200):
    page = render_template("admin/administration/reference_item.html", kind=kind, row=row, form=form)
    return page, status


@bp.get("/administration/<kind>/<int:item_id>")
def reference_item(kind, item_id):
    row = _row(kind, item_id)
    return _item_page(kind, row, REFERENCE[kind][1](obj=row))


@bp.post("/administration/<kind>/<int:item_id>")
def edit_reference_item(kind, item_id):
    row = _row(kind, item_id)
    form = REFERENCE[kind][1]()
    if not form.validate_on_submit():
        return _item_page(kind, row, form, 400)
    try:
        changed = REFERENCE[kind][2](row, _actor(), **_values(form))
    except ReportError as exc:
        _refused(exc)
        return _item_page(kind, row, form, 409)
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
    return redirect(url_for("admin.reference_list", kind=kind))


def _choices(form):
    """Fill the selects of a rule or preview form from the reference tables."""
    categories = admin_ops.categories_in_order()
    regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    departments = db.session.scalars(select(Department).where(Department.active).order_by(Department.code))
    form.category.choices = [SelectChoice(c.id, f"{c.name} ({c.code})") for c in categories]
    form.region.choices = [SelectChoice(ANY, _("Any region"))] + [
        SelectChoice(r.id, "\u3000" * (r.level - 1) + r.name) for r in regions
    ]
    if not isinstance(form, PreviewForm):
        form.category.choices.insert(0, SelectChoice(ANY, _("Any category")))
        form.department.choices = [SelectChoice(0, "")] + [SelectChoice(d.id, d.name) for d in departments]
    return form


def _rule_values(form):
    return {
        "category": db.session.get(Category, form.category.data) if form.category.data else None,
        "region": db.session.get(Region, form.region.data) if form.region.data else None,
        "department": db.session.get(Department, form.department.data),
        "priority": form.priority.data or 0,
    }


def _preview():
    """The routing decision for ?category=&region= (None until both are asked)."""
    form = _choices(PreviewForm(request.args))
    if "category" not in request.args or not form.validate():
        return form, None
    category = db.session.get(Category, form.category.data)
    region = db.session.get(Region, form.region.data) if form.region.data else None
    return form, admin_ops.preview_route(category, region)


def _rules_page(form, status=200):
    preview_form, decision = _preview()
    rules = db.session.scalars(select(RoutingRule).order_by(RoutingRule.code, RoutingRule.id)).all()
    page = render_template(
        "admin/administration/rules.html",
        form=form,
        preview_form=preview_form,
        decision=decision,
        active=[r for r in rules if r.active],
        retired=[r for r in rules if not r.active],
    )
    return page, status


@bp.get("/administration/rules/")
def routing_rules():
    return _rules_page(_choices(NewRuleForm()))


@bp.post("/administration/rules/")
def add_routing_rule():
    form = _choices(NewRuleForm())
    if not form.validate_on_submit():
        return _rules_page(form, 400)
    try:
        rule = admin_ops.add_routing_rule(_actor(), code=form.code.data, **_rule_values(form))
    except ReportError as exc:
        _refused(exc)
        return _rules_page(form, 409)
    db.session.commit()
    flash(_("Rule %(code)s added.", code=rule.code), "success")
    return redirect(url_for("admin.routing_rules"))


def _rule(rule_id):
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        abort(404)
    return rule


def _rule_page(rule, form, status=200):
    versions = db.session.scalars(
        select(RoutingRule).where(RoutingRule.code == rule.code).order_by(RoutingRule.id.desc())
    ).all()
    page = render_template(
        "admin/administration/rule.html", rule=rule, form=form, versions=versions, retire_form=ConfirmForm()
    )
    return page, status


@bp.get("/administration/rules/<int:rule_id>")
def routing_rule(rule_id):
    rule = _rule(rule_id)
    form = _choices(RuleForm(category=rule.category_id or ANY, region=rule.region_id or ANY))
    form.department.data, form.priority.data = rule.department_id, rule.priority
    return _rule_page(rule, form)


@bp.post("/administration/rules/<int:rule_id>")
def replace_routing_rule(rule_id):
    rule = _rule(rule_id)
    form = _choices(RuleForm())
    if not form.validate_on_submit():
        return _rule_page(rule, form, 400)
    try:
        successor = admin_ops.replace_routing_rule(rule, _actor(), **_rule_values(form))
    except ReportError as exc:
        _refused(exc)
        return _rule_page(rule, form, 409)
    db.session.commit()
    flash(_("Rule %(code)s changed; the old version is kept as retired.", code=successor.code), "success")
    return redirect(url_for("admin.routing_rule", rule_id=successor.id))


@bp.post("/administration/rules/<int:rule_id>/retire")
def retire_routing_rule(rule_id):
    rule = _rule(rule_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        admin_ops.retire_routing_rule(rule, _actor())
    except ReportError as exc:
        _refused(exc)
        return redirect(url_for("admin.routing_rule", rule_id=rule_id))
    db.session.commit()
    flash(_("Rule %(code)s retired.", code=rule.code), "success")
    return redirect(url_for("admin.routing_rules"))
