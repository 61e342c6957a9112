"""What each command does, from paths to written outputs: one Ambito, or a region."""
