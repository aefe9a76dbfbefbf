"""Local stand-ins for the outside world used by `make run` and the tests (docs/design.md §7).

`mail_server` is an SMTP server that keeps every mail as an .eml file; `sms_gateway` speaks the
Twilio and GOV.UK Notify SMS APIs and keeps every text as a JSON file. Both simulate Notify's test
recipients (docs/reference/notify-anchor.md §1 "Simulated / research") so failure paths can be
exercised locally.
"""
