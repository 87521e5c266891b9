package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * The durable truth of a block's budget, written only by the operator, in exact units (epsilon in
 * units of 1e-12, delta in units of 1e-18; one number per component: {@code [epsilon, delta]} under
 * basic accounting, one epsilon per order under Rényi). The budget views next to it are derived
 * from it for people. See docs/architecture.md for the protocol.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BlockLedgerRecord {

  /** Budget spent for good, in units per component; only ever grows. */
  @JsonPropertyDescription("Budget spent for good, in units per component; only ever grows.")
  private List<Long> consumed;

  /**
   * The highest unlocked level reached (unlocked + allocated + consumed), in units; never falls.
   */
  @JsonPropertyDescription(
      "The highest unlocked level reached (unlocked + allocated + consumed), in units; never falls.")
  private List<Long> unlockedLevel;

  /** Claims counted as arrived on the block when it was last written (DPF-N unlocking). */
  @JsonPropertyDescription(
      "Claims counted as arrived on the block when it was last written (DPF-N unlocking).")
  private Long arrivals;

  /** One entry per live claim holding budget here; an entry leaves when its claim finishes. */
  @JsonPropertyDescription(
      "One entry per live claim holding budget here; an entry leaves when its claim finishes.")
  private List<HoldRecord> holds;

  public List<Long> getConsumed() {
    return consumed;
  }

  public void setConsumed(List<Long> consumed) {
    this.consumed = consumed;
  }

  public List<Long> getUnlockedLevel() {
    return unlockedLevel;
  }

  public void setUnlockedLevel(List<Long> unlockedLevel) {
    this.unlockedLevel = unlockedLevel;
  }

  public Long getArrivals() {
    return arrivals;
  }

  public void setArrivals(Long arrivals) {
    this.arrivals = arrivals;
  }

  public List<HoldRecord> getHolds() {
    return holds;
  }

  public void setHolds(List<HoldRecord> holds) {
    this.holds = holds;
  }
}
