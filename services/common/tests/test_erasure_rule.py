import pytest

from deformations_common.vocabulary.erasure import PersonErased, refuse_if_erased, still_present


def test_an_erased_person_is_refused_with_a_french_410() -> None:
    refuse_if_erased(False)
    with pytest.raises(PersonErased) as refused:
        refuse_if_erased(True)
    assert refused.value.status == 410
    assert refused.value.code == "person_erased"
    assert refused.value.message.startswith("Ce compte a été supprimé")


def test_only_people_not_erased_may_still_be_named() -> None:
    assert still_present(["a", "b", "c"], {"b", "z"}) == {"a", "c"}
    assert still_present([], {"b"}) == set()
