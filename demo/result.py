"""What a demo build made, and the text `tandem demo` prints about it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Login:
    """A staff account worth trying, with what it can see."""

    email: str
    role: str
    scope: str


@dataclass(frozen=True)
class DemoResult:
    """Counts of everything a demo build inserted, and the logins to try."""

    company: str
    seed: int
    departments: int
    teams: int
    employees: int
    staff: int
    touchpoints: int
    touchpoint_families: int
    wave_labels: tuple[str, ...]
    invitations: int
    employee_responses: int
    customer_responses: int
    answers: int
    actions: int
    logins: tuple[Login, ...]
    password: str
    goals: int = 0
    worked: tuple[str, ...] = ()   # titles of the actions planted to work
    overdue: int = 0

    def describe(self) -> str:
        """Multi-line summary: what was built, the planted effects and how to sign in."""
        waves = f"{len(self.wave_labels)} monthly waves {self.wave_labels[0]} … {self.wave_labels[-1]}"
        rate = self.employee_responses / self.invitations if self.invitations else 0.0
        width = max(len(login.email) for login in self.logins)
        lines = [
            f"Built the demo organisation {self.company} (seed {self.seed}):",
            f"  {self.teams:,} teams in {self.departments} departments, {self.employees:,} employees, "
            f"{self.staff:,} staff accounts",
            f"  {self.touchpoints:,} customer touchpoints in {self.touchpoint_families} channel families",
            f"  engagement-pulse: {waves}, {self.invitations:,} invitations, "
            f"{self.employee_responses:,} responses ({rate:.0%})",
            f"  cx-always-on: {waves}, {self.customer_responses:,} customer responses",
            f"  {self.answers:,} answers, {self.actions} improvement actions ({self.overdue} overdue), "
            f"{self.goals} goals",
            "Planted effects: engagement and process in month t drive CSAT, NPS and CES in month t+1;",
            "  culture, people and technology have no effect on customers.",
        ]
        if self.worked:
            lines.append("Improvement actions planted to work (nothing was planted for the others):")
            lines += [f"  {title}" for title in self.worked]
        lines.append(f"Sign in with password {self.password}:")
        lines += [f"  {login.email:<{width}}  {login.role:<10}  {login.scope}" for login in self.logins]
        return "\n".join(lines)
