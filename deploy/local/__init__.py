"""Local stand-ins for the outside world used by `make run` and the tests (DESIGN section 7).

`mail_server` is an SMTP server that keeps every mail as an .eml file; `sms_gateway` speaks the
Twilio and GOV.UK Notify SMS APIs and keeps every text as a JSON file. Both simulate Notify's test
recipients (notify-anchor.md, "Simulated / research") so failure paths can be exercised locally.
"""
