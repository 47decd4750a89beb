"""Placeholder: the plugin's issue replaces this module."""


def register():
    """Connect nothing yet."""
