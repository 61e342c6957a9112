"""The one family of modules that touches the file system: inputs in, outputs out.

`cells` (the one cell parser), `source` (bytes, limits, encodings), `csvfile` and `xlsx`
(records of a file), `tables` (a raw table under its headings), `units`, `allocation` and
`manifest` (the tables fsr-opt reads), `rulefile` (rule-set documents), `outputs` (atomic
writes), `bundled` (the shipped rule sets and example).
"""
