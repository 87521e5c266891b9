package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The Gaussian mechanism with L2 sensitivity 1. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GaussianMechanism {

  /** The noise standard deviation, > 0. */
  @JsonPropertyDescription("The noise standard deviation, > 0.")
  @Required
  @Min(value = 0, inclusive = false)
  private Double sigma;

  public Double getSigma() {
    return sigma;
  }

  public void setSigma(Double sigma) {
    this.sigma = sigma;
  }
}
