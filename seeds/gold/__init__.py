"""Hand-annotated gold sets (quotes-dev-b, events-dev-b) stored without their article text."""
