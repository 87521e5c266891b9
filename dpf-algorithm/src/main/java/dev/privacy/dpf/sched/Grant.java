package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;
import java.util.List;

/**
 * A claim granted on all of its blocks at once.
 *
 * @param claimId the claim
 * @param blocks the blocks, in the claim's order
 * @param amounts the amount granted on each block
 */
public record Grant(String claimId, List<String> blocks, List<Budget> amounts) {
  public Grant {
    blocks = List.copyOf(blocks);
    amounts = List.copyOf(amounts);
  }
}
