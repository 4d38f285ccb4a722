"""Turn a request's uploads into staged evidence, keeping what was accepted before."""

from flask import current_app, request
from flask_babel import gettext as _

from portal.evidence.sanitise import RejectedFile
from portal.evidence.storage import (
    discard_staged,
    max_file_bytes,
    max_files_per_submission,
    sign_staged,
    stage_upload,
    staging_path,
    unsign_staged,
)


def _reason_text(code, name):
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


def collect_evidence(form):
    """Staged files for this form after this request, plus messages for files refused."""
    staged = unsign_staged(form.staged_evidence.data)
    removed = set(request.form.getlist("remove_staged"))
    if removed:
        discard_staged([f for f in staged if f.token in removed])
        staged = [f for f in staged if f.token not in removed]
    limit = max_files_per_submission()
    errors = []
    for upload in form.evidence.data or []:
        if not getattr(upload, "filename", ""):
            continue
        name = upload.filename
        if len(staged) >= limit:
            errors.append(
                _(
                    "%(name)s was not added: at most %(n)d files per report.",
                    name=name,
                    n=limit,
                )
            )
            continue
        data = upload.stream.read(max_file_bytes() + 1)  # never more than one byte too many
        try:
            staged.append(stage_upload(data, name))
        except RejectedFile as exc:
            errors.append(_reason_text(exc.reason, name))
    form.staged_evidence.data = sign_staged(staged)
    return staged, errors
