"""The booklet's recipes catalogue, shared reference data."""

from deformations_contracts.catalogue.recipes import (
    Catalogue,
    Chapter,
    Idea,
    Recipe,
    RecipeCode,
    Thematique,
    catalogue_json_schema,
    load_catalogue,
)

__all__ = [
    "Catalogue",
    "Chapter",
    "Idea",
    "Recipe",
    "RecipeCode",
    "Thematique",
    "catalogue_json_schema",
    "load_catalogue",
]
