"""Two-step verification (TOTP, RFC 6238): enrolment and recovery codes on the account's security
page (:mod:`.enrolment`), the code asked at sign-in (:mod:`.sign_in`), a company's policy that
requires it (:mod:`.policy`), and the secrets and checks behind them all (:mod:`.codes`)."""

from lcadmin.services.two_factor.enrolment import (
    Enrolment,
    TwoFactorStatus,
    cancel_enrolment,
    confirm_enrolment,
    disable_two_factor,
    regenerate_recovery_codes,
    start_enrolment,
    two_factor_status,
)
from lcadmin.services.two_factor.policy import TwoFactorPolicy, set_two_factor_policy, two_factor_policy
from lcadmin.services.two_factor.sign_in import CHALLENGE_TTL, complete_challenge, enrolment_due, open_challenge

__all__ = [
    "CHALLENGE_TTL",
    "Enrolment",
    "TwoFactorPolicy",
    "TwoFactorStatus",
    "cancel_enrolment",
    "complete_challenge",
    "confirm_enrolment",
    "disable_two_factor",
    "enrolment_due",
    "open_challenge",
    "regenerate_recovery_codes",
    "set_two_factor_policy",
    "start_enrolment",
    "two_factor_policy",
    "two_factor_status",
]
