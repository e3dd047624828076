from deformations_common.logging import REDACTED, redact_personal_data


def test_personal_data_is_redacted() -> None:
    event = {
        "event": "notifications.mail_sent to marie.dupont@example.org",
        "email": "marie.dupont@example.org",
        "phone": "06 12 34 56 78",
        "detail": {"note": "call 06.12.34.56.78", "person_id": "p-1"},
        "siren": "217500016",
    }
    out = redact_personal_data(None, "info", dict(event))
    assert out["email"] == REDACTED and out["phone"] == REDACTED
    assert "marie.dupont" not in out["event"]
    assert out["detail"] == {"note": f"call {REDACTED}", "person_id": "p-1"}
    assert out["siren"] == "217500016"
