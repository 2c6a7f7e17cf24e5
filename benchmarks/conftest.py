import os
import time

os.environ["TZ"] = "UTC"
time.tzset()

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures", "proc_snapshots")


def fixture_path(name: str, sample: str | None = None) -> str:
    path = os.path.join(FIXTURES, name)
    return os.path.join(path, sample) if sample else path


def read(name: str, rel: str) -> str:
    path = fixture_path(name)
    if os.path.isdir(os.path.join(path, "000000")):
        path = os.path.join(path, "000000")
    with open(os.path.join(path, rel)) as f:
        return f.read()
