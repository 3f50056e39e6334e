"""The demo company on paper: departments, teams, people and touchpoints, as plain frames (no database).

Row positions are the identities: `teams.parent`, `people.team` and `touchpoints.team` hold the row
number of a team in `OrgPlan.teams` (-1 for none); the writer maps them to database ids.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

COMPANY_NAME = "Northwind Outfitters"
COMPANY_CODE = "NW"
DOMAIN = "northwind.example"


@dataclass(frozen=True)
class Department:
    """A department template; `families` are the customer touchpoint families its teams run."""

    code: str
    name: str
    weight: float
    names: tuple[str, ...]
    families: tuple[tuple[str, str], ...] = ()

    @property
    def customer_facing(self) -> bool:
        return bool(self.families)


CITIES = ("Leeds", "Glasgow", "Cardiff", "Bristol", "Manchester", "Belfast", "Newcastle", "Norwich",
          "York", "Brighton", "Aberdeen", "Exeter", "Oxford", "Liverpool", "Nottingham", "Plymouth")

# Order matters: the first three are customer-facing (about three teams in four), and a build with
# fewer departments drops from the end. lead1@ heads the first one, so their scope has many teams.
DEPARTMENTS = (
    Department("CARE", "Customer Care", 0.30, CITIES,
               (("Phone support", "phone"), ("Live chat", "chat"), ("Email support", "email"),
                ("Social care", "social"))),
    Department("RETAIL", "Retail Stores", 0.25, ("London flagship",) + CITIES, (("Store", "store"),)),
    Department("ECOM", "E-commerce", 0.20,
               ("Checkout", "Search & browse", "Delivery & returns", "Accounts", "Mobile app",
                "Product pages", "Payments", "Promotions"), (("Online store", "web"),)),
    Department("OPS", "Operations & Logistics", 0.13,
               ("Warehouse North", "Warehouse South", "Transport planning", "Inventory control",
                "Quality assurance", "Returns processing")),
    Department("HQ", "Head Office", 0.12,
               ("Finance", "People & HR", "Marketing", "Legal", "Buying", "Merchandising", "Facilities")),
    Department("TECH", "Product & Technology", 0.10,
               ("Platform", "Data", "Store systems", "Security", "IT service desk")),
)

FIRST_NAMES = ("Amara", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Isla", "Jonah", "Kemi",
               "Liam", "Maya", "Nikhil", "Olivia", "Pavel", "Quinn", "Rosa", "Samir", "Tara", "Umar",
               "Vera", "Wes", "Xena", "Yusuf", "Zara", "Aidan", "Bea", "Callum", "Dina", "Ewan", "Freya",
               "Gabriel", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Marco", "Noor")
LAST_NAMES = ("Adams", "Baker", "Chen", "Davies", "Evans", "Fischer", "Garcia", "Hughes", "Iqbal",
              "Jones", "Khan", "Lewis", "Murphy", "Novak", "Okafor", "Patel", "Quigley", "Rossi", "Smith",
              "Taylor", "Usman", "Varga", "Walsh", "Xu", "Young", "Zielinski", "Ahmed", "Brennan",
              "Campbell", "Dubois", "Ellis", "Foster", "Grant", "Hall", "Ito", "Jensen", "Kowalski")


@dataclass(frozen=True)
class OrgPlan:
    """The organisation to build: teams, people (employees and staff) and touchpoints."""

    teams: pd.DataFrame        # code, name, parent, level, department, customer_facing, lead
    people: pd.DataFrame       # email, name, role, team
    touchpoints: pd.DataFrame  # code, name, channel, team, family

    @property
    def leaf_teams(self) -> np.ndarray:
        """Row numbers of the teams that have employees (the level below departments)."""
        return np.flatnonzero(self.teams["level"].to_numpy() == "team")


def department_count(n_teams: int) -> int:
    """4 departments for tiny builds, 5 for the normal demo, 6 for big ones."""
    return 4 if n_teams < 12 else 5 if n_teams < 100 else 6


def _allocate(n_teams: int, departments: tuple[Department, ...]) -> list[int]:
    # Largest remainder, ties broken by department order, at least one team each.
    weights = np.array([d.weight for d in departments])
    spare = n_teams - len(departments)
    exact = weights / weights.sum() * spare
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[: spare - counts.sum()]:
        counts[i] += 1
    return [int(c) + 1 for c in counts]


def _cycled(names: tuple[str, ...], k: int) -> str:
    base, cycle = names[k % len(names)], k // len(names)
    return base if cycle == 0 else f"{base} {cycle + 1}"


def plan_organisation(rng: np.random.Generator, n_teams: int, team_size: tuple[int, int]) -> OrgPlan:
    """Lay out the company: root → departments → `n_teams` teams of `team_size` employees plus a lead."""
    if n_teams < 4:
        raise ValueError("The demo needs at least 4 teams (one per department).")
    departments = DEPARTMENTS[: department_count(n_teams)]
    teams = [dict(code=COMPANY_CODE, name=COMPANY_NAME, parent=-1, level="company", department=-1,
                  customer_facing=False)]
    teams += [dict(code=d.code, name=d.name, parent=0, level="department", department=i,
                   customer_facing=d.customer_facing) for i, d in enumerate(departments)]
    touchpoints = []
    width = max(2, len(str(n_teams)))
    for di, (dept, count) in enumerate(zip(departments, _allocate(n_teams, departments))):
        for k in range(count):
            row = len(teams)
            if dept.code == "CARE":
                family, channel = dept.families[k % len(dept.families)]
                name = f"{family} {_cycled(dept.names, k // len(dept.families))}"
            else:
                family, channel = dept.families[0] if dept.families else ("", "")
                name = _cycled(dept.names, k)
                if dept.code == "RETAIL":
                    name = name if name.startswith("London") else f"{name} store"
            code = f"{dept.code}-{k + 1:0{width}d}"
            teams.append(dict(code=code, name=name, parent=1 + di, level="team", department=di,
                              customer_facing=dept.customer_facing))
            if dept.customer_facing:
                tp_name = name if dept.code != "ECOM" else f"Online store – {name}"
                touchpoints.append(dict(code=f"TP-{code}", name=tp_name, channel=channel, team=row,
                                        family=family))
    teams_df = pd.DataFrame(teams)
    people = _people(rng, teams_df, team_size, len(departments))
    lead = np.full(len(teams_df), -1)
    leads = people.index[people["leads"] >= 0]
    lead[people.loc[leads, "leads"].to_numpy()] = leads.to_numpy()
    teams_df["lead"] = lead
    return OrgPlan(teams_df, people.drop(columns="leads"), pd.DataFrame(touchpoints))


def _people(rng: np.random.Generator, teams: pd.DataFrame, team_size: tuple[int, int],
            n_departments: int) -> pd.DataFrame:
    rows = [dict(email=f"hr@{DOMAIN}", name="Hana Rahman", role="hr_admin", team=-1, leads=-1),
            dict(email=f"exec@{DOMAIN}", name="Elliot Carver", role="executive", team=-1, leads=-1)]
    taken = {r["email"] for r in rows}
    for d in range(n_departments):
        rows.append(dict(email=f"lead{d + 1}@{DOMAIN}", name=None, role="team_lead", team=1 + d,
                         leads=1 + d))
    leaf = np.flatnonzero(teams["level"].to_numpy() == "team")
    sizes = rng.integers(team_size[0], team_size[1] + 1, size=len(leaf))
    for row, size in zip(leaf, sizes):
        rows.append(dict(email=f"lead.{teams.at[row, 'code'].lower()}@{DOMAIN}", name=None,
                         role="team_lead", team=int(row), leads=int(row)))
        rows += [dict(email=None, name=None, role="employee", team=int(row), leads=-1)
                 for _ in range(int(size))]
    firsts = rng.integers(0, len(FIRST_NAMES), size=len(rows))
    lasts = rng.integers(0, len(LAST_NAMES), size=len(rows))
    for row, first, last in zip(rows, firsts, lasts):
        if row["name"] is None:
            row["name"] = f"{FIRST_NAMES[first]} {LAST_NAMES[last]}"
        if row["email"] is None:
            row["email"] = _unique_email(row["name"], taken)
        taken.add(row["email"])
    return pd.DataFrame(rows)


def _unique_email(name: str, taken: set[str]) -> str:
    stem = name.lower().replace(" ", ".")
    email, n = f"{stem}@{DOMAIN}", 1
    while email in taken:
        n += 1
        email = f"{stem}{n}@{DOMAIN}"
    return email
