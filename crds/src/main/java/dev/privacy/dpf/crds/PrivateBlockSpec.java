package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What a data owner declares about a block of sensitive data. */
@ValidationRule(
    value =
        "has(self.accounting) == has(oldSelf.accounting)"
            + " && (!has(self.accounting) || self.accounting == oldSelf.accounting)",
    message = "spec.accounting is immutable")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrivateBlockSpec {

  /** The data set the block belongs to; claims select blocks by data set. */
  @JsonPropertyDescription("The data set the block belongs to; claims select blocks by data set.")
  @Required
  @Size(min = 1, max = 253)
  private String dataset;

  /** The block's global guarantee (epsilon, delta); immutable. */
  @JsonPropertyDescription("The block's global guarantee (epsilon, delta); immutable.")
  @Required
  @ValidationRule(value = "self == oldSelf", message = "spec.budget is immutable")
  private EpsDelta budget;

  /** The time range of the data in the block; claims can select blocks by time. */
  @JsonPropertyDescription(
      "The time range of the data in the block; claims can select blocks by time.")
  private BlockWindow window;

  /** Namespaces, besides the block's own, whose claims may draw on the block. */
  @JsonPropertyDescription(
      "Namespaces, besides the block's own, whose claims may draw on the block.")
  @Size(max = 1000)
  private List<String> allowedNamespaces;

  /** Overrides the operator's unlocking policy for this block. */
  @JsonPropertyDescription("Overrides the operator's unlocking policy for this block.")
  private UnlockOverride unlock;

  /** Renyi or Basic; the operator's default (Renyi) when omitted; immutable. */
  @JsonPropertyDescription(
      "Renyi or Basic; the operator's default (Renyi) when omitted; immutable.")
  private Accounting accounting;

  public String getDataset() {
    return dataset;
  }

  public void setDataset(String dataset) {
    this.dataset = dataset;
  }

  public EpsDelta getBudget() {
    return budget;
  }

  public void setBudget(EpsDelta budget) {
    this.budget = budget;
  }

  public BlockWindow getWindow() {
    return window;
  }

  public void setWindow(BlockWindow window) {
    this.window = window;
  }

  public List<String> getAllowedNamespaces() {
    return allowedNamespaces;
  }

  public void setAllowedNamespaces(List<String> allowedNamespaces) {
    this.allowedNamespaces = allowedNamespaces;
  }

  public UnlockOverride getUnlock() {
    return unlock;
  }

  public void setUnlock(UnlockOverride unlock) {
    this.unlock = unlock;
  }

  public Accounting getAccounting() {
    return accounting;
  }

  public void setAccounting(Accounting accounting) {
    this.accounting = accounting;
  }
}
