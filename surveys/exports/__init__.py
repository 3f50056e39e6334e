"""Files Tandem writes for people to open elsewhere (CSV), safe to open in a spreadsheet."""
