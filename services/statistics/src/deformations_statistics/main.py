import sys

from deformations_common import cli
from deformations_statistics.app import definition


def main() -> None:
    sys.exit(cli.run(definition))


if __name__ == "__main__":
    main()
