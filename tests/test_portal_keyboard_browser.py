"""With the keyboard alone, in Chromium: the élue signs in (demo account), opens « Mon
espace », answers the signed-in quiz and reaches her result. Only Tab, Shift+Tab, Enter
and Space are pressed; on every page the skip link comes first, shows itself and leads to
the content, and every element the keyboard reaches shows a visible focus ring."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import Open
from my_space_support import ELUE, Site, my_space_site

from deformations_devtools.testing import Infra, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser]

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

# More stops than any page of the walk has (the quiz has about a hundred options).
MOST_STOPS = 400


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    async with my_space_site(infra, database_url, namespace) as site:
        yield site


def active(driver: Any) -> Any:
    return driver.switch_to.active_element


def assert_focus_visible(driver: Any) -> None:
    """The focused element has a ring: an outline of at least 2 px, inside the viewport."""
    style, width, visible = driver.execute_script(
        "const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();"
        "return [s.outlineStyle, parseFloat(s.outlineWidth),"
        " r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight];"
    )
    element = active(driver)
    where = f"{driver.current_url}: <{element.tag_name}> {element.text!r}"
    assert style != "none" and width >= 2, f"no focus ring on {where}"
    assert visible, f"focused but off screen: {where}"


def skip_to_content(driver: Any) -> None:
    """A new page: the first Tab reaches « Aller au contenu », Enter moves to the content."""
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = active(driver)
    assert skip.text == "Aller au contenu", driver.current_url
    assert skip.get_attribute("href").endswith("#contenu")
    assert skip.is_displayed() and skip.rect["x"] >= 0
    assert_focus_visible(driver)
    skip.send_keys(Keys.ENTER)
    assert active(driver).get_attribute("id") == "contenu", driver.current_url


def tab_until(
    driver: Any,
    reached: Callable[[Any], bool],
    *,
    backwards: bool = False,
    on_the_way: Callable[[Any], None] | None = None,
) -> Any:
    """Press Tab (or Shift+Tab) until the focused element is ``reached``; every stop on
    the way must show its focus."""
    key = Keys.SHIFT + Keys.TAB if backwards else Keys.TAB
    for _ in range(MOST_STOPS):
        active(driver).send_keys(key)
        element = active(driver)
        if element.tag_name in ("a", "button", "input", "select", "textarea"):
            assert_focus_visible(driver)
        if reached(element):
            return element
        if on_the_way is not None:
            on_the_way(element)
    raise AssertionError(f"the keyboard never reached it on {driver.current_url}")


def labelled(text: str) -> Callable[[Any], bool]:
    return lambda element: element.text.strip() == text


async def arrive(driver: Any, pattern: str) -> None:
    """Wait for the page whose path matches ``pattern`` (a regular expression) to load."""
    await wait_until(
        lambda: (
            re.fullmatch(pattern, urlsplit(driver.current_url).path) is not None
            and driver.execute_script("return document.readyState") == "complete"
        ),
        what=f"the page {pattern}",
    )


async def test_she_signs_in_takes_the_quiz_and_reads_her_result_with_the_keyboard_alone(
    site: Site, browsers: Open
) -> None:
    driver = browsers()
    driver.get(f"{site.url}/")
    skip_to_content(driver)
    # « Se connecter » is in the menu, before the content: back there with Shift+Tab.
    tab_until(driver, labelled("Se connecter"), backwards=True).send_keys(Keys.ENTER)
    await arrive(driver, "/connexion")

    skip_to_content(driver)
    tab_until(driver, labelled("Comptes de démonstration (développement)")).send_keys(Keys.ENTER)
    await arrive(driver, "/connexion/dev")

    skip_to_content(driver)
    tab_until(driver, labelled(f"Agir en tant que {ELUE}")).send_keys(Keys.ENTER)
    await arrive(driver, "/espace")

    skip_to_content(driver)
    assert "Mon espace" in driver.find_element(By.TAG_NAME, "h1").text
    tab_until(driver, labelled("Faire mon autodiagnostic")).send_keys(Keys.ENTER)
    await arrive(driver, "/espace/autodiagnostic")

    skip_to_content(driver)
    answered: set[str] = set()

    def answer(element: Any) -> None:
        # Tab enters a group of radios on its first option and leaves it on the next
        # question; Space chooses. One choice per question is a complete quiz.
        name = element.get_attribute("name")
        kind = element.get_attribute("type")
        if element.tag_name == "input" and kind in ("radio", "checkbox") and name not in answered:
            element.send_keys(Keys.SPACE)
            assert element.is_selected(), name
            answered.add(name)

    tab_until(driver, labelled("Voir mon résultat"), on_the_way=answer).send_keys(Keys.ENTER)
    await arrive(driver, "/espace/diagnostics/[0-9a-f-]{36}")
    assert len(answered) > 10
    assert "Quelques réponses sont à revoir" not in driver.page_source

    skip_to_content(driver)
    assert "Votre famille :" in driver.page_source
    # And on from the result to her list of diagnostics, still by keyboard.
    tab_until(driver, labelled("Mes diagnostics")).send_keys(Keys.ENTER)
    await arrive(driver, "/espace/diagnostics")
    skip_to_content(driver)
