"""The oracle: the real tools run on a fixture's files, and their golden outputs."""
