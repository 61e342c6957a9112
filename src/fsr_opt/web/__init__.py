"""``fsr-opt serve``: the what-if page for planners, in the browser, on this machine only."""
