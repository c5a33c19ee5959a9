"""Doctest collection: the xlwings Server project and the served scripts import xlwings Server,
which reads its settings once, when first imported; tests/test_server.py imports them after
configuring it, so they are not imported for their doctests here."""

collect_ignore = ["project", "scripts.py"]
