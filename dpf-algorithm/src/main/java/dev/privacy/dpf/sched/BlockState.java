package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.ledger.BlockLedger;
import java.time.Instant;
import java.util.Objects;

/**
 * A block as the scheduler sees it: its ledger and the facts its unlocking depends on.
 *
 * @param id unique block id (the operator uses {@code namespace/name})
 * @param ledger the block's budget
 * @param unlock how its budget unlocks
 * @param start when it was created (DPF-T counts its lifetime from here)
 * @param arrivals how many claims have arrived on it (DPF-N unlocks {@code G/N} per arrival)
 */
public record BlockState(
    String id, BlockLedger ledger, UnlockRule unlock, Instant start, long arrivals) {

  public BlockState {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(unlock, "unlock");
    Objects.requireNonNull(start, "start");
    if (arrivals < 0) {
      throw new IllegalArgumentException("arrivals must be >= 0, got " + arrivals);
    }
  }

  /** A new block, fully locked, then unlocked as its rule says at {@code start}. */
  public static BlockState create(
      String id, BlockCapacity capacity, UnlockRule unlock, Instant start) {
    return new BlockState(id, BlockLedger.fresh(capacity), unlock, start, 0).unlockedAt(start);
  }

  /** This block with its unlocking brought up to date at {@code now}. */
  public BlockState unlockedAt(Instant now) {
    BlockLedger l = unlock.apply(ledger, arrivals, start, now);
    return l == ledger ? this : withLedger(l);
  }

  /** This block after one more claim arrived on it, unlocked accordingly. */
  public BlockState withArrival(Instant now) {
    return new BlockState(id, ledger, unlock, start, arrivals + 1).unlockedAt(now);
  }

  /** This block with another ledger. */
  public BlockState withLedger(BlockLedger l) {
    return new BlockState(id, l, unlock, start, arrivals);
  }
}
