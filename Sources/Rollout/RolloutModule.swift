// Rollout: waves across sites, bandwidth-aware scheduling, health gates, automatic rollback and
// rollout state persisted in the regional cluster. It defines the cluster protocol it needs.
