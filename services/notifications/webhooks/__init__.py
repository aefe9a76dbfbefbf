"""Webhooks: public case events delivered to registered HTTPS endpoints (docs/design.md §8)."""
