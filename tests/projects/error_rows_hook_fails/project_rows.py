"""A rows hook with a bug."""


def rows(connection, revision):
    if revision == "0002":
        return 1 / 0
