package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator reports about a block. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrivateBlockStatus {

  /** Active, Exhausted (nothing left to grant) or Retired (being deleted). */
  @JsonPropertyDescription("Active, Exhausted (nothing left to grant) or Retired (being deleted).")
  private BlockPhase phase;

  /** The accounting in force. */
  @JsonPropertyDescription("The accounting in force.")
  private Accounting accounting;

  /** The total budget G (per order under Renyi accounting). */
  @JsonPropertyDescription("The total budget G (per order under Renyi accounting).")
  private BudgetView capacity;

  /** Budget unlocked so far (G minus locked). */
  @JsonPropertyDescription("Budget unlocked so far (G minus locked).")
  private BudgetView unlocked;

  /** Budget held by live claims. */
  @JsonPropertyDescription("Budget held by live claims.")
  private BudgetView allocated;

  /** Budget spent for good. */
  @JsonPropertyDescription("Budget spent for good.")
  private BudgetView consumed;

  /** Unlocked and not allocated: what can be granted now. */
  @JsonPropertyDescription("Unlocked and not allocated: what can be granted now.")
  private BudgetView available;

  /**
   * Available budget as one epsilon (under Renyi accounting, the block epsilon times the best
   * order's available fraction).
   */
  @JsonPropertyDescription(
      "Available budget as one epsilon (under Renyi accounting, the block epsilon times the best order's available fraction).")
  private Double remainingEpsilon;

  /** Consumed budget as one epsilon (same conversion). */
  @JsonPropertyDescription("Consumed budget as one epsilon (same conversion).")
  private Double consumedEpsilon;

  /** How many claims have arrived on the block. */
  @JsonPropertyDescription("How many claims have arrived on the block.")
  private Long claimsArrived;

  /** The generation this status describes. */
  @JsonPropertyDescription("The generation this status describes.")
  private Long observedGeneration;

  /** The durable ledger in exact units; the views above are derived from it. */
  @JsonPropertyDescription(
      "The durable ledger in exact units; the views above are derived from it.")
  private BlockLedgerRecord ledger;

  /** Standard conditions. */
  @JsonPropertyDescription("Standard conditions.")
  private List<Condition> conditions;

  public BlockPhase getPhase() {
    return phase;
  }

  public void setPhase(BlockPhase phase) {
    this.phase = phase;
  }

  public Accounting getAccounting() {
    return accounting;
  }

  public void setAccounting(Accounting accounting) {
    this.accounting = accounting;
  }

  public BudgetView getCapacity() {
    return capacity;
  }

  public void setCapacity(BudgetView capacity) {
    this.capacity = capacity;
  }

  public BudgetView getUnlocked() {
    return unlocked;
  }

  public void setUnlocked(BudgetView unlocked) {
    this.unlocked = unlocked;
  }

  public BudgetView getAllocated() {
    return allocated;
  }

  public void setAllocated(BudgetView allocated) {
    this.allocated = allocated;
  }

  public BudgetView getConsumed() {
    return consumed;
  }

  public void setConsumed(BudgetView consumed) {
    this.consumed = consumed;
  }

  public BudgetView getAvailable() {
    return available;
  }

  public void setAvailable(BudgetView available) {
    this.available = available;
  }

  public Double getRemainingEpsilon() {
    return remainingEpsilon;
  }

  public void setRemainingEpsilon(Double remainingEpsilon) {
    this.remainingEpsilon = remainingEpsilon;
  }

  public Double getConsumedEpsilon() {
    return consumedEpsilon;
  }

  public void setConsumedEpsilon(Double consumedEpsilon) {
    this.consumedEpsilon = consumedEpsilon;
  }

  public Long getClaimsArrived() {
    return claimsArrived;
  }

  public void setClaimsArrived(Long claimsArrived) {
    this.claimsArrived = claimsArrived;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public BlockLedgerRecord getLedger() {
    return ledger;
  }

  public void setLedger(BlockLedgerRecord ledger) {
    this.ledger = ledger;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}
