"""Domain errors: each becomes a polite reply at the entry point."""


class DomainError(Exception):
    """A rule of the domain was broken; nothing was changed."""


class IllegalMove(DomainError):
    """The case is not in a state that allows this move."""


class NotAllowed(DomainError):
    """The actor's role or scope does not allow this move."""


class NoteRequired(DomainError):
    """This move needs a note or a reason."""


class CaseNotFound(DomainError):
    """No such case, or not one the actor may see (the same answer, on purpose)."""


class ConcurrentUpdate(DomainError):
    """Someone else changed the case first; reload and try again."""
