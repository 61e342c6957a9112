"""What-if planning: differences between runs, sweeps, one unit explained."""
