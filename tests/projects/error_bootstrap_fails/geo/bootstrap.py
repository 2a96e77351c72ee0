"""A new database: the tables, and the countries every other table refers to."""

import csv

import sqlalchemy as sa

metadata = sa.MetaData()
countries = sa.Table(
    "countries",
    metadata,
    sa.Column("code", sa.String(2), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
)


def create_schema(connection):
    metadata.create_all(connection)
    with open("data/countries.csv", newline="") as file:
        rows = [{"code": code, "name": name} for code, name in csv.reader(file)]
    connection.execute(countries.insert(), rows)
