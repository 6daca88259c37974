"""The intake benchmark's baseline: the filing conversation written the way PTB's
examples teach (conversationbot.py): a `ConversationHandler`, state and answers in memory
(`user_data`), `reply_text` with inline keyboards, `query.answer()`, a tracking code from a
counter. It keeps nothing on disk, which is what danvan is measured against."""

from __future__ import annotations

import itertools
from typing import Any
from warnings import filterwarnings

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

# As PTB's own conversationbot example does: per_message=False is meant here.
filterwarnings(action="ignore", message=r".*CallbackQueryHandler", category=PTBUserWarning)

CONSENT, MENU, KIND, DESCRIBE, HAMLET, MEDIA, CONTACT, PUBLISH, CONFIRM = range(9)
HAMLETS = ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4", "Thôn Đông", "Thôn Đoài"]
Context = ContextTypes.DEFAULT_TYPE


def _keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def baseline_application(request: BaseRequest) -> Application:  # type: ignore[type-arg]
    codes = itertools.count(1)
    records: dict[str, dict[str, Any]] = {}

    async def start(update: Update, _context: Context) -> int:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Xin chào! Anh/chị đồng ý cho xã xử lý dữ liệu?",
            reply_markup=_keyboard([("Đồng ý", "yes"), ("Không đồng ý", "no")]),
        )
        return CONSENT

    async def pressed(update: Update, context: Context, text: str, *rows: Any) -> None:
        query = update.callback_query
        assert query is not None
        assert query.message is not None
        await query.answer()
        await query.message.reply_text(text, reply_markup=_keyboard(*rows) if rows else None)

    async def consent(update: Update, context: Context) -> int:
        await pressed(update, context, "Anh/chị cần giúp gì?", [("📝 Gửi phản ánh", "file")])
        return MENU

    async def menu(update: Update, context: Context) -> int:
        await pressed(update, context, "Loại nào?", [("Phản ánh", "pa"), ("Kiến nghị", "kn")])
        return KIND

    async def kind(update: Update, context: Context) -> int:
        assert context.user_data is not None
        assert update.callback_query is not None
        context.user_data["kind"] = update.callback_query.data
        await pressed(update, context, "Xin kể ngắn gọn sự việc.", [("Hủy", "cancel")])
        return DESCRIBE

    async def describe(update: Update, context: Context) -> int:
        assert context.user_data is not None
        assert update.effective_message is not None
        context.user_data["text"] = update.effective_message.text
        rows = [[(name, f"h:{i}") for i, name in enumerate(HAMLETS)]]
        await update.effective_message.reply_text("Ở thôn nào?", reply_markup=_keyboard(*rows))
        return HAMLET

    async def hamlet(update: Update, context: Context) -> int:
        assert context.user_data is not None
        assert update.callback_query is not None
        context.user_data["hamlet"] = HAMLETS[int(str(update.callback_query.data)[2:])]
        await pressed(update, context, "Gửi thêm ảnh hoặc vị trí?", [("Bỏ qua", "skip")])
        return MEDIA

    async def media(update: Update, context: Context) -> int:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Để lại tên và số điện thoại?",
            reply_markup=_keyboard([("Để lại", "leave"), ("Gửi ẩn danh", "anon")]),
        )
        return CONTACT

    async def contact(update: Update, context: Context) -> int:
        assert context.user_data is not None
        context.user_data["anonymous"] = True
        await pressed(update, context, "Cho phép công khai?", [("Không", "no"), ("Có", "yes")])
        return PUBLISH

    async def publish(update: Update, context: Context) -> int:
        assert context.user_data is not None
        assert update.callback_query is not None
        context.user_data["publishable"] = update.callback_query.data == "yes"
        await pressed(update, context, "Xin kiểm tra lại.", [("Gửi", "submit")])
        return CONFIRM

    async def confirm(update: Update, context: Context) -> int:
        assert context.user_data is not None
        code = f"CG-{next(codes):06d}"
        records[code] = dict(context.user_data)
        await pressed(update, context, f"Đã gửi. Mã hồ sơ: {code}")
        return ConversationHandler.END

    text = filters.TEXT & ~filters.COMMAND
    conversation: ConversationHandler[Context] = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            CONSENT: [CallbackQueryHandler(consent)],
            MENU: [CallbackQueryHandler(menu)],
            KIND: [CallbackQueryHandler(kind)],
            DESCRIBE: [MessageHandler(text, describe)],
            HAMLET: [CallbackQueryHandler(hamlet)],
            MEDIA: [MessageHandler(text, media)],
            CONTACT: [CallbackQueryHandler(contact)],
            PUBLISH: [CallbackQueryHandler(publish)],
            CONFIRM: [CallbackQueryHandler(confirm)],
        },
        fallbacks=[],
        per_message=False,
    )
    application = Application.builder().token("123:BASELINE").request(request).updater(None).build()
    application.add_handler(conversation)
    return application
