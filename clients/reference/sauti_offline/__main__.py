import sys

from sauti_offline.cli import main

sys.exit(main())
