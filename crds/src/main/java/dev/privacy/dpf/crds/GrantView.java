package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The budget a claim holds on one block. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GrantView {

  /** The block, as namespace/name. */
  @JsonPropertyDescription("The block, as namespace/name.")
  private String block;

  /** The amount granted. */
  @JsonPropertyDescription("The amount granted.")
  private BudgetView amount;

  /** The same amount in the ledger's exact units (per component), as recorded by the operator. */
  @JsonPropertyDescription(
      "The same amount in the ledger's exact units (per component), as recorded by the operator.")
  private java.util.List<Long> units;

  public java.util.List<Long> getUnits() {
    return units;
  }

  public void setUnits(java.util.List<Long> units) {
    this.units = units;
  }

  public String getBlock() {
    return block;
  }

  public void setBlock(String block) {
    this.block = block;
  }

  public BudgetView getAmount() {
    return amount;
  }

  public void setAmount(BudgetView amount) {
    this.amount = amount;
  }
}
