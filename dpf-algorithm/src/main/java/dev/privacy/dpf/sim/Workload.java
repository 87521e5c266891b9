package dev.privacy.dpf.sim;

import java.time.Duration;

/** A workload: a recipe for a {@link Trace} of blocks and claims, drawn from a seed. */
public interface Workload {

  /** How its blocks account for budget. */
  Accounting accounting();

  /** The fraction of claims that are mice (small demands), in [0, 1]. */
  double miceFraction();

  /** The mean time between claim arrivals. */
  Duration arrivalInterval();

  /** Draws a trace; the same seed always gives the same trace. */
  Trace generate(long seed);
}
