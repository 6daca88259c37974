"""The officials' side of the conversation: record buttons, commands, typed answers.

An official is a channel identity bound to an office and a role (`domain.records.Official`).
They work in their private chat with the bot and in their office's group chat. In a group
only commands, presses of the bot's buttons and replies to the bot's messages count; other
chatter is ignored.

Buttons on a record card carry `r:CODE:action:version`; a press whose version is not the
record's current one (a double press, a colleague was faster, the record moved on) is told
so and changes nothing. Steps that need text (Trả lời, Yêu cầu bổ sung, Chuyển, Từ chối,
Hoàn thành, Gia hạn, Giao) put the official's conversation in a text step (`OFFICIAL_TEXT`,
kept like a citizen's: state, data, nonce) holding the record, the action and the record's
version then; the next message in the private chat, or the presser's own
reply to the bot's prompt in a group, completes it — unless the record moved meanwhile
("hồ sơ đã thay đổi"). Commands do the same in one line: `/traloi CODE nội dung`.

A revoked official's replies to the bot, and the text of a step they were revoked during,
are answered "đã bị thu hồi", never taken for a citizen's message.

One module per job, imported in this order (no cycle, nothing imported inside a function):

- `turn`: `StaffTurn`, what one official's update sees, and the record a command names;
- `report`: `tell_about_step`, what a step tells this chat, the citizen and the office;
- `steps`: a record button pressed, a step done, the text a step waits for;
- `queues`: `/hangdoi`, `/quahan`, `/xem`;
- `admin`: `/thamgia`, `/moi`, `/canbo`, `/thuhoi` and `tell_reassign`;
- `broadcast`: `/thongbao` and its «Xem tiến độ» button;
- `weblink`: `/web` and the menu's «🖥 Mở trang quản lý»: a one-time console link;
- `routing`: `claims` (is this update for the officials' side?), `handle`, the command table.

This package's `__init__` imports nothing, so importing one job does not load the rest.
"""
