"""`make devserver`: serve a preview that follows every save.

The work is in tools/preview/ (its `server` module says what each kind of
change does); this script is what the Makefile runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.preview.server import main

if __name__ == "__main__":
    main()
