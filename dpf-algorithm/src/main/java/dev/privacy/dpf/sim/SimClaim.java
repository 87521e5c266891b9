package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.Budget;
import java.util.List;
import java.util.Objects;

/**
 * A claim of a simulated workload: it arrives at a point of virtual time and demands the same
 * budget on each of its blocks, all or nothing.
 *
 * @param index its position in the trace (claims are numbered 0, 1, ... in arrival order)
 * @param arrivalNanos when it arrives, in nanoseconds of virtual time
 * @param blocks the ids of the blocks it demands
 * @param demand its demand on each block
 * @param epsilon the epsilon it was drawn with (for classifying it)
 * @param mouse whether it is a "mouse" (small demand) rather than an "elephant"
 * @param deadlineNanos when it times out, or -1 for never
 */
public record SimClaim(
    int index,
    long arrivalNanos,
    List<String> blocks,
    Budget demand,
    double epsilon,
    boolean mouse,
    long deadlineNanos) {

  public SimClaim {
    blocks = List.copyOf(blocks);
    Objects.requireNonNull(demand, "demand");
  }

  /** The claim's id: {@code c<index>}. */
  public String id() {
    return id(index);
  }

  /** The id of the claim of the given index. */
  public static String id(int index) {
    return "c" + index;
  }

  /** The index of the claim of the given id. */
  public static int index(String id) {
    return Integer.parseInt(id, 1, id.length(), 10);
  }

  /** Whether it has a deadline. */
  public boolean hasDeadline() {
    return deadlineNanos >= 0;
  }
}
