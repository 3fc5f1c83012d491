// Test support for real servers and reference tools.
