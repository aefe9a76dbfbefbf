"""Helpers every kind of test shares (each was once defined in two or more test packages).

- `apps`: run a service in process (its lifespan, an HTTP client; or on a real port), staff tokens
  (and unsigned ones), row counts of a service's tables.
- `kafka`: publish real events, start consumer groups at the end of shared topics, read topics.
- `waiting`: wait for something that happens elsewhere (async and sync).
- `clock`: a clock a test sets by hand.
- `mail`: read the text of a mail.
- `work`: the in-memory unit of work that use-case unit tests run on (with `fakes/`).
"""
