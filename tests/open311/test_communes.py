"""Open311 with two communes in one deployment: `jurisdiction_id` names the commune, a key
limited to one commune is refused (403) for the other, and each lists only its own."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from bot.app import App
from bot.config import Settings
from bot.open311.keys import new_key

FORM = {
    "service_code": "chieu_sang",
    "address_string": "Tổ 2, đường Lê Lợi",
    "description": "Đèn đường tổ 2 không sáng",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    cat_giang = settings.communes[0]
    an_lac = replace(cat_giang, code="AL", name="phường An Lạc", hamlets=("Tổ 1", "Tổ 2"))
    return replace(settings, communes=(cat_giang, an_lac))


async def test_a_commune_key_posts_only_to_its_commune(app: App, http: httpx.AsyncClient) -> None:
    secret, digest = new_key()
    async with app.storage.transaction() as uow:
        await uow.open311.add_key("Phường An Lạc", "AL", digest, app.dispatcher.clock())
    unnamed = await http.post("/requests.json", data={**FORM, "api_key": secret})
    assert unnamed.status_code == 400
    assert unnamed.json()[0]["description"].startswith("jurisdiction_id is required")
    elsewhere = {**FORM, "api_key": secret, "jurisdiction_id": "CG"}
    assert (await http.post("/requests.json", data=elsewhere)).status_code == 403
    here = {**FORM, "api_key": secret, "jurisdiction_id": "al", "attribute[thon]": "Tổ 2"}
    posted = await http.post("/requests.json", data=here)
    assert posted.status_code == 200
    code = posted.json()[0]["service_request_id"]
    assert code.startswith("AL-")
    own = await http.get(f"/requests/{code}.json", params={"jurisdiction_id": "AL"})
    assert own.json()[0]["address"] == "Tổ 2, phường An Lạc"
    assert (
        await http.get(f"/requests/{code}.json", params={"jurisdiction_id": "CG"})
    ).status_code == 404
    token = posted.json()[0]["token"]
    assert (
        await http.get(f"/tokens/{token}.json", params={"jurisdiction_id": "CG"})
    ).status_code == 404
    assert (
        await http.get(f"/tokens/{token}.json", params={"jurisdiction_id": "AL"})
    ).status_code == 200
