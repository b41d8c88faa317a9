"""One family of "no": a rule refusing an action as asked, or finding the record changed under it.

Every area's rules raise `Refused` (or a subclass named for the area) with a message for the person who acted, the
form field it belongs to, and the HTTP answer; views catch that one type (app.core.web.act does it for them), and a
view that does not still answers in words, never with a 500 (app.core.web.register_error_pages).
"""
from flask_babel import lazy_gettext as _l


class Refused(ValueError):
    """The action cannot be done as asked; `message` says what to do, `field` names the form field it belongs to."""
    status = 400

    def __init__(self, message, field=None, status=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class StaleRecord(Refused):
    """Someone else changed the record since it was read (a version check): the person sees it as it is now."""
    status = 409

    def __init__(self, record_id=None, message=None):
        super().__init__(message or _l('Someone else changed this a moment ago. Here it is as it is now: check it '
                                       'and try again.'))
        self.record_id = record_id


class IllegalMove(Refused):
    """The move is not declared, or the person may not make it."""
