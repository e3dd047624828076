"""From the quiz's next step to the searches of training offers that fit it."""

from deformations_portal.domain.next_step import StepSearch, step_search


def test_a_step_with_a_training_format_searches_it_first_then_the_theme() -> None:
    search = step_search("cafe_formation", "energie", "60")
    assert search == StepSearch(format="cafe", theme="energie", minutes=60)
    assert search.searches() == [
        {"limit": "3", "minutes": "60", "theme": "energie", "format": "cafe"},
        {"limit": "3", "minutes": "60", "theme": "energie"},
    ]


def test_a_step_without_a_training_format_searches_her_theme() -> None:
    assert step_search("groupe_entraide", "eau", 150).searches() == [
        {"limit": "3", "minutes": "150", "theme": "eau"}
    ]


def test_what_is_not_understood_is_left_out() -> None:
    search = step_search("?", "astrologie", "beaucoup")
    assert search == StepSearch(format=None, theme=None, minutes=None)
    assert search.searches() == [{"limit": "3"}]
    assert step_search("podcast", None, "-5").minutes is None
    assert step_search("podcast", None, "").searches() == [{"limit": "3", "format": "e_learning"}]
