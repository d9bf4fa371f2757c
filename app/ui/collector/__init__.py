"""The phone collector's panels: queue, workspace, call, outcome, plans, feedback."""
