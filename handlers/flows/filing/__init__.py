"""Filing a record: kind → description → hamlet → photos/location → contact → publish →
summary.

```mermaid
stateDiagram-v2
    [*] --> resume: draft exists
    [*] --> kind
    resume --> kind: soạn mới
    resume --> confirm: soạn tiếp
    kind --> identity: khiếu nại / tố cáo
    kind --> description
    identity --> description
    description --> hamlet
    hamlet --> hamlet_other: Khác…
    hamlet --> media
    hamlet_other --> media
    media --> contact: phản ánh / kiến nghị
    media --> name: khiếu nại / tố cáo
    contact --> name: để lại thông tin
    contact --> publish: ẩn danh / dùng thông tin đã lưu
    name --> phone
    phone --> publish: phản ánh / kiến nghị
    phone --> confirm: khiếu nại / tố cáo
    publish --> confirm: Có / Không (cho phép công khai)
    confirm --> edit: Sửa
    edit --> kind
    edit --> description
    edit --> hamlet
    edit --> media
    edit --> contact
    edit --> publish
    confirm --> duplicate: Gửi, an open record likely the same (topic and thôn, or ≤ 100 m)
    duplicate --> [*]: Theo dõi cùng (nothing filed) / Vẫn gửi hồ sơ mới
    confirm --> [*]: Gửi (record committed, code shown)
```

The draft lives in the conversation data (`data["draft"]`), so a restart resumes at the
same step, and leaving with another command keeps it for later; /huy drops it. While
editing (`draft["editing"]`) each step returns to the summary instead of going on.

One flow in several modules, each with a sub-router of the flow: `draft.py` (the states,
the way in, resuming), `details.py` (kind → photos and location), `submit.py`
(contact → summary → submit) and `publish.py` (the consent to publish, phản ánh and kiến
nghị only).
"""

from __future__ import annotations

from handlers.flows.filing import details, draft, duplicate, publish, submit
from handlers.flows.filing.details import prompt_hamlet
from handlers.flows.filing.draft import Filing, start
from handlers.router import FlowRouter

router = FlowRouter("filing").include(
    draft.router, details.router, submit.router, publish.router, duplicate.router
)

__all__ = ["Filing", "prompt_hamlet", "router", "start"]
