package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The budget a claim asks for on each selected block: exactly one of epsDelta, rdp, mechanism. */
@ValidationRule(
    value = "[has(self.epsDelta), has(self.rdp), has(self.mechanism)].filter(x, x).size() == 1",
    message = "spec.demand must have exactly one of epsDelta, rdp or mechanism")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Demand {

  /** Basic composition: (epsilon, delta). On a Renyi block only delta = 0 is allowed. */
  @JsonPropertyDescription(
      "Basic composition: (epsilon, delta). On a Renyi block only delta = 0 is allowed.")
  private EpsDelta epsDelta;

  /** A Renyi curve. */
  @JsonPropertyDescription("A Renyi curve.")
  private RdpCurve rdp;

  /** A mechanism; the operator computes its Renyi curve. */
  @JsonPropertyDescription("A mechanism; the operator computes its Renyi curve.")
  private Mechanism mechanism;

  /**
   * For a curve or mechanism on a Basic block: the delta at which it becomes (epsilon, delta); in
   * (0, 1).
   */
  @JsonPropertyDescription(
      "For a curve or mechanism on a Basic block: the delta at which it becomes (epsilon, delta); in (0, 1).")
  @Min(value = 0, inclusive = false)
  @Max(value = 1, inclusive = false)
  private Double delta;

  public EpsDelta getEpsDelta() {
    return epsDelta;
  }

  public void setEpsDelta(EpsDelta epsDelta) {
    this.epsDelta = epsDelta;
  }

  public RdpCurve getRdp() {
    return rdp;
  }

  public void setRdp(RdpCurve rdp) {
    this.rdp = rdp;
  }

  public Mechanism getMechanism() {
    return mechanism;
  }

  public void setMechanism(Mechanism mechanism) {
    this.mechanism = mechanism;
  }

  public Double getDelta() {
    return delta;
  }

  public void setDelta(Double delta) {
    this.delta = delta;
  }
}
