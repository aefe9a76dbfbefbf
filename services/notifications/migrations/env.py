from services.notifications.instance_store import sender_instances
from services.notifications.store import metadata
from services.notifications.webhooks.tables import webhook_endpoints
from shared.migrations import run_env

assert sender_instances.metadata is metadata  # imported to register its table
assert webhook_endpoints.metadata is metadata  # likewise
run_env(metadata)
