package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;

/**
 * The fit test on raw units, for the hot loop of a pass. Same rule as {@link Budget#fitsWithin}.
 */
final class Kernel {

  private Kernel() {}

  /** Basic: every component fits; Rényi: one live order fits. */
  static boolean fits(Budget demand, long[] unlocked, boolean[] live, boolean basic) {
    int n = unlocked.length;
    if (basic) {
      for (int i = 0; i < n; i++) {
        if (demand.units(i) > unlocked[i]) {
          return false;
        }
      }
      return true;
    }
    for (int i = 0; i < n; i++) {
      if (live[i] && demand.units(i) <= unlocked[i]) {
        return true;
      }
    }
    return false;
  }

  /** {@code unlocked -= demand}, saturating. */
  static void subtract(long[] unlocked, Budget demand) {
    for (int i = 0; i < unlocked.length; i++) {
      unlocked[i] = Budget.saturatingAdd(unlocked[i], -demand.units(i));
    }
  }
}
