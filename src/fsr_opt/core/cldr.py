"""The CLDR number symbols of each language, compiled from Babel by `make catalogue`.

Do not edit: ``python -m scripts.catalogue`` writes this file from Babel's locale data
(tests/core/test_catalogue.py fails when the two differ). `fsr_opt.core.words` lays out
amounts, ratios and dates with them instead of loading Babel's data in every command.
"""

SYMBOLS: dict[str, tuple[str, str, str]] = {"en": ("-", ",", "."), "it": ("-", ".", ",")}
"""Per language: the minus sign, the thousands separator, the decimal separator."""
