"""The rule files (YAML, one kind per file), shipped inside the vnfacts package as vnfacts.rules."""
