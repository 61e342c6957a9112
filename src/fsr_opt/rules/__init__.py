"""The rule set: its document format, validation, overrides and the money it determines.

`document` (pydantic models of the file and its JSON Schema), `values` (the readers of each
kind of value), `validate` (document -> `RuleSet`, every problem at once), `consistency`
(checks across sections), `overrides` (command-line values), `budgets` (set-asides, area
budgets, service targets), `lookup` (names and unit types). Import the module you need: this
package imports nothing, so that a command pays only for what it uses.
"""
