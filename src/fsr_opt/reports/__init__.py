"""Reports for people and tables for machines: CSV rows, run.json, workbook, HTML, charts."""
