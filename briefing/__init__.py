"""briefing: a day's news articles in, a dated extractive analyst brief out."""

import os

__version__ = "0.1.0"

# One BLAS thread. briefing's dense products are small and many; a second BLAS thread
# mostly waits on the first, which on a busy two-core machine makes them ten times
# slower. Set before NumPy loads its BLAS; a value the user chose is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
