package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** DP-SGD: the Poisson-subsampled Gaussian mechanism, composed over a number of steps. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SubsampledGaussianMechanism {

  /** The noise multiplier sigma, > 0. */
  @JsonPropertyDescription("The noise multiplier sigma, > 0.")
  @Required
  @Min(value = 0, inclusive = false)
  private Double noiseMultiplier;

  /** The sampling rate q (batch size / data set size), in (0, 1]. */
  @JsonPropertyDescription("The sampling rate q (batch size / data set size), in (0, 1].")
  @Required
  @Min(value = 0, inclusive = false)
  @Max(1)
  private Double samplingRate;

  /** The number of training steps, >= 1. */
  @JsonPropertyDescription("The number of training steps, >= 1.")
  @Required
  @Min(1)
  private Long steps;

  public Double getNoiseMultiplier() {
    return noiseMultiplier;
  }

  public void setNoiseMultiplier(Double noiseMultiplier) {
    this.noiseMultiplier = noiseMultiplier;
  }

  public Double getSamplingRate() {
    return samplingRate;
  }

  public void setSamplingRate(Double samplingRate) {
    this.samplingRate = samplingRate;
  }

  public Long getSteps() {
    return steps;
  }

  public void setSteps(Long steps) {
    this.steps = steps;
  }
}
