"""Value-added (增值评价): how far each school and class moved its students, with intervals."""
