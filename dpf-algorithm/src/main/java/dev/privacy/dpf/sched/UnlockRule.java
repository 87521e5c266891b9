package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.ledger.BlockLedger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How a block's locked budget becomes unlocked (DPF paper, section 4). The unlocked level is a pure
 * function of persisted facts (the number of claims that arrived on the block, the block's start
 * time and lifetime) and the clock, and {@link BlockLedger#unlockTo} never lowers it, so it can be
 * recomputed at any time, by any replica, without counting anything twice or going back down.
 */
public sealed interface UnlockRule {

  /**
   * How much of {@code total} should be unlocked in all, at most {@code total}. Levels are rounded
   * up to the next unit: unlocking is not what keeps the budget safe (grants are checked against
   * what is unlocked, and nothing beyond {@code G} is ever unlocked), and rounding down would break
   * DPF's sharing incentive by a unit when {@code G/N} is not a whole number of units.
   */
  Budget level(Budget total, long arrivals, Instant start, Instant now);

  /** Applies the rule to a ledger; a no-op when the level is already reached. */
  default BlockLedger apply(BlockLedger ledger, long arrivals, Instant start, Instant now) {
    return ledger.unlockTo(level(ledger.total(), arrivals, start, now));
  }

  /** Whether the level depends on the clock (and so must be refreshed on a timer). */
  default boolean timeDriven() {
    return false;
  }

  /**
   * DPF-N: each claim arriving on the block unlocks its fair share {@code G/N} (rounded up to the
   * next unit, so that {@code k} claims of {@code G/N} each fit after {@code k} arrivals); after
   * {@code N} arrivals everything is unlocked.
   */
  record PerArrival(int n) implements UnlockRule {
    public PerArrival {
      if (n < 1) {
        throw new IllegalArgumentException("N must be >= 1, got " + n);
      }
    }

    @Override
    public Budget level(Budget total, long arrivals, Instant start, Instant now) {
      long k = Math.min(Math.max(arrivals, 0), n);
      return total.fraction(1, n, RoundingMode.CEILING).times(k).min(total);
    }
  }

  /** DPF-T: the budget unlocks linearly over the block's lifetime, starting at its start time. */
  record OverTime(Duration lifetime) implements UnlockRule {
    public OverTime {
      Objects.requireNonNull(lifetime, "lifetime");
      if (lifetime.toMillis() <= 0) {
        throw new IllegalArgumentException("lifetime T must be at least 1ms, got " + lifetime);
      }
    }

    @Override
    public Budget level(Budget total, long arrivals, Instant start, Instant now) {
      long life = lifetime.toMillis();
      long elapsed = Math.max(0, Duration.between(start, now).toMillis());
      return total.fraction(Math.min(elapsed, life), life, RoundingMode.CEILING);
    }

    @Override
    public boolean timeDriven() {
      return true;
    }
  }

  /** FCFS: everything unlocked at creation (DPF-N with N = 1). */
  record AllAtOnce() implements UnlockRule {
    @Override
    public Budget level(Budget total, long arrivals, Instant start, Instant now) {
      return total;
    }
  }
}
