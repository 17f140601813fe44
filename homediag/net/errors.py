class ParseError(ValueError):
    """Raised when command output cannot be parsed at all."""
