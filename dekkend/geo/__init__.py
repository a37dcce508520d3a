"""Geography: distances and travel times from home areas (PC4) to vestigingen, with water crossings."""
