"""A chromium page with the network cut, recording what a test must check afterwards.

Every request that is not for a local file (or a data:/blob: URL) is aborted and recorded in
``external``; console errors and uncaught exceptions go to ``errors``, dialogs (dismissed) to
``dialogs``. Shared by the real-browser tests of the map, the golden rule cases and to_folium.
"""

from __future__ import annotations

from pathlib import Path

LOCAL = ("file:", "data:", "blob:")


class OfflinePage:
    """``OfflinePage(browser).goto(path)``; then ``.page`` (Playwright), ``.assert_clean()``, ``.close()``."""

    def __init__(self, browser, viewport=(1280, 800)):
        self.external, self.errors, self.dialogs = [], [], []
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)

    def goto(self, path: Path, hash_: str = "") -> OfflinePage:
        self.page.goto(Path(path).resolve().as_uri() + hash_)
        return self

    def _dialog(self, d):
        self.dialogs.append(d.message)
        d.dismiss()

    def _route(self, route):
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def close(self):
        self.page.close()

    def assert_clean(self):
        assert self.external == [], f"requests outside the file: {self.external}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs fired: {self.dialogs}"
