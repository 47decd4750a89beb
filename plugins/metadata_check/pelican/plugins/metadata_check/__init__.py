"""metadata_check: a Date or Modified Pelican cannot read, named and explained."""

from .metadata_check import register

__all__ = ["register"]
