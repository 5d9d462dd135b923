"""Measuring with torch (an optional dependency, imported lazily): exact tracing under FakeTensorMode and the
probe on a real device. Both run the same training step (`measure.step`)."""
