"""/search.json: the search page's data as JSON, same URL keys (documented in docs/api.md)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from search import pages
from search.exceptions import IndexUnavailable
from search.results import SearchResults
from search.state import FACETS, SearchState


def results_to_json(results: SearchResults) -> dict:
    state = results.state
    return {
        "query": {"q": state.q, "understood": results.understood, "filters": _filters(state)},
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "results": [
            {
                "id": hit.id,
                "url": reverse("cables:detail", args=[hit.id]),
                "subject": hit.subject,
                "date": hit.date.isoformat() if hit.date else None,
                "origin": hit.origin,
                "classification": hit.classification,
                "tags": list(hit.tags),
                "snippets": [{"paragraph": s.paragraph, "html": s.html} for s in hit.snippets],
            }
            for hit in results.hits
        ],
        "facets": {
            name: [
                {
                    "value": v.value,
                    "label": v.label,
                    "count": v.count,
                    "selected": v.selected,
                    "excluded": v.excluded,
                }
                for v in facet.values
            ]
            for name, facet in results.facets.items()
        },
        "suggestion": results.suggestion,
    }


def _filters(state: SearchState) -> dict:
    out: dict = {facet: {"include": [], "exclude": []} for facet in FACETS}
    out.update(state.filters())
    out["from"] = state.date_from.isoformat() if state.date_from else None
    out["to"] = state.date_to.isoformat() if state.date_to else None
    out["sort"] = state.sort
    out["all"] = list(state.all_of)  # facets whose values must all hold
    return out


@require_GET
def search_json(request: HttpRequest) -> JsonResponse:
    state = SearchState.from_query(request.GET)
    try:
        results = pages.search(state, page_size=pages.clamp_page_size(request.GET.get("size")))
    except IndexUnavailable as error:
        return JsonResponse({"error": str(error)}, status=503)
    response = JsonResponse(results_to_json(results), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response
