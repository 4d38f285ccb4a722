"""Turn a request's uploads into staged evidence, keeping what was accepted before."""

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import FileStorage

from portal.evidence.sanitise import RejectedFile
from portal.evidence.storage import (
    STAGING_MAX_AGE,
    discard_staged,
    max_file_bytes,
    max_files_per_submission,
    read_staged,
    sign_staged,
    stage_upload,
    staging_path,
    unsign_staged,
)
from portal.site.limits import post_refused, upload_refused
from portal.validators import display_name


def file_refusal_text(code, name):
    """Why an uploaded file was refused, in the visitor's language (the form and the API)."""
    texts = {
        "empty": _("%(name)s is empty.", name=name),
        "too_large": _("%(name)s is larger than %(mb)d MB.", name=name, mb=current_app.config["MAX_FILE_MB"]),
        "unsupported": _(
            "%(name)s is not a supported file type (its content was checked, not its name). "
            "Send photos (JPEG, PNG, WebP, HEIC), PDF, MP4 video or MP3/M4A audio.",
            name=name,
        ),
        "broken_image": _("%(name)s looks like an image but cannot be opened. Try another copy.", name=name),
        "image_too_large": _(
            "%(name)s has too many pixels to process. Send a smaller copy or a screenshot of it.",
            name=name,
        ),
        "busy": _(
            "%(name)s could not be processed now because the server is busy. "
            "Wait a moment and choose it again; everything else is kept.",
            name=name,
        ),
    }
    return texts.get(code, _("%(name)s cannot be accepted.", name=name))


def evidence_limits():
    """What the upload field tells the citizen (and app.js checks before sending)."""
    return {"max_files": max_files_per_submission(), "max_file_mb": current_app.config["MAX_FILE_MB"]}


def keep_staged(form, staged):
    """The staged files that still exist (after a failed submission discarded them)."""
    kept = [f for f in staged if staging_path(f.token).exists()]
    form.staged_evidence.data = sign_staged(kept)
    return kept


def post_limit_text(setting):
    """The citizen's message if this address sent the form too often lately, else None."""
    minutes = post_refused(setting)
    if minutes is None:
        return None
    return ngettext(
        "This form was sent too many times from your connection in a short while. "
        "Wait %(num)d minute and send it again; everything you entered is kept below.",
        "This form was sent too many times from your connection in a short while. "
        "Wait %(num)d minutes and send it again; everything you entered is kept below.",
        minutes,
    )


def keep_evidence(form):
    """The files staged before, untouched: a refused post stages nothing new."""
    return keep_staged(form, unsign_staged(form.staged_evidence.data))


def _unticked(staged):
    """Tokens of staged files whose "keep" box was shown and left unticked. A post that did not
    carry the boxes (no staged list on its page) drops nothing."""
    if not request.form.get("keep_staged_shown"):
        return set()
    kept = set(request.form.getlist("keep_staged"))
    return {f.token for f in staged if f.token not in kept}


def _previous(form):
    """Files staged by earlier posts and still kept, and messages naming the ones that expired
    meanwhile."""
    staged, expired = read_staged(form.staged_evidence.data)
    removed = _unticked([*staged, *expired])
    if removed:
        discard_staged([f for f in staged if f.token in removed])
        staged = [f for f in staged if f.token not in removed]
    errors = [
        _(
            "%(name)s was received more than %(hours)d hours ago and has expired. Choose it again.",
            name=f.original_name,
            hours=STAGING_MAX_AGE // 3600,
        )
        for f in expired
        if f.token not in removed
    ]
    return staged, errors


def _refusal(upload, data, staged):
    """Why this upload is refused before it is even opened, or None (the upload quotas are
    charged here, before any decoding)."""
    name = display_name(upload.filename)
    limit = max_files_per_submission()
    if len(staged) >= limit:
        return _("%(name)s was not added: at most %(n)d files per report.", name=name, n=limit)
    if upload_refused(len(data)):
        return _(
            "%(name)s was not added: too much was uploaded from your connection in the last hours. "
            "Send the report with the files already received, or add this one later.",
            name=name,
        )
    return None


def collect_evidence(form):
    """Staged files for this form after this request, plus messages for files refused."""
    staged, errors = _previous(form)
    for upload in form.evidence.data or []:
        if not isinstance(upload, FileStorage):
            # A part that lost its file name on the way (e.g. a line break in the name) arrives
            # as plain text: its bytes cannot be trusted, but the citizen must hear of it.
            if upload:
                errors.append(
                    _("A file arrived without its name and could not be read. Rename it and choose it again.")
                )
            continue
        data = upload.stream.read(max_file_bytes() + 1)  # never more than one byte too many
        if not upload.filename and not data:
            continue  # what a browser sends when no file was chosen
        refusal = _refusal(upload, data, staged)
        if refusal:
            errors.append(refusal)
            continue
        try:
            staged.append(stage_upload(data, upload.filename))
        except RejectedFile as exc:
            errors.append(file_refusal_text(exc.reason, display_name(upload.filename)))
    form.staged_evidence.data = sign_staged(staged)
    return staged, errors
