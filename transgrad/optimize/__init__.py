"""Passes over generated code that keep its meaning and make it smaller."""
