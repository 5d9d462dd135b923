import sys

from advisor.shells.cli import main

sys.exit(main())
