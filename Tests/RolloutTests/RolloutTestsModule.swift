// Tests of the Rollout module.
