"""The PDF: WeasyPrint's layout of the brief's print page (`render.render_pdf`).

Apart from the rest of `render`, so that a helper forked to have WeasyPrint ready
(`helper.PdfPress`) loads WeasyPrint and nothing else: its import is the longest step of
a small day's build.
"""

from __future__ import annotations

from typing import Any


def html_to_pdf(page: str) -> bytes:
    """The PDF WeasyPrint lays out from an HTML page (`render_html(..., print_css=True)`),
    fetching nothing the page links to."""
    import weasyprint

    class RefuseEveryURL(weasyprint.URLFetcher):
        """Article text may carry links or images; a brief never fetches anything."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"briefing does not fetch resources ({url})")

    return weasyprint.HTML(string=page, url_fetcher=RefuseEveryURL()).write_pdf()
