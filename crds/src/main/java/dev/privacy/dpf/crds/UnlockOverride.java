package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** A per-block override of the operator's unlocking policy. */
@ValidationRule(
    value = "self.policy != 'dpf-n' || has(self.n)",
    message = "unlock.n is required for policy dpf-n")
@ValidationRule(
    value = "self.policy != 'dpf-t' || has(self.lifetime)",
    message = "unlock.lifetime is required for policy dpf-t")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UnlockOverride {

  /**
   * dpf-n: each arriving claim unlocks 1/N; dpf-t: linear unlocking over the lifetime; fcfs:
   * everything unlocked at once.
   */
  @JsonPropertyDescription(
      "dpf-n: each arriving claim unlocks 1/N; dpf-t: linear unlocking over the lifetime; fcfs: everything unlocked at once.")
  @Required
  private UnlockPolicy policy;

  /** N for dpf-n: the number of claims that share the block fairly; >= 1. */
  @JsonPropertyDescription("N for dpf-n: the number of claims that share the block fairly; >= 1.")
  @Min(1)
  private Integer n;

  /** T for dpf-t: the lifetime over which the budget unlocks, a duration such as 720h. */
  @JsonPropertyDescription(
      "T for dpf-t: the lifetime over which the budget unlocks, a duration such as 720h.")
  @Pattern("^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$")
  private String lifetime;

  public UnlockPolicy getPolicy() {
    return policy;
  }

  public void setPolicy(UnlockPolicy policy) {
    this.policy = policy;
  }

  public Integer getN() {
    return n;
  }

  public void setN(Integer n) {
    this.n = n;
  }

  public String getLifetime() {
    return lifetime;
  }

  public void setLifetime(String lifetime) {
    this.lifetime = lifetime;
  }
}
