"""Pure parsers of OS command output. Each module starts with a sample of the text it parses."""
