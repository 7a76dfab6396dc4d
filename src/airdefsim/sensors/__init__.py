"""Radar and sensor models: detection (Pd/SNR), RCS, propagation, terrain, jamming, IFF
and the :class:`~airdefsim.sensors.radar.Radar` the simulation calls."""
