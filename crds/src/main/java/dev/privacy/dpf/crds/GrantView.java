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
