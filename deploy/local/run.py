"""`make run`: the whole suite on this machine, under honcho (Procfile). Ctrl-C stops all of it.

Sets the local environment (SQLite per service under .local/data, the local SMTP server on 1025,
the local SMS gateway on 8025) unless the caller set a value already, then hands over to honcho.
"""

from __future__ import annotations

import os

from shared.settings import PROJECT_ROOT

LOCAL_ENVIRONMENT = {
    "KAFKA_BOOTSTRAP_SERVERS": "localhost:9092",
    "REDRESS_PUBLIC_URL": "http://localhost:8002",
    "FEEDBACK_PUBLIC_URL": "http://localhost:8005",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": "1025",
    "SMTP_TLS": "none",
    "MAIL_FROM": "Ombudsman complaints <complaints@redress.localhost>",
    "SMS_PROVIDER": "twilio",
    "SMS_API_URL": "http://localhost:8025",
    "SMS_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "SMS_AUTH_TOKEN": "local-development-token",
    "SMS_FROM": "Ombudsman",
    "NOTIFICATIONS_CALLBACK_BASE_URL": "http://localhost:8003",
    # Notify-style receipts must carry this bearer token (the local gateway sends it).
    "NOTIFICATIONS_CALLBACK_BEARER_TOKEN": "local-callback-token",
    "PYTHONUNBUFFERED": "1",
}


def main() -> None:
    for folder in ("data", "mail", "sms", "kafka"):
        (PROJECT_ROOT / ".local" / folder).mkdir(parents=True, exist_ok=True)
    environment = {**LOCAL_ENVIRONMENT, **os.environ}
    honcho = str(PROJECT_ROOT / ".venv" / "bin" / "honcho")
    os.chdir(PROJECT_ROOT)
    os.execve(honcho, [honcho, "start", "-f", "Procfile"], environment)  # noqa: S606


if __name__ == "__main__":
    main()
