package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** A basic-composition budget: an (epsilon, delta) pair. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EpsDelta {

  /** Epsilon, > 0 and at most 1e6. */
  @JsonPropertyDescription("Epsilon, > 0 and at most 1e6.")
  @Required
  @Min(value = 0, inclusive = false)
  @Max(1e6)
  private Double epsilon;

  /** Delta, in [0, 1); 0 when omitted. */
  @JsonPropertyDescription("Delta, in [0, 1); 0 when omitted.")
  @Min(0)
  @Max(value = 1, inclusive = false)
  private Double delta;

  public Double getEpsilon() {
    return epsilon;
  }

  public void setEpsilon(Double epsilon) {
    this.epsilon = epsilon;
  }

  public Double getDelta() {
    return delta;
  }

  public void setDelta(Double delta) {
    this.delta = delta;
  }
}
