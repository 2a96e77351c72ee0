"""The deploy check (MC701): the release running in production against the new schema."""
