package dev.privacy.dpf.sched;

import dev.privacy.dpf.ledger.BlockLedger;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one scheduling pass decided: the grants in the order they were made, the denials ordered by
 * claim id, and the new ledger of every block the pass changed (by unlocking over time or by
 * granting), ordered by block id. The operator persists exactly this.
 */
public record Decision(
    List<Grant> grants, List<Denial> denials, SortedMap<String, BlockLedger> ledgers) {

  public Decision {
    grants = List.copyOf(grants);
    denials = List.copyOf(denials);
    ledgers = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(ledgers));
  }

  /** A decision that changes nothing. */
  public static Decision empty() {
    return new Decision(List.of(), List.of(), new TreeMap<>());
  }

  /** Whether the pass changed nothing. */
  public boolean isEmpty() {
    return grants.isEmpty() && denials.isEmpty() && ledgers.isEmpty();
  }
}
