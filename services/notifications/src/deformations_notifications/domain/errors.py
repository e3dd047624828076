"""What the notifications service refuses, each with its stable code, HTTP status and
French message; the runtime renders them as problem details (RFC 9457)."""

from __future__ import annotations

from deformations_common.vocabulary.errors import (
    DomainError,
    ForbiddenAction,
    GoneError,
    InvalidInput,
    NotFoundError,
)


class NotRegistered(NotFoundError):
    code = "not_registered"

    def __init__(self) -> None:
        super().__init__("Vous n'êtes pas encore inscrit·e aux notifications.")


class SenderBlocked(ForbiddenAction):
    code = "relay_sender_blocked"

    def __init__(self) -> None:
        super().__init__(
            "L'équipe de la plateforme a bloqué vos messages par le relais, après un "
            "signalement : ils ne sont plus transmis."
        )


class UnknownReport(NotFoundError):
    code = "unknown_report"

    def __init__(self) -> None:
        super().__init__("Ce signalement n'existe pas ou est déjà traité.")


class DeliveryNotFailed(NotFoundError):
    code = "delivery_not_failed"

    def __init__(self) -> None:
        super().__init__("Aucun envoi de webhook en échec avec cet identifiant.")


class NotificationNotFailed(NotFoundError):
    code = "not_failed"

    def __init__(self) -> None:
        super().__init__("Aucune notification en échec avec cet identifiant.")


class UnknownSubscription(NotFoundError):
    code = "unknown_subscription"

    def __init__(self, subscription_id: object) -> None:
        super().__init__(f"Aucun abonnement {subscription_id}.")


class NotOneClick(DomainError):
    """An unsubscribe POST without RFC 8058's body."""

    code, status = "not_one_click", 400

    def __init__(self) -> None:
        super().__init__("Le corps doit être « List-Unsubscribe=One-Click » (RFC 8058).")


class InvalidUnsubscribeToken(ForbiddenAction):
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("Ce lien de désabonnement n'est pas valide.")


class UnsubscribeTokenLapsed(GoneError):
    """A genuine link, expired or revoked: nothing changes; preferences are the way."""

    code = "unsubscribe_token_lapsed"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "Ce lien de désabonnement n'est plus valable"
            + (" : il a expiré." if reason == "expired" else " : il a été révoqué.")
            + " Connectez-vous à la plateforme et choisissez vos notifications dans « Mes "
            "préférences », depuis votre espace.",
            reason=reason,
        )


class InvalidReplyToken(ForbiddenAction):
    code = "invalid_reply_token"

    def __init__(self) -> None:
        super().__init__("Ce lien de réponse n'est pas valide.")


class NotYourReplyToken(ForbiddenAction):
    def __init__(self) -> None:
        super().__init__("Ce lien de réponse appartient à quelqu'un d'autre.")


class NoSharedContext(ForbiddenAction):
    code = "no_shared_context"

    def __init__(self) -> None:
        super().__init__(
            "Le relais ne vous permet d'écrire qu'aux personnes avec qui vous partagez un "
            "groupe, un café, un prêt, une formation, un programme ou une équipe."
        )


class ReplyTokenExpired(GoneError):
    code = "reply_token_expired"

    def __init__(self, days: int) -> None:
        super().__init__(
            f"Ce lien de réponse a expiré : la conversation est restée sans message plus de "
            f"{days} jours. Écrivez à nouveau depuis la plateforme.",
            expired_after_days=days,
        )


class UnknownThread(NotFoundError):
    code = "unknown_thread"

    def __init__(self) -> None:
        super().__init__("Cette conversation n'existe plus.")


class NotRelayAddress(InvalidInput):
    code = "not_relay"

    def __init__(self) -> None:
        super().__init__("Cette adresse n'est pas une adresse du relais.")


class RelayLimitReached(DomainError):
    """One sender past the relay's limits; ``retry_after_s`` becomes Retry-After."""

    code, status = "relay_limit", 429

    def __init__(self, reason: str, retry_after_s: int) -> None:
        super().__init__(reason, retry_after_s=retry_after_s)


class WebhookNeedsHttps(InvalidInput):
    code = "webhook_https_only"

    def __init__(self) -> None:
        super().__init__("En production, l'adresse d'un webhook commence par https://.")


class WebhookAddressRefused(InvalidInput):
    """A literal address webhooks may not reach (names are checked when connecting)."""

    code = "webhook_address_refused"

    def __init__(self, reason: str) -> None:
        super().__init__(f"Ce webhook ne peut pas être enregistré : {reason}.")


class AddressNotProven(ForbiddenAction):
    code = "address_not_proven"

    def __init__(self) -> None:
        super().__init__(
            "Cette adresse n'a pas été vérifiée comme la vôtre : enregistrez-la depuis « Mes "
            "préférences » sur la plateforme, qui vous enverra un lien pour la confirmer."
        )
