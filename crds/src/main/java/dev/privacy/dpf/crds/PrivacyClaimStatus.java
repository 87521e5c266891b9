package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator reports about a claim. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrivacyClaimStatus {

  /** Pending, Allocated, Consumed, Released or Denied. */
  @JsonPropertyDescription("Pending, Allocated, Consumed, Released or Denied.")
  private ClaimPhase phase;

  /** Why the claim is in its phase (a closed set, e.g. WaitingForBudget, Infeasible). */
  @JsonPropertyDescription(
      "Why the claim is in its phase (a closed set, e.g. WaitingForBudget, Infeasible).")
  private String reason;

  /** For people: the field, or the blocking block and its numbers. */
  @JsonPropertyDescription("For people: the field, or the blocking block and its numbers.")
  private String message;

  /** The budget granted on each block. */
  @JsonPropertyDescription("The budget granted on each block.")
  private List<GrantView> grants;

  /** The number of selected blocks. */
  @JsonPropertyDescription("The number of selected blocks.")
  private Integer blockCount;

  /** The demand as one epsilon (a curve converted at the block delta). */
  @JsonPropertyDescription("The demand as one epsilon (a curve converted at the block delta).")
  private Double epsilon;

  /** The claim's largest share of a selected block's capacity. */
  @JsonPropertyDescription("The claim's largest share of a selected block's capacity.")
  private Double dominantShare;

  /** Place in the queue while Pending, 1 being next. */
  @JsonPropertyDescription("Place in the queue while Pending, 1 being next.")
  private Integer queuePosition;

  /** While Pending: the block where the demand does not fit yet. */
  @JsonPropertyDescription("While Pending: the block where the demand does not fit yet.")
  private String blockingBlock;

  /** When the operator first saw the claim (RFC 3339). */
  @JsonPropertyDescription("When the operator first saw the claim (RFC 3339).")
  private String arrivedAt;

  /** When the claim was granted (RFC 3339). */
  @JsonPropertyDescription("When the claim was granted (RFC 3339).")
  private String allocatedAt;

  /** When the claim reached Consumed, Released or Denied (RFC 3339). */
  @JsonPropertyDescription("When the claim reached Consumed, Released or Denied (RFC 3339).")
  private String finishedAt;

  /** The generation this status describes. */
  @JsonPropertyDescription("The generation this status describes.")
  private Long observedGeneration;

  /** The blocks the claim arrived on (namespace/name), fixed when the operator first records it. */
  @JsonPropertyDescription(
      "The blocks the claim arrived on (namespace/name), fixed when the operator first records it.")
  private List<String> blocks;

  /** The claim's arrival sequence number; earlier arrivals win ties. */
  @JsonPropertyDescription("The claim's arrival sequence number; earlier arrivals win ties.")
  private Long arrival;

  /** What the claim spent on each block, once Consumed. */
  @JsonPropertyDescription("What the claim spent on each block, once Consumed.")
  private List<GrantView> spent;

  /** Standard conditions. */
  @JsonPropertyDescription("Standard conditions.")
  private List<Condition> conditions;

  public ClaimPhase getPhase() {
    return phase;
  }

  public void setPhase(ClaimPhase phase) {
    this.phase = phase;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public List<GrantView> getGrants() {
    return grants;
  }

  public void setGrants(List<GrantView> grants) {
    this.grants = grants;
  }

  public Integer getBlockCount() {
    return blockCount;
  }

  public void setBlockCount(Integer blockCount) {
    this.blockCount = blockCount;
  }

  public Double getEpsilon() {
    return epsilon;
  }

  public void setEpsilon(Double epsilon) {
    this.epsilon = epsilon;
  }

  public Double getDominantShare() {
    return dominantShare;
  }

  public void setDominantShare(Double dominantShare) {
    this.dominantShare = dominantShare;
  }

  public Integer getQueuePosition() {
    return queuePosition;
  }

  public void setQueuePosition(Integer queuePosition) {
    this.queuePosition = queuePosition;
  }

  public String getBlockingBlock() {
    return blockingBlock;
  }

  public void setBlockingBlock(String blockingBlock) {
    this.blockingBlock = blockingBlock;
  }

  public String getArrivedAt() {
    return arrivedAt;
  }

  public void setArrivedAt(String arrivedAt) {
    this.arrivedAt = arrivedAt;
  }

  public String getAllocatedAt() {
    return allocatedAt;
  }

  public void setAllocatedAt(String allocatedAt) {
    this.allocatedAt = allocatedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<String> getBlocks() {
    return blocks;
  }

  public void setBlocks(List<String> blocks) {
    this.blocks = blocks;
  }

  public Long getArrival() {
    return arrival;
  }

  public void setArrival(Long arrival) {
    this.arrival = arrival;
  }

  public List<GrantView> getSpent() {
    return spent;
  }

  public void setSpent(List<GrantView> spent) {
    this.spent = spent;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}
