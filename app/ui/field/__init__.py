"""The field agent's visit planner and visit outcomes."""
