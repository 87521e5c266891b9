package dev.privacy.dpf.sim;

/** Watches a run: called after every event (used by tests to check ledger invariants). */
@FunctionalInterface
public interface SimObserver {

  /** An event at {@code nowNanos} has been handled. */
  void afterEvent(long nowNanos, SimScheduler scheduler);
}
