"""SQL migrations of the lending schema, applied in file-name order by the runtime."""
