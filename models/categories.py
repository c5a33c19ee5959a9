"""The labels the DfE monitoring return counts EHC plans by (RETURN.md, "EHCP numbers").

Shared by the return, the DfE statistics readers and the caseload counts, so a
label is spelt once.
"""

from __future__ import annotations

#: The DSG management plan's seven placement categories, in return order.
PLACEMENT_CATEGORIES: tuple[str, ...] = (
    "Mainstream schools or academies",
    "Resourced provision or SEN units",
    "Maintained special schools or special academies",
    "NMSS or independent",
    "Hospital schools or alternative provision",
    "Post 16 and further education",
    "Other placements or direct payments",
)

#: The row that totals the placement categories.
TOTAL = "Total"

#: Age groups (age on 31 August before the January census, the SEN2 rule).
AGE_GROUPS: tuple[str, ...] = (
    "Under 5",
    "Age 5 to 10",
    "Age 11 to 15",
    "Age 16 to 19",
    "Age 20 to 25",
)

#: The row that totals the age groups.
TOTAL_BY_AGE = "Total by age group"

#: (lowest age, highest age) of each age group, inclusive.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "Under 5": (0, 4),
    "Age 5 to 10": (5, 10),
    "Age 11 to 15": (11, 15),
    "Age 16 to 19": (16, 19),
    "Age 20 to 25": (20, 25),
}


def age_group(age: int) -> str | None:
    """The age group of a whole age in years, or None outside 0-25.

    >>> age_group(4), age_group(5), age_group(25), age_group(26)
    ('Under 5', 'Age 5 to 10', 'Age 20 to 25', None)
    """
    for label, (low, high) in AGE_BANDS.items():
        if low <= age <= high:
            return label
    return None
