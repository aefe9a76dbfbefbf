"""Documents kept by a service (issue 16): safe input (`checks`), sealing (`sealing`), where the
sealed bytes live (`blobs`), envelope encryption over them (`vault`) and their configuration
(`settings`). Each service keeps its own documents under its own prefix, in its own rows."""
