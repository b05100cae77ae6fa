"""The ledger's own gazetteer: `sitrep places` imports GeoNames country dumps and ACLED-style CSVs."""
