"""The small French HTML pages that mail links open (reply form, unsubscribe)."""

from html import escape

from fastapi.responses import HTMLResponse


def html_page(title: str, content: str, status: int = 200) -> HTMLResponse:
    """A page titled ``title`` around ``content`` (HTML the caller escaped)."""
    return HTMLResponse(
        f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{escape(title)} – (Dé)formations</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 3rem auto; line-height: 1.5">
<h1 style="font-size: 1.4rem">{escape(title)}</h1>
{content}
</body></html>""",
        status_code=status,
    )
