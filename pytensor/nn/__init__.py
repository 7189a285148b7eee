"""Neural-network building blocks (pytensor.nn)."""
