package dev.privacy.dpf.crds;

/** How a block composes the budget of its claims. */
public enum Accounting {
  /** Renyi DP: curves per order compose by addition; tighter for mechanisms such as DP-SGD. */
  Renyi,
  /** Basic composition: epsilons and deltas add up. */
  Basic
}
