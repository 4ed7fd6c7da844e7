"""Search: GET /search and GET /search/suggest over search's own index (docs/search.md)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.http import http_app, lambda_entry
from sauti.search import logic
from sauti.search.models import SearchResults, Suggestions
from sauti.search.settings import SearchSettings
from sauti.settings import require

app = http_app()  # signed-in users only
require(CoreSettings, DatabaseSettings, SearchSettings)

Text = Annotated[str, Query(max_length=logic.MAX_QUERY_LENGTH)]
Types = Annotated[
    str | None,
    Query(max_length=logic.TYPES_MAX_LENGTH, pattern=logic.TYPES_PATTERN, description="e.g. `song,artist`"),
]
Limit = Annotated[int, Query(ge=1, le=logic.MAX_LIMIT)]


@app.get("/search")
def search(q: Text = "", types: Types = None, limit: Limit = logic.DEFAULT_LIMIT) -> SearchResults:
    return logic.search(q, logic.parse_types(types), limit)  # type: ignore[return-value]


@app.get("/search/suggest")
def suggest(q: Text = "") -> Suggestions:
    return logic.suggest(q)  # type: ignore[return-value]


lambda_handler: Any = lambda_entry(app)
