"""What staff are told when a casework rule refuses, by ReportError code, in their language."""

from flask_babel import gettext as _

from portal.casework.key_reissue import IDENTITY_CHECK_MAX_CHARS
from portal.casework.models import NOTE_MAX_CHARS
from portal.messages.models import MESSAGE_MAX_CHARS


def casework_error_text(code):
    texts = {
        "nothing_selected": _("Tick at least one report, then choose a colleague."),
        "not_allowed": _("You may not do this on one of these reports. Nothing was changed."),
        "assignee_not_in_department": _(
            "Choose a colleague of the report's own department. Nothing was changed."
        ),
        "empty_note": _("Write the note before saving it."),
        "note_too_long": _("A note can hold at most %(n)d characters: shorten it.", n=NOTE_MAX_CHARS),
        "reporter_anonymous": _("This reporter is anonymous: there is no identity to show."),
        "anonymous_no_new_key": _(
            "This report was filed anonymously: nobody can prove it is theirs, so no new access "
            "key can be issued. Nothing was changed."
        ),
        "identity_check_required": _(
            "Write how you checked the reporter's identity (e.g. ID card seen at the counter) "
            "before issuing a new key."
        ),
        "identity_check_too_long": _(
            "Describe the identity check in at most %(n)d characters.", n=IDENTITY_CHECK_MAX_CHARS
        ),
        "receipt_key_missing": _(
            "The server no longer holds the receipt key this report was filed under; ask the "
            "administrator to put it back (RECEIPT_KEYS). Nothing was changed."
        ),
        "messaging_closed": _(
            "This report is closed, so messages can no longer be sent. Nothing was sent."
        ),
        "empty_message": _("Write the message before sending it."),
        "message_too_long": _(
            "A message can hold at most %(n)d characters: shorten it.", n=MESSAGE_MAX_CHARS
        ),
    }
    return texts.get(code, _("This could not be done. Reload the page and try again."))
