"""The staff: an admin, and teams of a lead, as many collectors as the phone accounts need and a
field agent each."""

from __future__ import annotations

from typing import Any

from app.demo.people import People
from app.demo.records import Plan
from app.demo.rows import TEAM_COLUMNS, USER_COLUMNS, Sink, table
from app.demo.shape import chinese_number
from app.demo.state import DAY, DemoState, Part
from app.models import Team, User


class Staff(Part):
    """The users and teams, and who works (and leads) what; filled in by `write`."""

    def __init__(self, state: DemoState, people: People) -> None:
        super().__init__(state)
        self._people = people
        # Each collector's and field agent's team lead, and team.
        self.lead_of: dict[str, str] = {}
        self.team_of: dict[str, str] = {}
        # Field accounts in the order they were made: (loan id, agent id).
        self.field_loans: list[tuple[str, str]] = []
        self.collectors: list[str] = []
        self.field_agents: list[str] = []

    def write(self, sink: Sink, plans: list[Plan]) -> None:
        """Admin, and teams of a lead, the collectors the phone book needs and a field agent."""
        rng = self.rng
        state = self.state
        phone_accounts = sum(1 for p in plans if p.bucket is not None and not p.field)
        collectors = max(1, -(-phone_accounts // state.per_collector))
        per_team = int(self.shape.book["collectors_per_team"])
        team_count = -(-collectors // per_team)
        created = self.ts(self.as_of_sec - 800 * DAY)
        teams: list[tuple[Any, ...]] = []
        users: list[tuple[Any, ...]] = []
        usernames: set[str] = set()

        def user(role: str, team_id: str | None, username: str | None = None) -> str:
            surname, given, surname_py, given_py = self._people.person(rng.random() < 0.55)
            display = surname + given
            if username is None:
                stem = f"{surname_py}.{given_py}"
                username, n = stem, 1
                while username in usernames:
                    n += 1
                    username = f"{stem}{n}"
            else:
                display = "系统管理员"
            usernames.add(username)
            user_id = self.uuid()
            joined = self.as_of_sec - int(rng.uniform(60, 700)) * DAY
            users.append((user_id, username, display, role, team_id, 1, self.ts(joined)))
            if team_id is not None:
                self.team_of[user_id] = team_id
            return user_id

        user("admin", None, "admin")
        for t in range(team_count):
            team_id = self.uuid()
            teams.append((team_id, f"电催{chinese_number(t + 1)}组", created))
            lead = user("team_lead", team_id)
            members = collectors // team_count + (1 if t < collectors % team_count else 0)
            made = [user("collector", team_id) for _ in range(members)]
            self.collectors.extend(made)
            self.lead_of.update(dict.fromkeys(made, lead))
            agent = user("field_agent", team_id)
            self.field_agents.append(agent)
            self.lead_of[agent] = lead
        sink.write(table(Team), TEAM_COLUMNS, teams)
        sink.write(table(User), USER_COLUMNS, users)
        state.counts["users"] = len(users)
