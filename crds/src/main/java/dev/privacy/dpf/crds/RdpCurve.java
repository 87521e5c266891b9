package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** A Renyi-DP curve: one epsilon per order. */
@ValidationRule(
    value = "size(self.orders) == size(self.epsilons)",
    message = "rdp.orders and rdp.epsilons must have the same length")
@ValidationRule(value = "self.orders.all(a, a > 1.0)", message = "rdp.orders must all be > 1")
@ValidationRule(value = "self.epsilons.all(e, e >= 0.0)", message = "rdp.epsilons must all be >= 0")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RdpCurve {

  /** Renyi orders, each > 1, strictly increasing. */
  @JsonPropertyDescription("Renyi orders, each > 1, strictly increasing.")
  @Required
  @Size(min = 1, max = 256)
  private List<Double> orders;

  /** The RDP epsilon at each order, >= 0; as many as orders. */
  @JsonPropertyDescription("The RDP epsilon at each order, >= 0; as many as orders.")
  @Required
  @Size(min = 1, max = 256)
  private List<Double> epsilons;

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
