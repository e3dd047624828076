"""What every browser test needs: a headless Chromium as a person on a phone would hold
it, an app served on a real port, axe-core on each page, and clicks that wait for the
next page instead of sleeping.

A test module starts with ``pytestmark = [pytest.mark.integration, pytest.mark.browser]``
and takes the ``browsers`` fixture (registered by the root ``conftest.py``); it skips,
saying why, on a machine without Chromium, ChromeDriver, selenium or npm.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from deformations_devtools.portal.support import axe_violations
from deformations_devtools.testing import wait_until

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE = "390,844"
DESKTOP = "1280,900"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-first-run",
)

Open = Callable[..., Any]


def require_browser() -> None:
    """Skip the test, saying what is missing, unless Chromium, selenium and npm are here."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("no /usr/bin/chromium or /usr/bin/chromedriver (Debian's chromium-driver)")
    if shutil.which("npm") is None:
        pytest.skip("no npm for axe-core: apt-get install -y nodejs npm")
    pytest.importorskip("selenium.webdriver")


@pytest.fixture
def browsers() -> Iterator[Open]:
    """Opens headless Chromium windows (``open_one(window=PHONE)``), each with a fresh
    profile; all are closed when the test ends."""
    require_browser()
    from selenium import webdriver

    opened: list[Any] = []
    folders: list[tempfile.TemporaryDirectory[str]] = []

    def open_one(window: str = PHONE) -> Any:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        folder = tempfile.TemporaryDirectory(prefix="chromium-")
        folders.append(folder)
        for flag in (*FLAGS, f"--window-size={window}", f"--user-data-dir={folder.name}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(
            options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
        )
        driver.set_page_load_timeout(30)
        opened.append(driver)
        return driver

    yield open_one
    for driver in opened:
        driver.quit()
    for folder in folders:
        folder.cleanup()


@asynccontextmanager
async def serving(app: FastAPI, port: int, name: str = "app") -> AsyncIterator[None]:
    """Serve ``app`` on 127.0.0.1:``port`` in a thread until the block ends."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{name}", daemon=True)
    thread.start()
    try:
        await wait_until(
            lambda: server.started or not thread.is_alive(), timeout_s=90, what=f"{name} serving"
        )
        assert server.started, f"{name} did not start"
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def accessible(driver: Any) -> None:
    """The open page: French, titled, with no serious or critical axe-core violation and
    no sideways scrolling (the window is a phone's unless the test opened another)."""
    from selenium.webdriver.common.by import By

    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    # Titled under the platform's name, the one its header shows (PLATFORM_FILE's).
    brand = driver.find_element(By.CSS_SELECTOR, "a.marque").text.strip()
    assert brand and driver.title.endswith(f"— {brand}"), (driver.title, brand)
    assert axe_violations(driver) == [], driver.current_url
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, f"{driver.current_url} scrolls sideways"


def quote(text: str) -> str:
    """``text`` as an XPath string literal."""
    return '"' + text + '"' if '"' not in text else "'" + text + "'"


def button(text: str) -> str:
    """XPath of the button whose visible text is ``text``."""
    return f"//button[normalize-space()={quote(text)}]"


def labelled(text: str) -> str:
    """XPath of the button named ``text`` by its aria-label (where several buttons of a page
    read the same, each says which item it acts on)."""
    return f"//button[@aria-label={quote(text)}]"


def link(text: str) -> str:
    """XPath of the link whose visible text is ``text``."""
    return f"//a[normalize-space()={quote(text)}]"


def press(driver: Any, xpath: str) -> None:
    """Press the button or link at ``xpath`` and wait until the next page has loaded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.XPATH, xpath).click()
    WebDriverWait(driver, 20).until(lambda _: left(page))
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def dev_sign_in(driver: Any, url: str, email: str) -> None:
    """Signed in as ``email`` on the portal at ``url``, by its development sign-in page."""
    driver.get(f"{url}/connexion/dev")
    press(driver, button(f"Agir en tant que {email}"))


def left(element: Any) -> bool:
    """Whether the page ``element`` belonged to is gone. Chromium says so either as a stale
    element or, while the next document replaces it, as « Node with given id does not
    belong to the document »: both mean the browser moved on."""
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def click(driver: Any, text: str) -> None:
    """Press the button labelled ``text`` (a form posts, then redirects) and wait."""
    press(driver, button(text))


def fill(driver: Any, field_id: str, value: str) -> None:
    """Type ``value`` into the field whose id is ``field_id``, replacing what was there."""
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(value)
