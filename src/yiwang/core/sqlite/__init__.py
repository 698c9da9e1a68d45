"""yiwang's SQLite database backend: Django's own, with the query text converted once."""
