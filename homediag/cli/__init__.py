"""The command line: one module per command group; thin, it only parses, calls and prints."""
