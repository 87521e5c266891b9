package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.BlockCapacity;
import java.util.Objects;

/**
 * A block of a simulated workload.
 *
 * @param id its id
 * @param createdNanos when it is created, in nanoseconds of virtual time
 * @param capacity its global budget
 */
public record SimBlock(String id, long createdNanos, BlockCapacity capacity) {
  public SimBlock {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(capacity, "capacity");
  }
}
