"""In-memory fakes of each service's stores, one module per service, for use-case unit tests.

Each fake keeps the behaviour its use cases rely on (what the real store finds, refuses or
changes: unique keys, compare-and-set updates, ordering), checked against the same rules the
integration tests prove on SQLite and PostgreSQL.
"""
