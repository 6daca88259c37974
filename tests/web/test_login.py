"""Signing in to the console: a one-time link (once, 10 minutes), the signed session
cookie, and everything refused without one — a used or expired link, a forged cookie,
a revoked official — with nothing changed."""

from __future__ import annotations

import itsdangerous.timed
import pytest

from bot.app import App
from domain.messages import plain_text
from tests.conftest import Clock, make_official, receive
from tests.support.labels import label
from tests.web.support import browser_client, csrf_in, link_for, log_in, official_id, token_of


async def test_a_link_signs_in_once(app: App) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    url = await link_for(app, lan)
    async with browser_client(app) as browser:
        preview = await browser.get(url.removeprefix("http://console.test"))
        assert "Đăng nhập" in preview.text  # opening the page does not spend the link
        signed_in = await log_in(browser, url)
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == "/console/"
        cookie = signed_in.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Secure" not in cookie  # public_url is http in tests
        queue = await browser.get("/console/")
        assert queue.status_code == 200
        assert "Hàng đợi hồ sơ" in queue.text
        assert "chị Lan" in queue.text
    async with browser_client(app) as other:
        again = await other.post("/console/login", data={"token": token_of(url)})
        assert again.status_code == 403
        assert "đã được dùng" in again.text
        assert "set-cookie" not in again.headers
        assert (await other.get("/console/")).status_code == 401
    lan_id = await official_id(app, lan)
    async with app.storage.transaction() as uow:
        logins = await uow.web_audit.list_for(lan_id)
    assert [entry.action for entry in logins] == ["login"]


async def test_an_expired_or_unknown_link_is_refused(app: App, clock: Clock) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    url = await link_for(app, lan)
    clock.advance(minutes=10, seconds=1)
    async with browser_client(app) as browser:
        assert (await log_in(browser, url)).status_code == 403
        assert (await browser.post("/console/login", data={"token": "x" * 43})).status_code == 403
        assert (await browser.post("/console/login", data={})).status_code == 403
        assert (await browser.get("/console/")).status_code == 401


async def test_a_forged_or_missing_cookie_opens_nothing(app: App) -> None:
    async with browser_client(app) as browser:
        for path in ("/console/", "/console/records/CG-2611-AAAAAA", "/console/dashboard"):
            answer = await browser.get(path)
            assert answer.status_code == 401, path
            assert "Cần đăng nhập" in answer.text
        browser.cookies.set("danvan_console", "eyJvIjoxLCJjIjoieCJ9.forged.sig")
        assert (await browser.get("/console/")).status_code == 401


async def test_the_session_ends_when_the_official_is_revoked(app: App) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    async with browser_client(app) as browser:
        await log_in(browser, await link_for(app, lan))
        assert (await browser.get("/console/")).status_code == 200
        lan_id = await official_id(app, lan)
        async with app.storage.transaction() as uow:
            assert await uow.officials.revoke(lan_id, app.dispatcher.clock())
        refused = await browser.get("/console/")
        assert refused.status_code == 403
        assert "Phiên làm việc đã kết thúc" in refused.text
        assert 'danvan_console=""' in refused.headers["set-cookie"]


async def test_the_session_expires_after_a_working_day_idle(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    real = itsdangerous.timed.time.time
    async with browser_client(app) as browser:
        await log_in(browser, await link_for(app, lan))
        start = real()
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: start + 8 * 3600)
        assert (await browser.get("/console/")).status_code == 200  # renews the cookie
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: start + 16 * 3600)
        assert (await browser.get("/console/")).status_code == 200  # 8 h after the renewal
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: start + 26 * 3600)
        assert (await browser.get("/console/")).status_code == 401  # 10 h idle


async def test_logout_needs_the_csrf_token_and_ends_the_session(app: App) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    async with browser_client(app) as browser:
        await log_in(browser, await link_for(app, lan))
        queue = await browser.get("/console/")
        assert (await browser.post("/console/logout", data={"csrf": "wrong"})).status_code == 403
        assert (await browser.get("/console/")).status_code == 200
        done = await browser.post("/console/logout", data={"csrf": csrf_in(queue.text)})
        assert done.status_code == 303
        assert (await browser.get("/console/")).status_code == 401


async def test_web_and_the_menu_button_give_a_link_in_a_private_chat_only(app: App) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    await lan.send("xin chào")
    assert label("btn.web") in lan.labels
    await lan.press(label("btn.web"))
    text = plain_text(lan.replies[0].text)
    assert "dùng được một lần, trong 10 phút" in text
    url = text.split("http://", 1)[1].split()[0]
    assert url.startswith("127.0.0.1:8080/console/login/")
    async with browser_client(app) as browser:
        assert (
            await log_in(browser, "http://console.test/console/login/" + token_of(url))
        ).status_code == 303
    await lan.send("/web")
    second = plain_text(lan.replies[0].text).split("/console/login/", 1)[1].split()[0]
    assert second != token_of(url)
    lan.group = "-100-kt"
    await lan.send("/web")
    assert "chỉ gửi trong tin nhắn riêng" in lan.text
    assert "/console/login/" not in lan.text
    assert await receive(app, "-100-kt") == []
