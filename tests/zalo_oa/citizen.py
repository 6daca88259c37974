"""A citizen on Zalo as a person uses the OA: every message an event posted, signed, to the
webhook; every button tap the button's hidden payload sent back as text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.support.labels import label
from tests.zalo_oa.conftest import Oa
from tests.zalo_oa.standin import emit, event


@dataclass
class ZaloCitizen:
    oa: Oa
    user_id: str = "z1"
    seen: int = 0

    async def _post(self, name: str, **message: Any) -> None:
        body = event(self.oa.standin, name, self.user_id, **message)
        response = await emit(self.oa.url, body)
        assert response.status_code == 200, response.text
        self.seen = len(self.oa.standin.sent)
        await self.oa.deliver()

    @property
    def answers(self) -> list[dict[str, Any]]:
        """The messages the OA sent this citizen since their last action."""
        return [
            s["message"] for s in self.oa.standin.sent[self.seen :] if s["user_id"] == self.user_id
        ]

    @property
    def text(self) -> str:
        out = []
        for message in self.answers:
            payload = message.get("attachment", {}).get("payload", {})
            out.append(message.get("text") or payload.get("text") or "")
        return "\n".join(out)

    @property
    def buttons(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for sent in self.oa.standin.sent:
            if sent["user_id"] != self.user_id:
                continue
            payload = sent["message"].get("attachment", {}).get("payload", {})
            for button in payload.get("buttons", []):
                found[button["title"]] = button["payload"]
        return found

    async def follow(self) -> None:
        await self._post("follow")

    async def send(self, text: str) -> None:
        await self._post("user_send_text", text=text)

    async def press(self, label: str) -> None:
        assert label in self.buttons, f"{label!r} not among {list(self.buttons)}"
        await self._post("user_send_text", text=self.buttons[label])

    async def photo(self, url: str, caption: str = "") -> None:
        attachment = {"type": "image", "payload": {"url": url, "thumbnail": url}}
        await self._post("user_send_image", text=caption, attachments=[attachment])

    async def submit_info(self, name: str, phone: str) -> None:
        """The citizen fills in Zalo's own form (name and phone) for the OA."""
        body = event(self.oa.standin, "user_submit_info", self.user_id)
        body["info"] = {"name": name, "phone": phone, "address": "", "city": "", "district": ""}
        response = await emit(self.oa.url, body)
        assert response.status_code == 200, response.text
        self.seen = len(self.oa.standin.sent)
        await self.oa.deliver()

    async def location(self, lat: str, lon: str) -> None:
        coordinates = {"latitude": lat, "longitude": lon}
        attachment = {"type": "location", "payload": {"coordinates": coordinates}}
        await self._post("user_send_location", text="", attachments=[attachment])

    async def describe_a_report(self) -> None:
        """Follow, consent and start a phản ánh about a street light: the next step is the
        thôn."""
        await self.follow()
        await self.press(label("btn.consent_yes"))
        await self.press(label("btn.menu_file"))
        await self.press(label("kind.phan_anh"))
        await self.send("Đèn đường ngõ 7 hỏng hai tuần nay")
