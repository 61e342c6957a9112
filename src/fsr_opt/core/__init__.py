"""Foundations every layer uses: the error hierarchy, money in cents, the shared types, words."""
