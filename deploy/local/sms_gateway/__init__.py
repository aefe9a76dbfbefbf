"""Local SMS gateway that speaks the Twilio and GOV.UK Notify APIs (docs/design.md §7).

Run it with `python -m deploy.local.sms_gateway --port 8025 --dir .local/sms`. Every accepted text
is kept as a JSON file in the directory; nothing is sent to a phone.

Recipients are simulated as Notify's test key does
(docs/reference/notify-anchor.md §1 "Simulated / research"):
07700900002 fails permanently, 07700900003 fails temporarily, anything else is delivered. When a
callback URL is known (Twilio's per-message `StatusCallback`, or `--callback-url` for the Notify
API, which Notify configures per service rather than per message) a delivery receipt is posted to
it shortly after the message is accepted, authenticated as the real providers do: Twilio-style
receipts carry `X-Twilio-Signature` made with the auth token the message was sent with, and
Notify-style receipts carry `Authorization: Bearer <--callback-bearer-token>`.

Control endpoints for tests: `GET /_messages` lists the stored texts, `POST /_outage {"down": true}`
makes both provider APIs answer 503 until it is called again with `false`.

The package: `texts` (what every API shares: simulated recipients, fragments, the texts on disk,
receipts), `twilio` and `notify` (one module per provider API), `app` (the application and ways
to run it). `python -m deploy.local.sms_gateway` runs `__main__`.
"""

from deploy.local.sms_gateway.app import (
    RunningGateway,
    create_app,
    main,
    parse_arguments,
    running_gateway,
    serve_in_background,
)
from deploy.local.sms_gateway.texts import (
    Outcome,
    StoredText,
    fragment_count,
    load_texts,
    normalise_phone_number,
    simulated_outcome,
)
from deploy.local.sms_gateway.twilio import new_account_sid, twilio_signature

__all__ = [
    "Outcome",
    "RunningGateway",
    "StoredText",
    "create_app",
    "fragment_count",
    "load_texts",
    "main",
    "new_account_sid",
    "normalise_phone_number",
    "parse_arguments",
    "running_gateway",
    "serve_in_background",
    "simulated_outcome",
    "twilio_signature",
]
