"""Regression scenarios: the scenario file format (`advisor answer` input, golden expectations) and the checker
behind `advisor check`."""
