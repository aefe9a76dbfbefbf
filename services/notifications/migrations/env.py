from services.notifications.instance_store import sender_instances
from services.notifications.store import metadata
from shared.migrations import run_env

assert sender_instances.metadata is metadata  # imported to register its table
run_env(metadata)
