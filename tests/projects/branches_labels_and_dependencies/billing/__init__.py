"""Billing: its own migration branch, labelled \"billing\"."""
