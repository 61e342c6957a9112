"""The rule set: its document format, validation, overrides, budgets and targets."""
