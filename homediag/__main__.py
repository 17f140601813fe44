"""``python -m homediag`` runs the command-line interface."""

from homediag.cli.app import main

if __name__ == "__main__":
    main()
