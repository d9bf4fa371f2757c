"""Home visits: candidates, planning, outcomes, and the field agent's visit sheets."""
