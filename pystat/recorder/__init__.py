"""The recorder behind ``pystat record`` and ``pystat history``.

* :mod:`pystat.recorder.model`: the sample model (a series is a metric name,
  labels, a kind and a unit; a sample is the values of many series at one
  time), durations and times on the command line, and the two rules every
  reader and writer shares: what counts as a counter reset and when two
  samples are contiguous.
* :mod:`pystat.recorder.sources`: the pluggable registry of what is sampled
  (one entry per /proc file), each able to render its values back into the
  file's text, so that history replays the tools' own code on recorded data.
* :mod:`pystat.recorder.store`: the SQLite round-robin archives.
* :mod:`pystat.recorder.replay`: recorded samples as a :class:`~pystat.reader.Host`.

Nothing here is imported unless ``record`` or ``history`` runs.
"""
