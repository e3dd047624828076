"""The operators' edits of the recipes catalogue over HTTP on the real database: the form,
its errors beside the fields (nothing saved), the public pages showing the edit, the
journal, and nobody else getting in."""

import re

from markupsafe import escape

from deformations_common.service import create_app
from deformations_contracts.catalogue.recipes import load_catalogue
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, running
from deformations_portal.app import definition

from .test_operator_pages import OPERATOR, RH, csrf_of, settings_for, sign_in

RECIPE = load_catalogue().thematiques[2].recipe


async def test_an_operator_rewrites_a_recipe_and_the_pages_show_it(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = settings_for(infra, database_url, namespace)
    async with running(create_app(definition(settings))) as client:
        await Portal(settings).run(demo.create_accounts)
        await sign_in(client, OPERATOR)
        listing = await client.get("/operateur/recettes")
        assert listing.status_code == 200
        assert listing.text.count("Modifier le texte") == 11
        form = await client.get(f"/operateur/recettes/{RECIPE.code}")
        assert form.status_code == 200
        assert escape(RECIPE.steps[0]) in form.text

        # Emptied title and steps: both told beside their field, nothing saved.
        fields = {
            "titre": "",
            "resume": "Un résumé réécrit.",
            "etapes": " \n ",
            "content": "Les élus reviennent",
            "csrf": csrf_of(form),
        }
        refused = await client.post(f"/operateur/recettes/{RECIPE.code}", data=fields)
        assert refused.status_code == 422
        assert re.search(r'id="titre-erreur">Donnez un titre à la recette\.<', refused.text)
        assert "Donnez au moins une étape" in refused.text
        assert "Un résumé réécrit." in refused.text  # what was typed stays
        page = await client.get(f"/recettes/{RECIPE.code}")
        assert escape(RECIPE.title) in page.text and "Un résumé réécrit." not in page.text

        fields |= {"titre": "Un café qui forme", "etapes": "Inviter\nÉcouter\nRecommencer"}
        saved = await client.post(f"/operateur/recettes/{RECIPE.code}", data=fields)
        assert saved.status_code == 303, saved.text
        page = await client.get(f"/recettes/{RECIPE.code}")
        assert "<h1>Un café qui forme</h1>" in page.text
        assert "<li>Écouter</li>" in page.text and "Un résumé réécrit." in page.text
        assert escape(RECIPE.ingredients[0]) in page.text  # the rest is the booklet's
        theme = await client.get("/thematiques/3")
        assert "Thématique 3 : Un café qui forme" in theme.text
        journal = await client.get("/operateur/journal")
        assert "recette modifiée" in journal.text and f"recette:{RECIPE.code}" in journal.text

        unknown = await client.get("/operateur/recettes/t03_nothing_here")
        assert unknown.status_code == 404

        await sign_in(client, RH)
        assert (await client.get("/operateur/recettes")).status_code == 403
        other = await client.get("/compte")
        posted = await client.post(
            f"/operateur/recettes/{RECIPE.code}", data={**fields, "csrf": csrf_of(other)}
        )
        assert posted.status_code == 403
        assert "<h1>Un café qui forme</h1>" in (await client.get(f"/recettes/{RECIPE.code}")).text
