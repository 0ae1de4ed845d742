@0xc3a1d1f0e2b4a5d6;
# Placeholder id replaced by the codec work; see docs/events.md.
