package dev.privacy.dpf.sched;

import java.util.Comparator;

/**
 * A scheduling policy: the order in which waiting claims are offered the unlocked budget. Every
 * pass walks the waiting claims in this order and grants each one that fits on all of its blocks
 * (all-or-nothing, skipping those that do not fit). The order must be total and must not change
 * while a claim waits.
 */
public interface Policy extends Comparator<RankedClaim> {

  /** The policy's name, e.g. {@code dpf}. */
  String name();

  /**
   * DPF (paper, section 4): ascending dominant share; ties broken by the second-largest share, then
   * the third, and so on (a missing share counts as 0), then by arrival, then by id.
   */
  static Policy dpf() {
    return Standard.DPF;
  }

  /** First come, first served: by arrival, then by id. */
  static Policy fcfs() {
    return Standard.FCFS;
  }

  /** The built-in policies. */
  enum Standard implements Policy {
    DPF {
      @Override
      public int compare(RankedClaim a, RankedClaim b) {
        int first = Double.compare(a.dominantShare(), b.dominantShare());
        if (first != 0) {
          return first;
        }
        int rest = SchedulingPass.compareShares(a.shares(), b.shares());
        return rest != 0 ? rest : FCFS.compare(a, b);
      }
    },
    FCFS {
      @Override
      public int compare(RankedClaim a, RankedClaim b) {
        int c = Long.compare(a.arrival(), b.arrival());
        return c != 0 ? c : a.id().compareTo(b.id());
      }
    };

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
