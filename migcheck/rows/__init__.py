"""Rows in the walk's tables: generated before each revision (``seed``), read and compared
around its steps (``compare``), so that what only fails or loses data with rows shows."""
