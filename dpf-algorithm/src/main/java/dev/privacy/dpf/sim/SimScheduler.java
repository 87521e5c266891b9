package dev.privacy.dpf.sim;

import dev.privacy.dpf.ledger.BlockLedger;
import java.util.function.BiConsumer;

/**
 * One run of a policy: the simulator feeds it events in time order and it reports grants and
 * denials. Granted claims consume their grant at once, as in the paper's simulator.
 */
public interface SimScheduler {

  /** A block is created at {@code nowNanos}. */
  void addBlock(SimBlock block, long nowNanos);

  /** A claim arrives at {@code nowNanos}. */
  void arrive(SimClaim claim, long nowNanos, Outcomes out);

  /** The period of {@link #tick} in nanoseconds, or 0 for no ticks. */
  default long tickNanos() {
    return 0;
  }

  /** A timer tick (time-driven unlocking). */
  default void tick(long nowNanos, Outcomes out) {}

  /** Whether {@link #deadline} should be called at each claim's deadline. */
  default boolean wantsDeadlines() {
    return false;
  }

  /** The deadline of a claim that is neither granted nor denied has come. */
  default void deadline(SimClaim claim, long nowNanos, Outcomes out) {}

  /** Each block's ledger, in creation order (for invariant checks). */
  void forEachLedger(BiConsumer<String, BlockLedger> action);
}
