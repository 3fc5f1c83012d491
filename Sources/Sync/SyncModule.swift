// Sync: semantic diff of desired against live objects, server-side apply in dependency order,
// prune through a per-site inventory, drift detection.
