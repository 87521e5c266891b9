package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Budget one live claim holds on a block, keyed by the claim's UID. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HoldRecord {

  /** The claim's UID (a re-created claim of the same name is another claim). */
  @JsonPropertyDescription(
      "The claim's UID (a re-created claim of the same name is another claim).")
  private String uid;

  /** The claim, as namespace/name, for people. */
  @JsonPropertyDescription("The claim, as namespace/name, for people.")
  private String claim;

  /** The amount held, in units per component. */
  @JsonPropertyDescription("The amount held, in units per component.")
  private List<Long> amount;

  /** The claim's arrival sequence number (its place in arrival order). */
  @JsonPropertyDescription("The claim's arrival sequence number (its place in arrival order).")
  private Long arrival;

  public HoldRecord() {}

  public HoldRecord(String uid, String claim, List<Long> amount, Long arrival) {
    this.uid = uid;
    this.claim = claim;
    this.amount = amount;
    this.arrival = arrival;
  }

  public String getUid() {
    return uid;
  }

  public void setUid(String uid) {
    this.uid = uid;
  }

  public String getClaim() {
    return claim;
  }

  public void setClaim(String claim) {
    this.claim = claim;
  }

  public List<Long> getAmount() {
    return amount;
  }

  public void setAmount(List<Long> amount) {
    this.amount = amount;
  }

  public Long getArrival() {
    return arrival;
  }

  public void setArrival(Long arrival) {
    this.arrival = arrival;
  }
}
