"""`redress`: the operator's command line (topics, lag, dead letters, rebuilds, retention, keys,
staff, development tokens). An operator tool above the services: it calls their public entry
points the way their `python -m` commands do, and is never imported by them."""
