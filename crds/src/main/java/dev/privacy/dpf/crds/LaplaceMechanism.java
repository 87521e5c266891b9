package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The Laplace mechanism with sensitivity 1. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LaplaceMechanism {

  /** The noise scale b, > 0. */
  @JsonPropertyDescription("The noise scale b, > 0.")
  @Required
  @Min(value = 0, inclusive = false)
  private Double scale;

  public Double getScale() {
    return scale;
  }

  public void setScale(Double scale) {
    this.scale = scale;
  }
}
