"""Helpdesk: tickets, agents and comments."""
