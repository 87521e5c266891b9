package dev.privacy.dpf.sim;

/** Where a {@link SimScheduler} reports what it decided about a claim. */
public interface Outcomes {

  /** The claim of the given index was granted (and consumed its grant) at {@code nowNanos}. */
  void granted(int claimIndex, long nowNanos);

  /** The claim of the given index was denied (rejected, infeasible or timed out). */
  void denied(int claimIndex, long nowNanos);
}
