package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import java.util.List;

/** Small hand-made traces for simulator tests. */
final class SimFixtures {

  static final long SECOND = 1_000_000_000L;

  private SimFixtures() {}

  /** One basic block {@code b0} of (1, 1e-6) created at 0. */
  static SimBlock block() {
    return new SimBlock("b0", 0, BlockCapacity.basic(1.0, 1e-6));
  }

  /** A pure-epsilon claim on {@code b0}, without deadline. */
  static SimClaim claim(int index, double atSeconds, double epsilon) {
    return new SimClaim(
        index,
        Math.round(atSeconds * SECOND),
        List.of("b0"),
        Budget.epsDelta(epsilon, 0),
        epsilon,
        epsilon < 0.05,
        -1);
  }

  /** A trace of one block and the given claims, ending at {@code endSeconds}, tick 1 s. */
  static Trace trace(double endSeconds, SimClaim... claims) {
    return new Trace(List.of(block()), List.of(claims), Math.round(endSeconds * SECOND), SECOND);
  }
}
