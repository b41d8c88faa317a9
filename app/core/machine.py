"""State machines declared once, as data: repair orders (stages), job lines, warranty claims, appointments.

Each is a `Machine`: the field that holds the state, the label of each state, the moves allowed from each (with the
roles that may make a move, or without when the rule calling it checks who may), and the message for a move that is
not declared. `move()` is the one way a record changes state: the declaration and the role are checked, the row is
written only if nobody changed it since it was read (its version), and the caller writes its audit event in the same
transaction. Views, the board, the status page and the KPIs read the same declaration.
"""
from app.core.errors import IllegalMove


class Machine:
    def __init__(self, *, field, labels, moves, illegal, forbidden=None):
        """`moves`: {state: {state: roles or None}} or {state: {state, …}}; `illegal(a, b)` and `forbidden(b)` give
        the messages (lazy strings, in the reader's language) with the states' labels."""
        self.field, self.labels, self.moves = field, labels, moves
        self.illegal, self.forbidden = illegal, forbidden

    def label(self, state):
        return self.labels.get(state, state)

    def targets(self, state):
        """{state: roles or None} reachable from `state`."""
        found = self.moves.get(state, {})
        return found if isinstance(found, dict) else {to: None for to in found}

    def allowed(self, state, user=None):
        """The states `user` (anyone, when None) may move a record in `state` to."""
        return [to for to, roles in self.targets(state).items()
                if user is None or roles is None or user.role_names & roles]

    def check(self, record, to, by=None):
        """Raise IllegalMove unless moving `record` to `to` is declared and `by` may make it; the state it is in."""
        frm = getattr(record, self.field)
        targets = self.targets(frm)
        if to not in targets:
            raise IllegalMove(self.illegal(self.label(frm), self.label(to)))
        roles = targets[to]
        if roles is not None and by is not None and not (by.role_names & roles):
            raise IllegalMove(self.forbidden(self.label(to)) if self.forbidden
                              else self.illegal(self.label(frm), self.label(to)))
        return frm

    def move(self, record, to, *, by=None, expected_version=None, **changes):
        """Move `record` to `to` (with `changes` to other columns) if the move is allowed and nobody changed the
        record since it was read, else IllegalMove / StaleRecord. Returns the state it came from. Call inside the
        action's transaction, and write the audit event there too."""
        frm = self.check(record, to, by)
        column = getattr(type(record), self.field)
        record.update_versioned(expected_version, where=(column == frm), **{self.field: to}, **changes)
        return frm
