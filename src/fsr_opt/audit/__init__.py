"""The audit: every rule re-checked in exact integers, without a solver."""
