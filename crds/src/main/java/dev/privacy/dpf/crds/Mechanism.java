package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** A mechanism whose Renyi curve the operator computes; exactly one of its fields. */
@ValidationRule(
    value =
        "[has(self.gaussian), has(self.laplace), has(self.subsampledGaussian)]"
            + ".filter(x, x).size() == 1",
    message = "demand.mechanism must have exactly one of gaussian, laplace or subsampledGaussian")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Mechanism {

  /** The Gaussian mechanism. */
  @JsonPropertyDescription("The Gaussian mechanism.")
  private GaussianMechanism gaussian;

  /** The Laplace mechanism. */
  @JsonPropertyDescription("The Laplace mechanism.")
  private LaplaceMechanism laplace;

  /** DP-SGD (Poisson-subsampled Gaussian over steps). */
  @JsonPropertyDescription("DP-SGD (Poisson-subsampled Gaussian over steps).")
  private SubsampledGaussianMechanism subsampledGaussian;

  public GaussianMechanism getGaussian() {
    return gaussian;
  }

  public void setGaussian(GaussianMechanism gaussian) {
    this.gaussian = gaussian;
  }

  public LaplaceMechanism getLaplace() {
    return laplace;
  }

  public void setLaplace(LaplaceMechanism laplace) {
    this.laplace = laplace;
  }

  public SubsampledGaussianMechanism getSubsampledGaussian() {
    return subsampledGaussian;
  }

  public void setSubsampledGaussian(SubsampledGaussianMechanism subsampledGaussian) {
    this.subsampledGaussian = subsampledGaussian;
  }
}
