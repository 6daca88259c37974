"""The citizens' flows, one module each, joined into one set of routes.

A new flow is one module with its `FlowRouter` plus one line here. The order is the order
in which their declarations are checked for clashes; the command menu has its own order
(each command's `menu` place).
"""

from __future__ import annotations

from handlers.flows import (
    announcements,
    clarify,
    commune,
    consent,
    dialogue,
    erase,
    filing,
    info,
    lookup,
    menu,
    polls,
    questions,
    rating,
    survey,
)
from handlers.router import Routes, include_routers

ROUTES: Routes = include_routers(
    commune.router,
    consent.router,
    menu.router,
    filing.router,
    lookup.router,
    erase.router,
    questions.router,
    clarify.router,
    announcements.router,
    info.router,
    rating.router,
    dialogue.router,
    survey.router,
    polls.router,
)
