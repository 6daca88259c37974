"""Filing's first steps: the kind, the identity notice, the description, the hamlet, and
photos and location."""

from __future__ import annotations

from domain.messages import CLIP_KINDS
from domain.records import RecordKind
from handlers.flows.filing.draft import (
    Filing,
    cancel_row,
    draft_of,
    first_missing,
    kind_of,
    next_step,
)
from handlers.router import FlowRouter
from handlers.text import has_words, match_form, one_line
from handlers.turn import ButtonSpec, Turn

PLACE_MAX = 200
HAMLET_MAX = 100

router = FlowRouter("filing")

_KIND_ACTIONS = {
    "pa": RecordKind.PHAN_ANH,
    "kn": RecordKind.KIEN_NGHI,
    "knai": RecordKind.KHIEU_NAI,
    "tc": RecordKind.TO_CAO,
}


# --- kind ------------------------------------------------------------------------------


@router.prompt(Filing.KIND)
async def prompt_kind(turn: Turn) -> None:
    turn.say(
        "filing_kind",
        [
            [turn.btn("kind.phan_anh", "kind:pa"), turn.btn("kind.kien_nghi", "kind:kn")],
            [turn.btn("kind.khieu_nai", "kind:knai"), turn.btn("kind.to_cao", "kind:tc")],
            cancel_row(turn),
        ],
    )


@router.handle(Filing.KIND)
async def handle_kind(turn: Turn) -> None:
    kind = _KIND_ACTIONS.get((turn.action or "").removeprefix("kind:"))
    if kind is None:
        turn.say("choose_button")
        await turn.reprompt()
        return
    draft = draft_of(turn)
    draft["kind"] = kind.value
    if kind.needs_identity:
        draft.pop("anonymous", None)
        await turn.goto(Filing.IDENTITY)
    elif not draft.get("description"):
        await turn.goto(Filing.DESCRIPTION)
    else:
        await next_step(turn, Filing.DESCRIPTION)


@router.prompt(Filing.IDENTITY)
async def prompt_identity(turn: Turn) -> None:
    turn.say(
        "filing_identity",
        [[turn.btn("btn.continue", "continue")], cancel_row(turn)],
        kind=draft_of(turn).get("kind"),
    )


@router.handle(Filing.IDENTITY)
async def handle_identity(turn: Turn) -> None:
    if turn.action != "continue":
        turn.say("choose_button")
        await turn.reprompt()
        return
    draft = draft_of(turn)
    if draft.get("editing"):
        await turn.goto(first_missing(turn) or Filing.CONFIRM)
    elif not draft.get("description"):
        await turn.goto(Filing.DESCRIPTION)
    else:
        await turn.goto(Filing.HAMLET)


# --- description -----------------------------------------------------------------------


@router.prompt(Filing.DESCRIPTION)
async def prompt_description(turn: Turn) -> None:
    turn.say(
        "filing_description",
        [cancel_row(turn)],
        kind=draft_of(turn).get("kind"),
        limit=turn.settings.bot.max_text_length,
    )


def _take_clips(turn: Turn) -> bool:
    """Attach this message's voice messages and videos to the draft (counted with the
    photos' limit); whether it had any."""
    clips: list[list[str]] = draft_of(turn).setdefault("clips", [])
    had = False
    for attachment in turn.inbound.attachments:
        if attachment.kind in CLIP_KINDS:
            had = True
            known = [ref for _, ref in clips]
            if attachment.ref not in known and len(clips) < turn.settings.bot.max_photos:
                clips.append([attachment.kind, attachment.ref])
    return had


def _take_photos(turn: Turn) -> bool:
    """Add photos from this message to the draft; False if some were over the limit."""
    photos: list[str] = draft_of(turn).setdefault("photos", [])
    limit = turn.settings.bot.max_photos
    fitted = True
    for attachment in turn.inbound.attachments:
        if attachment.kind != "photo":
            continue
        if attachment.ref in photos:
            continue
        if len(photos) >= limit:
            fitted = False
            continue
        photos.append(attachment.ref)
    return fitted


@router.handle(Filing.DESCRIPTION)
async def handle_description(turn: Turn) -> None:
    if turn.inbound.attachments and turn.settings.bot.max_photos:
        _take_photos(turn)
    clip = _take_clips(turn)
    if turn.text is None or not turn.text:
        if clip:
            # A recording is attached; a short typed description tells the office what
            # it is about (and the digest and the search need words).
            turn.say("filing_description_clip")
        elif turn.inbound.attachments:
            turn.say("filing_description_photo_only")
        else:
            turn.say("input_unsupported")
            await turn.reprompt()
        return
    if not has_words(turn.text):
        turn.say("input_no_words")
        await turn.reprompt()
        return
    draft_of(turn)["description"] = turn.text
    await next_step(turn, Filing.HAMLET)


# --- hamlet ----------------------------------------------------------------------------


@router.prompt(Filing.HAMLET)
async def prompt_hamlet(turn: Turn) -> None:
    hamlets = turn.commune.hamlets
    buttons: list[list[ButtonSpec]] = []
    # «… thôn 3 …» in the description: asked about by name (the buttons keep their order
    # and numbers, which terminal scripts rely on)
    named = _named_hamlet(turn)
    row: list[ButtonSpec] = []
    for i, name in enumerate(hamlets):
        row.append((name, f"h:{i}"))
        if len(row) == 3:
            buttons.append(row)
            row = []
    if row:
        buttons.append(row)
    if hamlets:
        buttons.append([turn.btn("btn.other_hamlet", "h:other")])
    buttons.append(cancel_row(turn))
    turn.say(
        "filing_hamlet",
        buttons,
        hamlets=hamlets,
        named=hamlets[named] if named is not None else None,
    )


def _named_hamlet(turn: Turn) -> int | None:
    """The one hamlet the description names («den duong thon 3 hong»), if exactly one."""
    words = f" {match_form(str(draft_of(turn).get('description') or ''))} "
    found = [i for i, h in enumerate(turn.commune.hamlets) if f" {match_form(h)} " in words]
    return found[0] if len(found) == 1 else None


@router.handle(Filing.HAMLET)
async def handle_hamlet(turn: Turn) -> None:
    action = turn.action or ""
    hamlets = turn.commune.hamlets
    if action == "h:other":
        await turn.goto(Filing.HAMLET_OTHER)
        return
    if action.startswith("h:") and action[2:].isdigit() and int(action[2:]) < len(hamlets):
        draft_of(turn)["hamlet"] = hamlets[int(action[2:])]
        await next_step(turn, Filing.MEDIA)
        return
    if turn.text and has_words(turn.text) and not turn.text.strip().isdigit():
        await _take_hamlet_text(turn)
        return
    turn.say("choose_button")  # a bare number is a button from a screen no longer shown
    await turn.reprompt()


async def _take_hamlet_text(turn: Turn) -> None:
    name = one_line(turn.text or "")
    if len(name) > HAMLET_MAX:
        turn.say("input_too_long", length=len(name), limit=HAMLET_MAX)
        return
    draft_of(turn)["hamlet"] = name
    await next_step(turn, Filing.MEDIA)


@router.prompt(Filing.HAMLET_OTHER)
async def prompt_hamlet_other(turn: Turn) -> None:
    turn.say("filing_hamlet_other", [cancel_row(turn)])


@router.handle(Filing.HAMLET_OTHER)
async def handle_hamlet_other(turn: Turn) -> None:
    if turn.text and has_words(turn.text):
        await _take_hamlet_text(turn)
    else:
        turn.say("input_empty")


# --- photos and location ---------------------------------------------------------------


def _media_buttons(turn: Turn) -> list[list[ButtonSpec]]:
    draft = draft_of(turn)
    has_media = bool(
        draft.get("photos") or draft.get("clips") or draft.get("location") or draft.get("place")
    )
    return [
        [turn.btn("btn.continue" if has_media else "btn.skip", "media:done")],
        cancel_row(turn),
    ]


@router.prompt(Filing.MEDIA)
async def prompt_media(turn: Turn) -> None:
    draft = draft_of(turn)
    turn.say(
        "filing_media",
        _media_buttons(turn),
        request_location=True,
        max_photos=turn.settings.bot.max_photos,
        has_media=bool(draft.get("photos") or draft.get("location") or draft.get("place")),
    )


@router.handle(Filing.MEDIA)
async def handle_media(turn: Turn) -> None:
    draft = draft_of(turn)
    if turn.action == "media:done":
        await _after_media(turn)
        return
    got_something = _take_clips(turn)
    if turn.inbound.attachments and not got_something:
        if not turn.settings.bot.max_photos or not _take_photos(turn):
            turn.say(
                "filing_too_many_photos",
                _media_buttons(turn),
                max_photos=turn.settings.bot.max_photos,
            )
            return
        got_something = True
    if turn.inbound.location is not None:
        draft["location"] = [turn.inbound.location.latitude, turn.inbound.location.longitude]
        got_something = True
    if turn.text:
        place = one_line(turn.text)
        if len(place) > PLACE_MAX:
            turn.say("input_too_long", length=len(place), limit=PLACE_MAX)
            return
        if has_words(place):
            draft["place"] = place
            got_something = True
    if not got_something:
        turn.say("input_unsupported")
        await turn.reprompt()
        return
    turn.say(
        "filing_media_received",
        _media_buttons(turn),
        request_location=True,  # the channel's keyboard is replaced, never left stale
        photos=len(draft.get("photos", [])),
        clips=len(draft.get("clips", [])),
        has_location="location" in draft,
        place=draft.get("place"),
    )


async def _after_media(turn: Turn) -> None:
    draft = draft_of(turn)
    if draft.get("editing"):
        await turn.goto(Filing.CONFIRM)
        return
    kind = kind_of(turn)
    if kind is not None and kind.needs_identity:
        await _ask_identity(turn)
    else:
        await turn.goto(Filing.CONTACT)


async def _ask_identity(turn: Turn) -> None:
    """Khiếu nại and tố cáo: name and phone are required; reuse saved ones if any."""
    draft = draft_of(turn)
    draft.pop("anonymous", None)
    if turn.citizen.name and turn.citizen.phone:
        draft["name"], draft["phone"] = turn.citizen.name, turn.citizen.phone
        await turn.goto(Filing.CONFIRM)
    else:
        await turn.goto(Filing.NAME)
