"""Test set-up for every package (the doctests of models/, workbooks/ and addin/, and tests/).

xlwings picks its decorators when it is first imported: with
``XLWINGS_ON_SERVER=true`` they are the Office.js / xlwings Server ones, which
is how the add-in's functions are exercised on Linux. The variables are set
here, before any module imports xlwings.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
