"""A Flask application and its tables: Flask is in the project's .venv only, not in the
environment pre-commit makes for the hook."""

from flask import Flask
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, Text

app = Flask(__name__)

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", Text, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
)
