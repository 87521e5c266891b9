package dev.privacy.dpf.crds;

/** The phase of a claim (SPEC lifecycle). */
public enum ClaimPhase {
  /** Waiting for budget. */
  Pending,
  /** Granted on every selected block at once; its pods may run. */
  Allocated,
  /** Its workload finished; the spent budget is gone for good. */
  Consumed,
  /** Cancelled before any of its pods ran; the budget went back. */
  Released,
  /** Refused for good, with a reason. */
  Denied;

  /** Whether the claim is finished. */
  public boolean finished() {
    return this == Consumed || this == Released || this == Denied;
  }
}
