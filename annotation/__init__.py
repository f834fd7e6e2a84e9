"""The FaceLens domain model: plain Python and numpy, no Qt, no torch, no SQL."""
