"""Schema-validation errors in French: pydantic's error types, one sentence each.

The problem details of a 422 list each error with its ``loc`` and ``type`` as pydantic
gives them (programs read those) and a French ``msg`` (people read that). Pydantic's own
messages are English; its error types are stable, so a table translates them. A type the
table does not know gets a generic sentence rather than English.
"""

from collections.abc import Mapping
from typing import Any

# {name} fields come from the error's ``ctx`` (pydantic names them so).
MESSAGES: Mapping[str, str] = {
    "missing": "Champ obligatoire.",
    "extra_forbidden": "Champ inconnu.",
    "json_invalid": "JSON invalide.",
    "json_type": "JSON attendu.",
    "string_type": "Texte attendu.",
    "string_too_short": "Au moins {min_length} caractère(s).",
    "string_too_long": "Au plus {max_length} caractère(s).",
    "string_pattern_mismatch": "Format invalide.",
    "string_unicode": "Texte Unicode attendu.",
    "bytes_type": "Texte attendu.",
    "int_type": "Nombre entier attendu.",
    "int_parsing": "Nombre entier attendu.",
    "int_from_float": "Nombre entier attendu (sans décimales).",
    "int_parsing_size": "Nombre entier trop grand.",
    "float_type": "Nombre attendu.",
    "float_parsing": "Nombre attendu.",
    "finite_number": "Nombre fini attendu.",
    "decimal_type": "Nombre décimal attendu.",
    "decimal_parsing": "Nombre décimal attendu.",
    "decimal_max_digits": "Au plus {max_digits} chiffre(s).",
    "decimal_max_places": "Au plus {decimal_places} décimale(s).",
    "bool_type": "Booléen attendu (true ou false).",
    "bool_parsing": "Booléen attendu (true ou false).",
    "greater_than": "Doit être supérieur à {gt}.",
    "greater_than_equal": "Doit être supérieur ou égal à {ge}.",
    "less_than": "Doit être inférieur à {lt}.",
    "less_than_equal": "Doit être inférieur ou égal à {le}.",
    "multiple_of": "Doit être un multiple de {multiple_of}.",
    "too_short": "Au moins {min_length} élément(s).",
    "too_long": "Au plus {max_length} élément(s).",
    "list_type": "Liste attendue.",
    "tuple_type": "Liste attendue.",
    "set_type": "Liste attendue.",
    "frozen_set_type": "Liste attendue.",
    "iterable_type": "Liste attendue.",
    "dict_type": "Objet attendu.",
    "model_type": "Objet attendu.",
    "model_attributes_type": "Objet attendu.",
    "dataclass_type": "Objet attendu.",
    "enum": "Valeur non admise (attendu : {expected}).",
    "literal_error": "Valeur non admise (attendu : {expected}).",
    "union_tag_invalid": "Type non reconnu (attendu : {expected_tags}).",
    "union_tag_not_found": "Le champ « {discriminator} » est obligatoire.",
    "uuid_type": "Identifiant (UUID) attendu.",
    "uuid_parsing": "Identifiant (UUID) attendu.",
    "uuid_version": "Identifiant (UUID) d'une autre version attendu.",
    "date_type": "Date attendue (AAAA-MM-JJ).",
    "date_parsing": "Date attendue (AAAA-MM-JJ).",
    "date_from_datetime_parsing": "Date attendue (AAAA-MM-JJ).",
    "date_from_datetime_inexact": "Date sans heure attendue.",
    "date_past": "Date passée attendue.",
    "date_future": "Date à venir attendue.",
    "datetime_type": "Date et heure attendues (ISO 8601).",
    "datetime_parsing": "Date et heure attendues (ISO 8601).",
    "datetime_from_date_parsing": "Date et heure attendues (ISO 8601).",
    "datetime_object_invalid": "Date et heure invalides.",
    "datetime_past": "Date et heure passées attendues.",
    "datetime_future": "Date et heure à venir attendues.",
    "time_type": "Heure attendue (HH:MM).",
    "time_parsing": "Heure attendue (HH:MM).",
    "time_delta_type": "Durée attendue.",
    "time_delta_parsing": "Durée attendue.",
    "timezone_aware": "Date et heure avec fuseau horaire attendues.",
    "timezone_naive": "Heure sans fuseau horaire attendue.",
    "timezone_offset": "Autre décalage horaire attendu.",
    "url_type": "Adresse web attendue.",
    "url_parsing": "Adresse web invalide.",
    "url_syntax_violation": "Adresse web invalide.",
    "url_too_long": "Adresse web trop longue.",
    "url_scheme": "Adresse web invalide (schéma attendu : {expected_schemes}).",
    "ip_v4_address": "Adresse IPv4 attendue.",
    "ip_v6_address": "Adresse IPv6 attendue.",
    "ip_any_address": "Adresse IP attendue.",
    "none_required": "Aucune valeur attendue.",
    "is_instance_of": "Valeur d'un autre type attendue.",
    # The message of the service's own validator (its API models speak French).
    "value_error": "Valeur invalide : {error}.",
    "assertion_error": "Valeur invalide.",
}
FALLBACK = "Valeur invalide."


def french_message(error: Mapping[str, Any]) -> str:
    """The French sentence of one pydantic error (``type`` and ``ctx``)."""
    template = MESSAGES.get(str(error.get("type", "")), FALLBACK)
    context = error.get("ctx") or {}
    try:
        return template.format(**{k: _shown(v) for k, v in context.items()})
    except (KeyError, IndexError, ValueError):  # a ctx without the field the sentence names
        return FALLBACK


def _shown(value: Any) -> str:
    # Pydantic's ``expected`` is already a phrase of quoted values joined by "or".
    return str(value).replace(" or ", " ou ")
