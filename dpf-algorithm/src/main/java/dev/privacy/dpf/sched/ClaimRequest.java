package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A claim waiting for budget: the blocks it demands (all or nothing) and the demand on each,
 * already in each block's shape (see {@link dev.privacy.dpf.budget.Demands}).
 *
 * @param id unique claim id (the operator uses the object's UID, so a re-created claim is a new
 *     one)
 * @param blocks the ids of the demanded blocks
 * @param demands the demand on each block, in the same order
 * @param arrival arrival sequence number; earlier arrivals win ties
 * @param deadline when the claim times out, or null for never
 */
public record ClaimRequest(
    String id, List<String> blocks, List<Budget> demands, long arrival, Instant deadline) {

  public ClaimRequest {
    Objects.requireNonNull(id, "id");
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i) == null) {
        throw new IllegalArgumentException("claim " + id + ": blocks[" + i + "] is null");
      }
    }
    for (int i = 0; i < demands.size(); i++) {
      if (demands.get(i) == null) {
        throw new IllegalArgumentException("claim " + id + ": demands[" + i + "] is null");
      }
    }
    blocks = List.copyOf(blocks);
    demands = List.copyOf(demands);
    if (blocks.size() != demands.size()) {
      throw new IllegalArgumentException(
          "claim " + id + ": " + blocks.size() + " blocks but " + demands.size() + " demands");
    }
  }

  /** A claim demanding the same budget on each of its blocks. */
  public static ClaimRequest of(
      String id, List<String> blocks, Budget demand, long arrival, Instant deadline) {
    return new ClaimRequest(
        id, blocks, Collections.nCopies(blocks.size(), demand), arrival, deadline);
  }
}
