"""The one error type for bad user input: the CLI prints it (one line, or a line per problem) and exits 2."""


class InputError(Exception):
    """Bad input a person can fix: `where` names the file:line, record or key; `message` what was expected."""

    def __init__(self, where: str, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)
