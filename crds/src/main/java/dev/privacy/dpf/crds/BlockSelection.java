package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** Which blocks a claim demands; all selected blocks are demanded, all or nothing. */
@ValidationRule(
    value = "!has(self.names) || (!has(self.selector) && !has(self.window) && !has(self.latest))",
    message = "blocks.names cannot be combined with selector, window or latest")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BlockSelection {

  /** The data set to draw on. */
  @JsonPropertyDescription("The data set to draw on.")
  @Required
  @Size(min = 1, max = 253)
  private String dataset;

  /** The namespace of the blocks; the claim's own when omitted. */
  @JsonPropertyDescription("The namespace of the blocks; the claim's own when omitted.")
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @Size(max = 63)
  private String namespace;

  /** A label selector over the blocks' labels. */
  @JsonPropertyDescription("A label selector over the blocks' labels.")
  private LabelSelector selector;

  /** Only blocks whose data window overlaps this range. */
  @JsonPropertyDescription("Only blocks whose data window overlaps this range.")
  private ClaimWindow window;

  /** Only the N most recent blocks (by window start, then creation); >= 1. */
  @JsonPropertyDescription("Only the N most recent blocks (by window start, then creation); >= 1.")
  @Min(1)
  private Integer latest;

  /** Explicit block names; cannot be combined with selector, window or latest. */
  @JsonPropertyDescription(
      "Explicit block names; cannot be combined with selector, window or latest.")
  @Size(min = 1, max = 1000)
  private List<String> names;

  public String getDataset() {
    return dataset;
  }

  public void setDataset(String dataset) {
    this.dataset = dataset;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  public ClaimWindow getWindow() {
    return window;
  }

  public void setWindow(ClaimWindow window) {
    this.window = window;
  }

  public Integer getLatest() {
    return latest;
  }

  public void setLatest(Integer latest) {
    this.latest = latest;
  }

  public List<String> getNames() {
    return names;
  }

  public void setNames(List<String> names) {
    this.names = names;
  }
}
