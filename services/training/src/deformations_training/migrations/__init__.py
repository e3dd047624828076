"""SQL migrations of the training schema, applied in file-name order by the runtime."""
