"""The inbound email channel: mail to the complaints address becomes a complaint.

- `listener.py`: the SMTP listener (aiosmtpd), an entry point like api.py.
- `receiving.py`: the use case: a mail is registered as a complaint, or kept while we ask for
  what is missing, and the questions are sent.
- `reading.py`, `facts.py`, `questions.py`: pure: a mail's text and sender, the facts written in
  it, and what is still missing and how we ask for it.
"""
