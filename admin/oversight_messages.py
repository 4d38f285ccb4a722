"""What leads are told when an oversight rule refuses, by OversightError code, in their language."""

from flask_babel import gettext as _

from portal.oversight.notices import TEXT_MAX


def oversight_error_text(code):
    texts = {
        "not_allowed": _("You may not do this here. Nothing was changed."),
        "no_penalty_decision": _("Only a tip-off with a recorded penalty decision can be made public."),
        "notice_exists": _("This decision already has a notice (drafted or published)."),
        "violation_required": _("Describe the violation as the public should read it."),
        "reason_required": _("Write the reason before saving."),
        "business_required": _("Name the business."),
        "text_too_long": _("Shorten the text to at most %(n)d characters.", n=TEXT_MAX),
        "second_person_required": _(
            "A second person must review this: another lead of the department or a lead of the "
            "supervising office, never the one who drafted it."
        ),
        "not_a_draft": _("This is no longer a draft (someone reviewed it meanwhile)."),
        "not_published": _("Only a published entry can be withdrawn."),
        "period_invalid": _("Give a period whose end is not before its start."),
        "not_supervisor": _("Only a lead of the supervising office can do this."),
        "already_supervised": _("This report is already under listed supervision."),
        "report_closed": _("This report is closed: there is nothing left to supervise."),
        "deadline_invalid": _("Give a deadline after today and an interval of at least one day."),
        "body_required": _("Write what progress was made."),
        "not_handling_department": _("Only the handling department reports progress on this case."),
        "supervision_ended": _("This supervision has ended."),
        "step_out_of_order": _(
            "Steps go in order within a year: a reminder first, then an interview record, then "
            "an accountability record."
        ),
        "interview_incomplete": _("An interview record needs the date, who attended and what was agreed."),
        "unknown_department": _("Choose a department."),
    }
    return texts.get(code, texts["not_allowed"])
