"""Allow ``python -m mapper``."""

from mapper.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
