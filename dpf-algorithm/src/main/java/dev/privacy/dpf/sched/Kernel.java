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

  /** Same as {@link Budget#share}, on raw capacity units. */
  static double share(Budget demand, long[] capacity, boolean[] usable) {
    double max = 0;
    for (int i = 0; i < capacity.length; i++) {
      if (usable[i] && capacity[i] > 0) {
        double s = (double) demand.units(i) / capacity[i];
        if (s > max) {
          max = s;
        }
      }
    }
    return max;
  }

  /** {@code sum += demand}, saturating. */
  static void add(long[] sum, Budget demand) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] = Budget.saturatingAdd(sum[i], demand.units(i));
    }
  }

  /** {@code unlocked -= demand}, saturating. */
  static void subtract(long[] unlocked, Budget demand) {
    for (int i = 0; i < unlocked.length; i++) {
      unlocked[i] = Budget.saturatingAdd(unlocked[i], -demand.units(i));
    }
  }
}
