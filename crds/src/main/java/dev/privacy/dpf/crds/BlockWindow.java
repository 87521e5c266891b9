package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The time range of the data in a block. */
@ValidationRule(
    value = "timestamp(self.start) < timestamp(self.end)",
    message = "window.start must be before window.end")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BlockWindow {

  /** Start of the data in the block (RFC 3339 timestamp, inclusive). */
  @JsonPropertyDescription("Start of the data in the block (RFC 3339 timestamp, inclusive).")
  @Required
  @Pattern(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  private String start;

  /** End of the data in the block (RFC 3339 timestamp, exclusive); after start. */
  @JsonPropertyDescription(
      "End of the data in the block (RFC 3339 timestamp, exclusive); after start.")
  @Required
  @Pattern(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  private String end;

  public String getStart() {
    return start;
  }

  public void setStart(String start) {
    this.start = start;
  }

  public String getEnd() {
    return end;
  }

  public void setEnd(String end) {
    this.end = end;
  }
}
