package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** A time range a claim selects blocks by: blocks whose window overlaps it. */
@ValidationRule(
    value = "!has(self.from) || !has(self.to) || timestamp(self.from) < timestamp(self.to)",
    message = "window.from must be before window.to")
@ValidationRule(value = "has(self.from) || has(self.to)", message = "window needs from, to or both")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClaimWindow {

  /** Start (RFC 3339 timestamp, inclusive). */
  @JsonPropertyDescription("Start (RFC 3339 timestamp, inclusive).")
  @Pattern(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  private String from;

  /** End (RFC 3339 timestamp, exclusive); after from. */
  @JsonPropertyDescription("End (RFC 3339 timestamp, exclusive); after from.")
  @Pattern(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  private String to;

  public String getFrom() {
    return from;
  }

  public void setFrom(String from) {
    this.from = from;
  }

  public String getTo() {
    return to;
  }

  public void setTo(String to) {
    this.to = to;
  }
}
