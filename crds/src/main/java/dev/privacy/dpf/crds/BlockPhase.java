package dev.privacy.dpf.crds;

/** The phase of a block. */
public enum BlockPhase {
  /** Budget is left to grant. */
  Active,
  /** Nothing is left to grant (everything is allocated or consumed). */
  Exhausted,
  /** Being deleted: no new grants; waits for live grants to finish. */
  Retired
}
