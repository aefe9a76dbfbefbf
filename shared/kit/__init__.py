"""The service kit: what every service's layers would otherwise repeat.

- `pages`: the Jinja environments for HTML pages and plain-text mail, and rendering a page.
- `state`: typed access to what a service's `app.py` hands its routes on `app.state`.
- `tables`: a store's metadata header (with the outbox and inbox tables) and dialect-aware inserts.
- `work`: the unit of work a use case runs in (its stores, its outgoing events, one transaction),
  so use cases can be tested on in-memory fakes (tests/kit/work.py).
- `events`: reading an incoming event's payload as the type a consumer expects.
"""
