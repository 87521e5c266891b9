package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** What an ML engineer asks for: budget on a set of blocks. */
@ValidationRule(
    value = "!has(oldSelf.spent) || (has(self.spent) && self.spent == oldSelf.spent)",
    message = "spec.spent is immutable once set")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrivacyClaimSpec {

  /** Which blocks; all of them are demanded at once; immutable. */
  @JsonPropertyDescription("Which blocks; all of them are demanded at once; immutable.")
  @Required
  @ValidationRule(value = "self == oldSelf", message = "spec.blocks is immutable")
  private BlockSelection blocks;

  /** The budget demanded on each selected block; immutable. */
  @JsonPropertyDescription("The budget demanded on each selected block; immutable.")
  @Required
  @ValidationRule(value = "self == oldSelf", message = "spec.demand is immutable")
  private Demand demand;

  /**
   * How long the claim may wait before it is denied (a duration such as 30m); the operator's
   * default when omitted.
   */
  @JsonPropertyDescription(
      "How long the claim may wait before it is denied (a duration such as 30m); the operator's default when omitted.")
  @Pattern("^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$")
  private String timeout;

  /** Weight for efficiency-oriented policies, > 0; 1 when omitted. */
  @JsonPropertyDescription("Weight for efficiency-oriented policies, > 0; 1 when omitted.")
  @Min(value = 0, inclusive = false)
  private Double weight;

  /**
   * What the job actually spent, reported once it knows (for example fewer DP-SGD steps than
   * planned): the same forms as {@code demand}. Setting it on an Allocated claim finishes the claim
   * as Consumed with this spend on each block (capped at the grant); the rest goes back to the
   * blocks. Immutable once set.
   */
  @JsonPropertyDescription(
      "What the job actually spent (same forms as demand), reported once; finishes an Allocated claim as Consumed with this spend on each block (capped at the grant), the rest going back. Immutable once set.")
  private Demand spent;

  public BlockSelection getBlocks() {
    return blocks;
  }

  public void setBlocks(BlockSelection blocks) {
    this.blocks = blocks;
  }

  public Demand getDemand() {
    return demand;
  }

  public void setDemand(Demand demand) {
    this.demand = demand;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  public Demand getSpent() {
    return spent;
  }

  public void setSpent(Demand spent) {
    this.spent = spent;
  }

  public Double getWeight() {
    return weight;
  }

  public void setWeight(Double weight) {
    this.weight = weight;
  }
}
