import Testing

/// Every test of the LocalFleet module, one at a time: each fleet costs about 400 MB a cluster
/// and most of two CPU cores while it starts, so two must never start at once.
@Suite(.serialized) enum LocalFleetSuites {}
