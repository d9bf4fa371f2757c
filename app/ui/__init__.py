"""The Qt window. Widgets call services through `runner.Runner` and never open a session."""
