"""The embedded example: Cambridgeshire's model workbook at 2024-25 Q2.

Built by the same code as every council's model (:mod:`workbooks.model_builder`)
from three kinds of figure, each labelled with its source on the workbook's
``Sources`` sheet:

- the committee report "Safety Valve Programme Update", Cambridgeshire County
  Council Children and Young People Committee, 26 November 2024
  (``../shared/context/committee-report.txt``), cited by paragraph;
- public DfE / ESFA statistics, typed in as figures (the files are not
  copied), cited by release, file and column;
- public placement-cost figures, cited by publisher.

Where no source gives a figure the model needs, the figure is an assumption
and says so. The figures are whole pounds, so the report's totals come out
exactly:

- GBP 40,015,000 cumulative DSG deficit brought forward into 2024-25
  (report 6.1): opening deficit into 2023-24 53,515,000 + 2023-24 in-year
  deficit 8,000,000 - DfE payments received 21,500,000;
- 2024-25 in-year deficit 11,730,000 (report 6.1): Section 251 forecast
  outturn 107,057,388 - High Needs Block income 90,527,388 - transfer
  4,800,000; nothing contributed in 2024-25 (payments paused, 3.6), so
  51,745,000 carried forward;
- 1% transfers of 4,500,000 (2023-24) and 4,800,000 (2024-25) (3.16);
- DfE revenue 49,000,000 agreed, 21,500,000 received, 27,500,000 outstanding
  (3.3, 3.8); council contribution 9,000,000 (3.3).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL
from models.forecast_growth import FORECAST
from workbooks.model_builder import HIGH_NEEDS_LINES, ModelSpec, write_model

__all__ = ["EXAMPLE_PATH", "REPORT", "example_spec", "build_example"]

#: Where the package keeps the example.
EXAMPLE_PATH = Path(__file__).resolve().parent / "examples" / "cambridgeshire.xlsx"

REPORT = (
    "Cambridgeshire County Council, Children and Young People Committee, "
    "'Safety Valve Programme Update', 26 November 2024"
)
DFE_EHCP = (
    "DfE 'Education, health and care plans' (June 2025 release), caseload.csv, "
    "Cambridgeshire (old_la_code 873), 'All EHC plans'"
)
ESFA_DSG = (
    "ESFA 'Dedicated schools grant: 2023 to 2024 financial year allocations' "
    "(July 2023 version), Allocations_summary, Cambridgeshire (873)"
)

YEARS = ("2023-24", "2024-25", "2025-26", "2026-27", "2027-28")
CENSUS_YEARS = [2019, 2020, 2021, 2022, 2023, 2024, 2025]


def _grow(value: int, rate: str) -> int:
    """value x (1 + rate) in whole pounds, rounded half-up."""
    return int((Decimal(value) * (1 + Decimal(rate))).quantize(Decimal(1), ROUND_HALF_UP))


# Opening position and the 2023-24 outturn -----------------------------------
OPENING_DEFICIT = 53_515_000  # into 2023-24: balancing figure (see Sources)
IN_YEAR_DEFICIT_2023_24 = 8_000_000  # assumption (see Sources)
DFE_RECEIVED = 21_500_000  # report 3.8
DFE_AGREED = 49_000_000  # report 3.3
COUNCIL_CONTRIBUTION = 9_000_000  # report 3.3
IN_YEAR_DEFICIT_2024_25 = 11_730_000  # report 6.1

# High Needs Block income after deductions ------------------------------------
HNB_2023_24 = 87_550_665  # ESFA 2023-24, hnb_after_deductions
HNB = [HNB_2023_24]
for _rate in ("0.034", "0.03", "0.025", "0.025"):  # 3.4% in 2024-25 (report 3.27), then slower
    HNB.append(_grow(HNB[-1], _rate))

# Schools block: the report's 1% transfers of 4.5m and 4.8m imply 450m and 480m.
SCHOOLS_BLOCK = [450_000_000, 480_000_000]
for _ in range(3):
    SCHOOLS_BLOCK.append(_grow(SCHOOLS_BLOCK[-1], "0.03"))
TRANSFER_RATE = 0.01
# Schools forum: the 2023-24 and 2024-25 transfers were agreed (report 3.16); later years go to
# the forum each year (3.15), not yet decided.
FORUM_DECISION = ["Approved", "Approved", None, None, None]

# Special schools: what a plan in a maintained special school or special academy costs the High
# Needs Block on the after-deductions basis, from DfE's High Needs benchmarking tool for
# Cambridgeshire (Section 251 outturn 2020-21, place funding + top-up for special schools, over the
# January 2021 plans: (5,184,165 + 17,906,341) / 1,415; tests/test_example_sources.py reads it),
# uprated at the example's 3% a year to 2023-24.
SPECIAL_COST_2020_21 = 16_318
SPECIAL_COST = _grow(_grow(_grow(SPECIAL_COST_2020_21, "0.03"), "0.03"), "0.03")  # 17,831

# Placements: January 2024 EHC plans by placement (DfE), annual cost per place.
# Growth 'forecast': each placement grows at its category's P50 growth in EHCPForecast.
PLACEMENTS = [
    # category, count (Jan 2024), cost per place, growth, inflation
    (PLACEMENT_CATEGORIES[0], 3254, 8_662, FORECAST, 0.03),
    (PLACEMENT_CATEGORIES[1], 256, 12_000, FORECAST, 0.03),
    (PLACEMENT_CATEGORIES[2], 1686, SPECIAL_COST, FORECAST, 0.03),
    (PLACEMENT_CATEGORIES[3], 335, 63_000, FORECAST, 0.04),
    (PLACEMENT_CATEGORIES[4], 1, 20_000, FORECAST, 0.03),
    (PLACEMENT_CATEGORIES[5], 950, 8_662, FORECAST, 0.03),
    (PLACEMENT_CATEGORIES[6], 836, 5_000, FORECAST, 0.03),
]
BASE_PLACEMENT_SPEND = sum(count * cost for _, count, cost, _, _ in PLACEMENTS)  # 93,981,766

# 2023-24 High Needs expenditure = placements + other high needs spend, chosen
# so that the 2023-24 in-year deficit is IN_YEAR_DEFICIT_2023_24.
SPEND_2023_24 = IN_YEAR_DEFICIT_2023_24 + HNB_2023_24 + SCHOOLS_BLOCK[0] // 100
OTHER_HIGH_NEEDS = [SPEND_2023_24 - BASE_PLACEMENT_SPEND]  # 6,068,899
for _ in range(4):
    OTHER_HIGH_NEEDS.append(_grow(OTHER_HIGH_NEEDS[-1], "0.02"))

COUNCIL_BY_YEAR = [0, 0, 3_000_000, 3_000_000, 3_000_000]
# Due: the payments the agreement had released by the 2024-25 review, and the remaining £27.5m,
# which DfE held back there (report 3.6: the programme paused; 3.8: the remaining £27.5m to be
# released in instalments subject to a renegotiated agreement): due in 2024-25, not received.
DFE_DUE = [21_500_000, 27_500_000, 0, 0, 0]
DFE_RECEIVED_BY_YEAR = [21_500_000, 0, 0, 0, 0]
# Expected: nothing in 2024-25 (paused, report 3.6, 6.1); the £27.5m released in instalments once
# the renegotiated plan is agreed (3.7, 3.8), over 2025-26 to 2027-28.
DFE_EXPECTED = [21_500_000, 0, 13_750_000, 6_875_000, 6_875_000]
AGREED_CUMULATIVE = [36_000_000, 27_000_000, 18_000_000, 9_000_000, 0]

# New places (report 3.17: ERB 198 and special school 530 by 2027/28).
MOVES = []
for _year, _special in (("2025-26", 120), ("2026-27", 180), ("2027-28", 230)):
    MOVES += [
        [PLACEMENT_CATEGORIES[1], _year, 66],
        [PLACEMENT_CATEGORIES[2], _year, _special],
        [PLACEMENT_CATEGORIES[3], _year, -30],
        [PLACEMENT_CATEGORIES[0], _year, -(66 + _special - 30)],
    ]

# Section 251 high needs lines, 2024-25: (budget, forecast outturn).
HIGH_NEEDS_2024_25 = {
    "1.0.2": (17_600_000, 17_600_000),
    "1.2.1": (22_000_000, 24_500_000),
    "1.2.2": (24_500_000, 27_900_000),
    "1.2.3": (14_000_000, 19_800_000),
    "1.2.4": (1_200_000, 1_200_000),
    "1.2.5": (3_800_000, 3_900_000),
    "1.2.6": (1_100_000, 1_100_000),
    "1.2.7": (4_000_000, 5_300_000),
    "1.2.8": (1_500_000, 1_500_000),
    "1.2.9": (0, 0),
    "1.2.10": (0, 0),
    "1.2.11": (500_000, 600_000),
}
SPEND_2024_25 = IN_YEAR_DEFICIT_2024_25 + HNB[1] + SCHOOLS_BLOCK[1] // 100  # 107,057,388
HIGH_NEEDS_2024_25["1.2.13"] = (
    3_000_000,
    SPEND_2024_25 - sum(f for _, f in HIGH_NEEDS_2024_25.values()),
)

# EHC plans at January (DfE SEN2), by the return's placement categories as DfE's High
# Needs benchmarking tool maps them (independent mainstream schools in NMSS or independent;
# January 2021 is the tool's 2,060 and 225, Outturn data 202122.xlsx, columns H and K).
EHCP_HISTORY = {
    2019: [1697, 22, 1181, 190, 1, 751, 356],
    2020: [1897, 31, 1299, 237, 1, 827, 398],
    2021: [2060, 201, 1415, 225, 0, 1020, 371],
    2022: [2278, 202, 1485, 227, 2, 1018, 888],
    2023: [2934, 231, 1575, 275, 2, 1200, 755],
    2024: [3254, 256, 1686, 335, 1, 950, 836],
    # January 2025: DfE total 8,007; placements not published for Cambridgeshire,
    # so split in the January 2024 shares (largest remainder).
    2025: [3560, 280, 1845, 367, 1, 1039, 915],
}
EHCP_PLAN = [3449, 271, 1787, 355, 1, 1007, 886]  # January 2024 x 1.06, half-up
#: DfE's January 2025 total for Cambridgeshire (its placements are suppressed).
EHCP_TOTAL_2025 = 8007

# The demand forecast (EHCPForecast): `dsg forecast --la 873 --origin 2025 --horizon 3`, the
# cohort model calibrated on DfE's files (settings k = 3000 plans, window 3, chosen on earlier
# origins), P10, P50, P90 for January 2026, 2027 and 2028. Cambridgeshire's January 2025
# placements are suppressed: the model takes their latest published shares (January 2024) of
# the January 2025 total. tests/test_forecast_growth.py recomputes these from the DfE files.
FORECAST_ORIGIN = 2025
EHCP_FORECAST_2025: dict[str, list[tuple[float, float, float]]] = {
    PLACEMENT_CATEGORIES[0]: [
        (3575.046945288222, 3926.6671036051052, 4614.797308663705),
        (3483.7572886491416, 4202.736201433602, 5804.76658423945),
        (3308.681358383151, 4384.110719154134, 7116.324028037102),
    ],
    PLACEMENT_CATEGORIES[1]: [
        (181.79601356625724, 282.2061214850009, 479.39283510615934),
        (115.98745464109209, 279.8090652940872, 806.9768060823612),
        (72.69348794213002, 273.05445124637214, 1336.5761474294623),
    ],
    PLACEMENT_CATEGORIES[2]: [
        (1778.455272188869, 1901.466683560665, 2042.4488721062476),
        (1696.5285798918349, 1939.3365412514797, 2237.569047013372),
        (1610.2121850212473, 1967.9862765013406, 2438.9607318111803),
    ],
    PLACEMENT_CATEGORIES[3]: [
        (339.8297170935989, 412.1657783631942, 502.1726432078793),
        (310.993233540214, 457.4784765635528, 678.9927921504554),
        (281.9020854611424, 502.96086732522656, 909.2796838715327),
    ],
    PLACEMENT_CATEGORIES[4]: [
        (5.327373539781494, 12.05718086041819, 23.590191120902002),
        (3.7568456129463232, 19.25680501517711, 70.84489537070154),
        (1.5815040986199573, 21.685620158251744, 150.52633166935843),
    ],
    PLACEMENT_CATEGORIES[5]: [
        (892.8756824229288, 1136.3616843912603, 1352.7555272460581),
        (790.7351419776235, 1280.8076640085383, 1814.9595160887463),
        (713.9125086303527, 1471.7102476186462, 2482.374723841275),
    ],
    PLACEMENT_CATEGORIES[6]: [
        (701.8861891740287, 1153.415127983799, 1837.1794652234469),
        (525.4315884620377, 1419.0248343445553, 3599.3750330627686),
        (388.67413273965053, 1725.3648117774815, 6968.63890265724),
    ],
    TOTAL: [
        (8331.182043779845, 8824.339680249443, 9345.480792508028),
        (8555.594913537789, 9598.449587910993, 10765.627997212989),
        (8707.293332398343, 10346.872993781451, 12290.394364307243),
    ],
}

EHCP_BY_AGE_JAN_2025 = [197, 2578, 3023, 1554, 655]

CONDITIONS = [
    (
        "Improve decision making on awarding Education Health and Care Plans (EHCPs) through "
        "developing a more consistent and transparent multi-agency decision making process",
        "Amber",
        "A new post-assessment panel and placement decision mechanisms have been introduced, but "
        "continuing increases in demand and staffing shortages have limited overall progress (report 3.17).",
    ),
    (
        "Develop a special schools outreach model to facilitate supporting children and young people "
        "with Special Educational Needs (SEN) in mainstream provision",
        "Amber",
        "120 special school and 8 ERB places delivered; 530 special school and 198 ERB places planned by "
        "2027/28 (3.17). Growing the ERB model from 1 SEMH base to 3 SEMH and 1 ASD is a first-phase "
        "deliverable (3.24).",
    ),
    (
        "Review current tuition packages to ensure appropriate and successful reintegration to "
        "mainstream school settings",
        "Amber",
        "Redistribution of alternative and independent specialist provision is a first-phase Inclusive "
        "Practices deliverable (3.24); increasing reintegration into mainstream from AP is a workstream "
        "measure (3.22).",
    ),
    (
        "Develop a model of investment in ordinarily available provision to support schools in meeting "
        "need without an EHCP, including a system for funding which will provide consistent resources "
        "and support across a graduated approach to need including those pupils without an EHCP",
        "Green",
        "OAP toolkit developed and launched, with a threefold increase in uptake: 25,423 visitors and "
        "223,915 page views since 1 March 2023 (3.17).",
    ),
    (
        "Review the Needs Assessment and Post-Assessment process to ensure appropriate and consistent "
        "provision is put into place",
        "Amber",
        "Post-assessment panel introduced (3.17); data quality issues since the move to the CACI Impulse "
        "Nexus case management system continue to affect reporting (3.27). A full SEND end to end review "
        "is planned (3.30).",
    ),
    (
        "Strengthen processes around mediation and dispute resolution in order to reduce the requirement "
        "for tribunals",
        "Amber",
        "Fewer mediation and tribunal requests is a measure of the Inclusive Services workstream (3.22); "
        "the report gives no figures yet.",
    ),
    (
        "Increase independence of children and young people by targeting reviews to ensure provision is "
        "appropriate, meets needs and promotes independence",
        "Red",
        "The Preparing for Adulthood programme is reducing costs (3.17), but the Increasing Independence "
        "initiative has been re-scoped several times because of staffing shortages (3.27).",
    ),
    (
        "Continue offering free access to the SEND District Team support to identify training needs, "
        "emerging themes and focus less on individualised support and more on upskilling staff knowledge "
        "and skills in all areas of SEND",
        "Green",
        "Schools have access to advice, training and the OAP toolkit; more schools follow trauma informed "
        "and therapeutic thinking approaches (3.18).",
    ),
]

# Mitigations: the savings the plan counts on, by workstream and year (assumptions: the report
# names the workstreams but gives no savings by year). The Funding and Placements inputs are the
# mitigated plan (the Moves above carry the new places), so these figures change none of its
# figures. Delivered saving is 0: every year is after the current year, 2024-25.
# (workstream, report paragraphs, {year: (planned saving, confidence, RAG)})
MITIGATIONS: list[tuple[str, str, dict[str, tuple[int, float, str]]]] = [
    (
        "Enhanced Resource Base (ERB) places instead of out of county placements",
        "3.16, 3.17, 3.24",
        {
            "2025-26": (600_000, 0.7, "Amber"),
            "2026-27": (1_200_000, 0.6, "Amber"),
            "2027-28": (1_800_000, 0.6, "Amber"),
        },
    ),
    (
        "Special school places (Gamlingay free school, 530 places by 2027/28)",
        "3.3, 3.16, 3.17",
        {
            "2025-26": (1_000_000, 0.75, "Amber"),
            "2026-27": (2_000_000, 0.65, "Amber"),
            "2027-28": (3_000_000, 0.6, "Amber"),
        },
    ),
    (
        "Inclusion for All: Inclusive Practices (OAP, SEND support in mainstream)",
        "3.20-3.24, 3.27",
        {
            "2025-26": (500_000, 0.5, "Amber"),
            "2026-27": (1_000_000, 0.4, "Red"),
            "2027-28": (1_500_000, 0.4, "Red"),
        },
    ),
    (
        "Preparing for Adulthood: post-16 transitions",
        "3.17",
        {
            "2025-26": (300_000, 0.85, "Green"),
            "2026-27": (400_000, 0.8, "Green"),
            "2027-28": (500_000, 0.8, "Green"),
        },
    ),
]

# The 2026 deficit write-off (METHOD.md, DEFICIT_WRITE_OFF): the High Needs Stability Grant
# paid in 2026-27 writes off 90% of the deficit at 31 March 2026; the override ends 2027-28.
WRITE_OFF_YEAR = "2026-27"
WRITE_OFF_SHARE = 0.9
OVERRIDE_END = "2027-28"
# Usable reserves: an assumption (the report gives no figure; see Sources).
USABLE_RESERVES = 30_000_000


def mitigation_rows() -> list[list[object]]:
    """Mitigations: one row per workstream and year, Delivered saving 0 (every year to come)."""
    return [
        [name, year, planned, 0, confidence, rag]
        for name, _, by_year in MITIGATIONS
        for year, (planned, confidence, rag) in by_year.items()
    ]


def _mitigation_sources() -> list[tuple[str, ...]]:
    """A Sources row for each workstream and the write-off Settings, each an assumption."""
    rows: list[tuple[str, ...]] = []
    for name, paragraphs, by_year in MITIGATIONS:
        figures = "; ".join(
            f"{year} {planned:,} at {confidence:.0%} ({rag})"
            for year, (planned, confidence, rag) in by_year.items()
        )
        rows.append(
            (
                f"Mitigation: {name}",
                figures,
                f"Workstream from {REPORT}, para {paragraphs}. Assumption: the report gives no "
                "saving by year; planned savings, confidence and RAG are illustrative. The "
                "plan's figures (Funding, Placements, Moves) already include them.",
                "Assumption",
                "Mitigations",
            )
        )
    rows += [
        (
            "Write-off year, share, override end",
            f"{WRITE_OFF_YEAR}, {WRITE_OFF_SHARE:.0%}, {OVERRIDE_END}",
            "The 2026 High Needs Stability Grant: 90% of the High Needs deficit built up to 31 "
            "March 2026 written off, paid in 2026-27, conditional on an approved local SEND reform "
            "plan; the statutory override runs to the end of 2027-28 (METHOD.md, "
            "DEFICIT_WRITE_OFF). Assumption: Cambridgeshire's reform plan is approved.",
            "Assumption",
            "Scenarios",
        ),
        (
            "Usable reserves",
            f"{USABLE_RESERVES:,}",
            "Assumption, illustrative: the report gives no reserves figure (it names only the "
            "£9m contribution from the Council's reserves, para 3.3); a round figure for a county "
            "council's usable general fund reserves, to be replaced by the council's latest "
            "Statement of Accounts.",
            "Assumption",
            "Scenarios",
        ),
    ]
    return rows


#: What each Sources row is (Status) and the return sheet it appears on, by item; any item
#: not listed is an Actual (a published figure). RETURN.md, Notes.
SOURCE_STATUS: dict[str, tuple[str, str]] = {
    "Opening cumulative deficit (into 2023-24)": ("Estimate", "Financial summary"),
    "2023-24 in-year deficit": ("Assumption", "Financial summary"),
    "High Needs Block income 2024-25": ("Estimate", "Financial summary"),
    "High Needs Block income 2025-26 to 2027-28": ("Assumption", "Financial summary"),
    "Schools block 2023-24, 2024-25": ("Estimate", "Block movements"),
    "Schools block 2025-26 to 2027-28": ("Assumption", "Block movements"),
    "Transfer rate": ("Plan", "Block movements"),
    "DfE payments received": ("Estimate", "Safety Valve"),
    "DfE payments due": ("Assumption", "Safety Valve"),
    "DfE payments expected": ("Assumption", "Safety Valve"),
    "Council contribution": ("Assumption", "Safety Valve"),
    "Agreed cumulative deficit profile": ("Assumption", "Safety Valve"),
    "Cost per place: mainstream, post 16": ("Estimate", "Financial summary"),
    "Cost per place: special schools": ("Estimate", "Financial summary"),
    "Cost per place: NMSS or independent": ("Estimate", "Financial summary"),
    "Cost per place: resourced provision, AP, other": ("Assumption", "Financial summary"),
    "Growth and inflation": ("Estimate", "Financial summary"),
    "EHCPForecast": ("Estimate", "Financial summary"),
    "Moves": ("Plan", "Financial summary"),
    "Other high needs spend": ("Estimate", "Financial summary"),
    "Section 251 lines 2024-25": ("Estimate", "High needs expenditure"),
    "EHC plans, January 2025 and the period actual": ("Estimate", "EHCP numbers"),
    "EHC plans, period plan": ("Assumption", "EHCP numbers"),
    "Conditions, RAG and commentary": ("Assumption", "Safety Valve"),
}


def _sources_with_status() -> list[tuple[str, ...]]:
    """Each Sources row with its Status and return sheet (:data:`SOURCE_STATUS`)."""
    return [(*row, *SOURCE_STATUS.get(row[0], ("Actual", ""))) for row in _sources()]


def _sources() -> list[tuple[str, str, str]]:
    hnl_total = sum(f for _, f in HIGH_NEEDS_2024_25.values())
    return [
        (
            "Local authority, LA code",
            "Cambridgeshire, 873",
            "DfE LA code (old_la_code) in " + DFE_EHCP,
        ),
        (
            "Return period, period end date",
            "2024-25 Q2, 30/09/2024",
            REPORT + ", para 6.1 ('To the end of September, the reported net DSG forecast').",
        ),
        (
            "Cumulative DSG deficit brought forward into 2024-25",
            "40,015,000",
            REPORT
            + ", para 6.1. The model reaches it as opening deficit + 2023-24 in-year deficit - "
            "2023-24 contributions.",
        ),
        (
            "Opening cumulative deficit (into 2023-24)",
            f"{OPENING_DEFICIT:,}",
            "Balancing figure: 40,015,000 - 8,000,000 + 21,500,000. Consistent with DfE's DSG deficit of "
            "7.33% of DSG at March 2022 (about 39.3m; DfE SEND-AP dashboard dsg_deficit_derived, S251 line "
            "1.9.3) plus a 2022-23 in-year deficit of about 14m; the report does not give it.",
        ),
        (
            "2023-24 in-year deficit",
            f"{IN_YEAR_DEFICIT_2023_24:,}",
            "Assumption: the report gives no 2023-24 outturn; chosen so that 2023-24 spend (placements + "
            "other high needs spend, 100,050,665) grows to the 2024-25 forecast (107,057,388) in line with "
            "the placement projection.",
        ),
        (
            "2024-25 in-year deficit (forecast)",
            f"{IN_YEAR_DEFICIT_2024_25:,}",
            REPORT + ", para 6.1 ('reported net DSG forecast is £11.730m'); no contribution in "
            "2024-25 because payments are paused (3.6, 3.8), so 51,745,000 is carried forward.",
        ),
        (
            "High Needs Block income 2023-24",
            f"{HNB_2023_24:,}",
            ESFA_DSG + ", hnb_after_deductions (before deductions 104,164,500).",
        ),
        (
            "High Needs Block income 2024-25",
            f"{HNB[1]:,}",
            "2023-24 x 1.034: the High Needs Block grew 'only 3.4% this year' (report 3.27); whole pounds, "
            "half-up.",
        ),
        (
            "High Needs Block income 2025-26 to 2027-28",
            ", ".join(f"{v:,}" for v in HNB[2:]),
            "Assumption: growth slows (report 3.27) to 3.0%, 2.5%, 2.5%.",
        ),
        (
            "Schools block 2023-24, 2024-25",
            "450,000,000; 480,000,000",
            "Implied by the report's 1% transfers of £4.5m and £4.8m (3.16); ESFA gives 452,819,986 "
            "before deductions for 2023-24 (" + ESFA_DSG + ").",
        ),
        (
            "Schools block 2025-26 to 2027-28",
            ", ".join(f"{v:,}" for v in SCHOOLS_BLOCK[2:]),
            "Assumption: +3% a year.",
        ),
        (
            "Transfer rate",
            "1% every year",
            "Report 3.15-3.16: the agreement is contingent on a 1% transfer approved each year; assumed "
            "to continue to 2027-28. Above 0.5%, so Secretary of State approval is needed (3.14).",
        ),
        (
            "Schools forum decision",
            "Approved 2023-24 and 2024-25; later years not yet decided",
            "Report 3.16 (the 1% transfers in 23/24 and 24/25 were agreed) and 3.15 (each year's "
            "transfer goes to the schools forum for support before the disapplication request).",
        ),
        ("DfE Safety Valve revenue", "49,000,000 agreed", REPORT + ", para 3.3."),
        (
            "DfE payments received",
            "21,500,000 in 2023-24; 0 since",
            "Report 3.8 ('received ... circa £21.5m'); the agreement was entered into in 2023 (2.1). "
            "Assumption: everything received is entered in 2023-24, the first year of the model; "
            "payments paused in 2024-25 (3.6).",
        ),
        (
            "DfE payments due",
            "21,500,000 (2023-24), 27,500,000 (2024-25)",
            "Report 3.6 (the programme paused at the 2024-25 review) and 3.8 (circa £21.5m received; "
            "'the remaining £27.5m to be released in instalments subject to the approval and "
            "delivery of a renegotiated agreement'): DfE holds back the whole remaining £27.5m, so "
            "the example books it as due in 2024-25 and not received: 27,500,000 withheld to date. "
            "The original agreement's instalment dates are not in the report (assumption).",
        ),
        (
            "DfE payments expected",
            "0 (2024-25), 13,750,000 (2025-26), then 6,875,000 a year",
            "Assumption: nothing in 2024-25 (payments paused, report 3.6, 6.1); once the "
            "renegotiated plan is agreed DfE continues the payments originally agreed (3.7) and "
            "releases the withheld £27.5m in instalments (3.8): half in 2025-26, a quarter in each "
            "later year.",
        ),
        (
            "Council contribution",
            "9,000,000: 3,000,000 a year 2025-26 to 2027-28",
            "Report 3.3 ('a contribution of £9m from the Council's reserves'); the spread is an assumption, "
            "nothing in 2024-25 (payments paused, report 6.1).",
        ),
        (
            "Agreed cumulative deficit profile",
            ", ".join(f"{v:,}" for v in AGREED_CUMULATIVE),
            "Illustrative: the agreement's profile is not published; a straight path to nil by 2027-28, "
            "as the programme intends (3.1).",
        ),
        (
            "Placements: counts",
            "January 2024 EHC plans by placement, total 7,318",
            DFE_EHCP
            + ", time_period 202324, mapped to the return's categories as DfE's High Needs "
            "benchmarking tool maps them (EHCP placement columns, 'Outturn data 202122.xlsx'): mainstream = "
            "la_maintained + academy + free_school; resourced provision/SEN units = the six "
            "*_resourced_provision and *_senunit columns; special = special_la_maintained + "
            "special_academy_free; NMSS/independent = special_independent + special_non_maintained + "
            "mainstream_independent (85 plans in independent mainstream schools); AP = ap_pru_total; "
            "post 16 = fe_total; other = the rest of the total.",
        ),
        (
            "Cost per place: mainstream, post 16",
            "8,662",
            "Lincolnshire County Council FOI response (January 2024), 2022/23 mean top-up for an EHC plan in "
            "mainstream; used for post 16 top-ups too (assumption).",
        ),
        (
            "Cost per place: special schools",
            f"{SPECIAL_COST:,}",
            "DfE High Needs benchmarking tool ('Outturn data 202122.xlsx'), Cambridgeshire: Section 251 "
            "outturn 2020-21 place funding (5,184,165) and top-up (17,906,341) for special schools and "
            "academies over the 1,415 plans in them in January 2021: 16,318 a plan, uprated 3% a year "
            "to 2023-24. This is the cost to the High Needs Block after deductions, the model's basis: "
            "academies' £10,000 place funding is paid by DfE and deducted before the block reaches the "
            "council. DfE's national figure (about £26,000 in 2023-24, parliamentary question 50389 as "
            "reported) includes that place funding, the before-deductions basis; adding £10,000 for "
            "each of Cambridgeshire's 955 academy plans gives 23,067 in 2020-21, in line with it.",
        ),
        (
            "Cost per place: NMSS or independent",
            "63,000",
            "DfE answer to parliamentary question 100030 (7 January 2026): cost per pupil with an EHC plan "
            "in independent and non-maintained special schools, 2023/24, England.",
        ),
        (
            "Cost per place: resourced provision, AP, other",
            "12,000; 20,000; 5,000",
            "Assumptions (no public per-place figure found): between mainstream and special; AP; other "
            "arrangements and direct payments.",
        ),
        (
            "Growth and inflation",
            "Growth 'forecast' (the P50 growth of each category in EHCPForecast); inflation 3% "
            "(4% NMSS)",
            "Growth: the cohort demand model's P50 for Cambridgeshire (dsg forecast --la 873 --origin "
            "2025), the compound average from January 2026 to January 2028 (8.3% a year in all, "
            "against DfE's 11.8% a year Jan 2019-Jan 2024 and the report's 12.8%, 3.27); see "
            "EHCPForecast. Inflation: assumptions; independent providers seek over-inflationary "
            "prices (5.1).",
        ),
        (
            "EHCPForecast",
            "P10, P50, P90 of EHC plans by category, January 2026-2028",
            "The cohort model (dsg forecast) calibrated on DfE 'Education, health and care plans' "
            "(2025 release: caseload by age and placement, new and ceased plans; 2022 release: "
            "caseload by age band) for every council; Cambridgeshire's January 2025 placements are "
            "suppressed by DfE, so the model takes their January 2024 shares of the January 2025 "
            "total (8,007). Actual: DfE's counts to January 2025 (placements empty for 2025).",
        ),
        (
            "Moves",
            "ERB +66 a year; special +120, +180, +230; NMSS -30 a year; mainstream balancing",
            "Report 3.17 (198 ERB and 530 special school places planned by 2027/28), 3.3 (Gamlingay special "
            "free school opening September 2025, March September 2026), 3.16 (new places avoid out of county "
            "placements). The mainstream reduction (net zero moves) is an assumption.",
        ),
        (
            "Other high needs spend",
            ", ".join(f"{v:,}" for v in OTHER_HIGH_NEEDS),
            "2023-24: balancing figure (2023-24 spend - placements); then +2% a year (assumption). Not used "
            "for 2024-25, the current year, where the Section 251 lines apply.",
        ),
        (
            "Section 251 lines 2024-25",
            f"forecast outturn {hnl_total:,}",
            "Illustrative split by line; the total is the report's forecast (11,730,000 + income 90,527,388 + "
            "transfer 4,800,000). 1.2.13 is the balancing line.",
        ),
        (
            "EHC plans, January 2019 to 2024",
            "4,198 ... 7,318",
            DFE_EHCP + ", mapped as for Placements.",
        ),
        (
            "EHC plans, January 2025 and the period actual",
            "8,007",
            DFE_EHCP
            + ", time_period 202425 total. DfE could not publish Cambridgeshire's 2025 placements "
            "(data guidance footnote 1): split in the January 2024 shares (assumption).",
        ),
        (
            "EHC plans by age, period actual",
            "197, 2,578, 3,023, 1,554, 655",
            "DfE 'Education, health and care plans' (June 2025), caseload.csv, 'Child or young persons age', "
            "time_period 202425, single ages summed into the return's age groups.",
        ),
        (
            "EHC plans, period plan",
            "January 2024 + 6%",
            "Illustrative: the agreement's EHCP plan is not published; the report says demand exceeded the "
            "forecast (3.6).",
        ),
        (
            "Conditions, RAG and commentary",
            "8 conditions",
            "Conditions: report 3.2 (verbatim). Commentary: report 3.17-3.30 as cited. RAG: a reading of that "
            "commentary; the report gives no RAG.",
        ),
        (
            "Capital funding",
            "11,300,000 (not in the model)",
            "Report 3.3; capital never enters the DSG revenue position.",
        ),
    ]


def forecast_rows() -> list[list[object]]:
    """EHCPForecast: DfE's counts to January 2025, then P10, P50, P90 to January 2028."""
    rows: list[list[object]] = []
    for i, cat in enumerate((*PLACEMENT_CATEGORIES, TOTAL)):
        for y in CENSUS_YEARS:
            actual: int | None
            if cat == TOTAL:
                actual = EHCP_TOTAL_2025 if y == 2025 else sum(EHCP_HISTORY[y])
            else:
                actual = None if y == 2025 else EHCP_HISTORY[y][i]  # 2025: suppressed by DfE
            rows.append([cat, y, actual, None, None, None])
        for h, (p10, p50, p90) in enumerate(EHCP_FORECAST_2025[cat]):
            rows.append([cat, FORECAST_ORIGIN + 1 + h, None, p10, p50, p90])
    return rows


def example_spec() -> ModelSpec:
    """Cambridgeshire's model inputs at 2024-25 Q2."""
    settings = {
        "Local authority": "Cambridgeshire",
        "LA code": "873",
        "Return period": "2024-25 Q2",
        "Period end date": dt.datetime(2024, 9, 30),
        "Prepared by": "Example model built from the committee report of 26 November 2024",
        "Opening cumulative deficit": OPENING_DEFICIT,
        "High Needs Block basis": "after deductions",
        "Write-off year": WRITE_OFF_YEAR,
        "Write-off share": WRITE_OFF_SHARE,
        "Override end": OVERRIDE_END,
        "Usable reserves": USABLE_RESERVES,
    }
    funding = [
        [
            year,
            HNB[k],
            SCHOOLS_BLOCK[k],
            TRANSFER_RATE,
            OTHER_HIGH_NEEDS[k],
            0,
            COUNCIL_BY_YEAR[k],
            0,
            FORUM_DECISION[k],
        ]
        for k, year in enumerate(YEARS)
    ]
    agreement = [
        [
            year,
            DFE_DUE[k],
            DFE_RECEIVED_BY_YEAR[k],
            COUNCIL_BY_YEAR[k],
            AGREED_CUMULATIVE[k],
            DFE_EXPECTED[k],
        ]
        for k, year in enumerate(YEARS)
    ]
    high_needs = []
    for line in HIGH_NEEDS_LINES:
        budget, forecast = HIGH_NEEDS_2024_25[line.split(" ", 1)[0]]
        high_needs.append([line, budget, forecast])
    history = [
        [cat] + [EHCP_HISTORY[y][i] for y in CENSUS_YEARS]
        for i, cat in enumerate(PLACEMENT_CATEGORIES)
    ]
    period = [
        [cat, EHCP_HISTORY[2025][i], EHCP_PLAN[i]] for i, cat in enumerate(PLACEMENT_CATEGORIES)
    ]
    return ModelSpec(
        settings=settings,
        funding_rows=funding,
        placements_rows=[list(p) for p in PLACEMENTS],
        moves_rows=[list(m) for m in MOVES],
        agreement_rows=agreement,
        high_needs_rows=high_needs,
        census_years=list(CENSUS_YEARS),
        ehcp_history_rows=history,
        ehcp_period_rows=period,
        ehcp_by_age_rows=[[a, n] for a, n in zip(AGE_GROUPS, EHCP_BY_AGE_JAN_2025, strict=True)],
        conditions_rows=[list(c) for c in CONDITIONS],
        sources=_sources_with_status() + _mitigation_sources(),
        title="High Needs / DSG model - Cambridgeshire (example, 2024-25 Q2)",
        ehcp_forecast_rows=forecast_rows(),
        mitigations_rows=mitigation_rows(),
    )


def with_last_refresh(spec: ModelSpec) -> ModelSpec:
    """``spec`` with its Refresh sheet's fan block as the refresh writes it for this model.

    The model is written to a temporary folder, read back and run as the refresh runs
    it (:func:`models.monitoring.monitoring_return`: 10,000 scenarios, seed 1), so the
    Dashboard's fan chart shows the example's scenarios in any spreadsheet program; the
    caption says when instead of a time, so the example stays the same from build to build.
    """
    import dataclasses
    import tempfile

    from models.monitoring import monitoring_return
    from workbooks.model_reader import read_model
    from workbooks.refresh_sheet import fan_caption, fan_rows

    with tempfile.TemporaryDirectory() as folder:
        inputs = read_model(write_model(spec, Path(folder) / "example.xlsx"))
    figures = monitoring_return(inputs)
    caption = fan_caption(
        figures.scenario_count, figures.scenario_seed, "when the example was built"
    )
    return dataclasses.replace(
        spec, scenario_rows=fan_rows(figures.scenarios_table), scenario_caption=caption
    )


def build_example(out: str | os.PathLike | None = None) -> Path:
    """Write the example workbook (default: the package's example path); returns the path."""
    return write_model(with_last_refresh(example_spec()), out or EXAMPLE_PATH, overwrite=True)
