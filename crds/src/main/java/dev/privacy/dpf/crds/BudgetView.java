package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * A budget in a status: (epsilon, delta) under basic accounting, or epsilon per order under Renyi.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BudgetView {

  /** Epsilon (basic accounting). */
  @JsonPropertyDescription("Epsilon (basic accounting).")
  private Double epsilon;

  /** Delta (basic accounting). */
  @JsonPropertyDescription("Delta (basic accounting).")
  private Double delta;

  /** Renyi orders (Renyi accounting). */
  @JsonPropertyDescription("Renyi orders (Renyi accounting).")
  private List<Double> orders;

  /** Epsilon at each order (Renyi accounting). */
  @JsonPropertyDescription("Epsilon at each order (Renyi accounting).")
  private List<Double> epsilons;

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

  public List<Double> getOrders() {
    return orders;
  }

  public void setOrders(List<Double> orders) {
    this.orders = orders;
  }

  public List<Double> getEpsilons() {
    return epsilons;
  }

  public void setEpsilons(List<Double> epsilons) {
    this.epsilons = epsilons;
  }
}
