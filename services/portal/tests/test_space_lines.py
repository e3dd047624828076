"""« Mon espace » turns each service's answer into lines people read."""

from deformations_portal import space


def test_loans_read_as_french_sentences() -> None:
    loan = {
        "id": "2b1e6f5c-0000-4000-8000-000000000001",
        "theme_label": "Alimentation",
        "half_days": 2,
        "lender": {"name": "Crest"},
        "borrower": {"name": "Aouste-sur-Sye"},
        "status_label": "convenu",
    }
    assert space.LINES["prets"]([loan]) == [
        space.Line(
            "Alimentation : 2 demi-journée(s), de Crest à Aouste-sur-Sye (convenu)",
            "/prets/2b1e6f5c-0000-4000-8000-000000000001",
        )
    ]


def test_preferences_say_channel_quiet_hours_and_rhythm() -> None:
    body = {
        "channels": ["email"],
        "quiet_hours": {"start": "21:00:00", "end": "07:00:00", "timezone": "Europe/Paris"},
        "digest": {"frequency": "weekly"},
    }
    assert [line.text for line in space.LINES["preferences"](body)] == [
        "Canal : courriel",
        "Heures calmes : de 21:00 à 07:00",
        "Envoi des nouvelles : chaque semaine",
    ]


def test_next_steps_link_to_their_recipe() -> None:
    (line,) = space.LINES["etapes"](
        [{"code": "t03_cafe_formation", "title": "Café formation", "reason": "proche de vous"}]
    )
    assert line.href == "/recettes/t03_cafe_formation"
    assert line.detail.startswith("Une fois par mois")


def test_a_next_step_shows_the_text_of_its_recipe_phare() -> None:
    (line,) = space.LINES["etapes"](
        [{"code": "t03_cycle_a_la_carte", "title": "Un cycle", "reason": "votre rythme"}]
    )
    assert line.detail.startswith("Un abonnement sans engagement")
    (unknown,) = space.LINES["etapes"]([{"code": "t99_x", "title": "X", "reason": "y"}])
    assert unknown.detail == "" and unknown.href == "/recettes/t99_x"


def test_notifications_name_their_event_in_french() -> None:
    (line,) = space.LINES["notifications"](
        [{"event_type": "loan.agreed.v1", "created_at": "2026-11-20T09:00:00+00:00"}]
    )
    assert line.text.startswith("Un prêt de compétences est convenu — ")


def test_sections_without_an_endpoint_link_to_their_page() -> None:
    without = {s.key: s.more for s in space.SECTIONS if s.path is None}
    assert list(without) == ["agenda"]
    assert ("/espace/agenda", "Voir mon agenda") in without["agenda"]


def test_diagnostics_list_the_three_newest_with_date_and_family() -> None:
    body = {
        "responses": [
            {
                "response_id": f"r{n}",
                "completed_at": f"2026-0{n}-02T09:00:00+00:00",
                "summary": {"family_name": f"Famille {n}"},
            }
            for n in (5, 4, 3, 2)
        ],
        "progress": None,
    }
    lines = space.LINES["diagnostics"](body)
    assert [line.text for line in lines] == [
        "samedi 2 mai 2026 : Famille 5",
        "jeudi 2 avril 2026 : Famille 4",
        "lundi 2 mars 2026 : Famille 3",
    ]
    assert lines[0].href == "/espace/diagnostics/r5"
