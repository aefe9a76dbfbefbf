"""Staff accounts (who works here: the roster), signing in and sessions. The command line is
`python -m services.casework.staff`."""

from services.casework.staff.accounts import (
    ROLES,
    AccountError,
    Policy,
    SignInResult,
    StaffAccounts,
    StaffSession,
)

__all__ = ["ROLES", "AccountError", "Policy", "SignInResult", "StaffAccounts", "StaffSession"]
