"""`python -m bridge`: the same as the `apl-policy` command."""

from bridge.cli import main

if __name__ == "__main__":
    main()
