"""The riparto itself: eligibility and entitlements, exact arithmetic, bounds, the MILP."""
