"""Importers for published geography data: IMD File 7, Census 2021 topic summaries, ONSPD/NSPL.

Each reads a real published CSV layout, checks the whole file first and then
writes it in one transaction with one audit event (see base.py). The
management commands import_imd, import_census and import_postcodes run them.
"""
