"""Rasa custom actions and form validators: thin, they call civic/ services."""
