package dev.privacy.dpf.sched;

/** Why a claim was denied (SPEC lifecycle). */
public enum DenialReason {
  /** A field is invalid; the message names it and its value. */
  INVALID,
  /** The claim selects no block, or a block that does not exist. */
  NO_MATCHING_BLOCKS,
  /** The claim's namespace may not draw on a selected block. */
  FORBIDDEN,
  /** The demand can never fit: above a block's capacity or remaining budget at every order. */
  INFEASIBLE,
  /** The claim waited longer than its timeout. */
  TIMEOUT;

  /** The CamelCase name used in conditions and status (e.g. {@code NoMatchingBlocks}). */
  public String camelCase() {
    StringBuilder b = new StringBuilder();
    for (String part : name().split("_")) {
      b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return b.toString();
  }
}
