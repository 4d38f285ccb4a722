"""Reference data: categories, departments, regions and routing rules."""
