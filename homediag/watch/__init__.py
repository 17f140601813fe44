"""``homediag watch``: samples over hours, a bounded history, events, and windowed evidence.

The package sits beside the engine, the reports and the probes (it uses ``net`` and ``core``, none of
its siblings): the application layer (:mod:`homediag.app.watch`) drives it and hands its windowed
evidence to the engine.

- :mod:`~homediag.watch.samples`: what one measurement stores (a ping, a DNS lookup, an HTTP check,
  the Wi-Fi link, the interface and lease, a line of the OS's Wi-Fi log);
- :mod:`~homediag.watch.samplers`: the measurements, from the library in :mod:`homediag.net`;
- :mod:`~homediag.watch.oslog`: the OS's own disconnect log (``iw event -t``, WLAN-AutoConfig, macOS);
- :mod:`~homediag.watch.store`: the history in SQLite (versioned schema, WAL, downsampled, pruned);
- :mod:`~homediag.watch.loop`: the sampling loop with its bounded load;
- :mod:`~homediag.watch.events`: outages and degradations found in the samples, each located on the path;
- :mod:`~homediag.watch.windows`: events grouped into windows, and each window's evidence as observations;
- :mod:`~homediag.watch.timeline`: the history summarised for charts;
- :mod:`~homediag.watch.install`: the unit files to leave it running (printed, never installed).
"""
