"""The project's rows: labels, which generated values cannot fill (their CHECK)."""


def rows(connection, revision):
    if revision == "0003":
        connection.exec_driver_sql("INSERT INTO labels (name) VALUES ('kind:bug'), ('kind:idea')")
