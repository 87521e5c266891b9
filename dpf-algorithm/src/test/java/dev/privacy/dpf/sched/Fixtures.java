package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.budget.Orders;
import java.time.Instant;
import java.util.List;

/** Small builders for scheduling tests. */
final class Fixtures {

  static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  private Fixtures() {}

  static BlockState basicBlock(String id, double eps, UnlockRule rule) {
    return BlockState.create(id, BlockCapacity.basic(eps, 1e-6), rule, T0);
  }

  static BlockState renyiBlock(String id, double eps, double delta, UnlockRule rule) {
    return BlockState.create(
        id, BlockCapacity.renyi(eps, delta, Orders.DEFAULT, Conversion.TIGHT), rule, T0);
  }

  static ClaimRequest claim(String id, long arrival, Budget demand, String... blocks) {
    return ClaimRequest.of(id, List.of(blocks), demand, arrival, null);
  }

  static Budget eps(double epsilon) {
    return Budget.epsDelta(epsilon, 0);
  }

  static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  /** An engine holding the given blocks. */
  static SchedulingEngine engine(Policy policy, BlockState... blocks) {
    SchedulingEngine e = new SchedulingEngine(policy);
    for (BlockState b : blocks) {
      e.addBlock(b);
    }
    return e;
  }

  static List<String> grantedIds(Decision d) {
    return d.grants().stream().map(Grant::claimId).toList();
  }
}
