import os
import time

# The goldens were made with TZ=UTC and LC_ALL=C (tests/oracle/oracle.py).
os.environ["TZ"] = "UTC"
os.environ["LC_ALL"] = "C"
os.environ.pop("PYSTAT_ROOT", None)
time.tzset()
