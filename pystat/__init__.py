"""pystat: the classic Linux diagnostic tools, reimplemented on /proc."""

__version__ = "0.1.0"
