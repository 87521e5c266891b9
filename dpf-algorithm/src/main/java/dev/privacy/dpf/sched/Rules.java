package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.ledger.BlockLedger;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The rules a pass applies to one claim, shared by {@link SchedulingPass} and {@link
 * SchedulingEngine} so that both decide alike.
 */
final class Rules {

  private Rules() {}

  /** Why the claim is malformed against the known blocks, or null if it is well formed. */
  static Denial validate(ClaimRequest c, Function<String, BlockState> blocks) {
    List<String> ids = c.blocks();
    if (ids.isEmpty()) {
      return new Denial(c.id(), DenialReason.NO_MATCHING_BLOCKS, "the claim selects no block");
    }
    Set<String> seen = new HashSet<>();
    boolean positive = false;
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      if (!seen.add(id)) {
        return new Denial(
            c.id(), DenialReason.INVALID, "blocks[" + i + "]: block " + id + " is listed twice");
      }
      BlockState b = blocks.apply(id);
      if (b == null) {
        return new Denial(
            c.id(), DenialReason.NO_MATCHING_BLOCKS, "block " + id + " does not exist");
      }
      Budget d = c.demands().get(i);
      Budget g = b.ledger().total();
      if (d == null || !d.sameShape(g)) {
        return new Denial(
            c.id(),
            DenialReason.INVALID,
            "demand on block "
                + id
                + " is "
                + (d == null ? "missing" : d.describeShape())
                + ", but the block accounts in "
                + g.describeShape());
      }
      if (!d.isNonNegative()) {
        return new Denial(
            c.id(), DenialReason.INVALID, "demand on block " + id + " is negative: " + d);
      }
      positive |= !d.isZero();
    }
    if (!positive) {
      return new Denial(
          c.id(),
          DenialReason.INVALID,
          "the demand is zero on every block: a claim must demand a positive budget");
    }
    return null;
  }

  /** A timeout denial if the claim's deadline has passed at {@code now}, else null. */
  static Denial timedOut(ClaimRequest c, Instant now) {
    if (c.deadline() != null && !c.deadline().isAfter(now)) {
      return new Denial(
          c.id(), DenialReason.TIMEOUT, "the claim waited until its deadline " + c.deadline());
    }
    return null;
  }

  /** An infeasibility denial if a block can never fit the demand, else null. */
  static Denial infeasible(ClaimRequest c, BlockLedger[] ledgers) {
    for (int i = 0; i < ledgers.length; i++) {
      BlockLedger l = ledgers[i];
      Budget d = c.demands().get(i);
      if (!l.canEverFit(d)) {
        return new Denial(
            c.id(),
            DenialReason.INFEASIBLE,
            "block "
                + c.blocks().get(i)
                + " can never fit the demand: "
                + shortfall(d, l.notConsumed(), l, "not yet consumed"));
      }
    }
    return null;
  }

  /** The claim's shares of its blocks, largest first. */
  static double[] shares(ClaimRequest c, BlockLedger[] ledgers) {
    double[] s = new double[ledgers.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = ledgers[i].share(c.demands().get(i));
    }
    return largestFirst(s);
  }

  /** Sorts shares in place, largest first, and returns them. */
  static double[] largestFirst(double[] s) {
    Arrays.sort(s);
    for (int i = 0, j = s.length - 1; i < j; i++, j--) {
      double t = s[i];
      s[i] = s[j];
      s[j] = t;
    }
    return s;
  }

  /** Why a claim that did not fit is still waiting, with the numbers (worded lazily). */
  static Waiting waiting(ClaimRequest c, BlockLedger[] ledgers, int position, double dominant) {
    for (int i = 0; i < ledgers.length; i++) {
      BlockLedger l = ledgers[i];
      Budget d = c.demands().get(i);
      if (!l.canGrant(d)) {
        return waitingOn(c, i, l, position, dominant);
      }
    }
    return new Waiting(c.id(), position, dominant, null, () -> "fits; waiting for the next pass");
  }

  /** A claim waiting on its {@code i}-th block, whose ledger is {@code l}. */
  static Waiting waitingOn(ClaimRequest c, int i, BlockLedger l, int position, double dominant) {
    return waitingOn(c, i, c.blocks().get(i), l, position, dominant);
  }

  /** Same, for a caller that knows the block's id ({@code c.blocks().get(i)}). */
  static Waiting waitingOn(
      ClaimRequest c, int i, String block, BlockLedger l, int position, double dominant) {
    return new Waiting(
        c.id(),
        position,
        dominant,
        block,
        () ->
            "block "
                + block
                + ": "
                + shortfall(c.demands().get(i), l.unlocked(), l, "unlocked and free"));
  }

  /**
   * Describes where {@code demand} misses {@code available}: under basic accounting the first
   * component that does not fit; under Rényi accounting the usable order that comes closest.
   */
  static String shortfall(Budget demand, Budget available, BlockLedger l, String what) {
    int best = -1;
    double bestGap = Double.POSITIVE_INFINITY;
    for (int i = 0; i < demand.dimensions(); i++) {
      if (!l.live(i)) {
        continue;
      }
      double gap = demand.value(i) - available.value(i);
      if (demand.kind() == Budget.Kind.BASIC) {
        if (demand.units(i) > available.units(i)) {
          best = i;
          break;
        }
      } else if (gap < bestGap) {
        bestGap = gap;
        best = i;
      }
    }
    if (best < 0) {
      return demand.kind() == Budget.Kind.BASIC
          ? "the block has no usable budget"
          : "the block has no usable Renyi order (capacity <= 0 at every order for epsilon="
              + Budget.format(l.capacity().epsilon())
              + ", delta="
              + Budget.format(l.capacity().delta())
              + ")";
    }
    String where =
        demand.kind() == Budget.Kind.BASIC
            ? demand.dimensionName(best)
            : "best " + demand.dimensionName(best) + " (no usable order fits)";
    return "at "
        + where
        + " it has "
        + fmtFree(available, best)
        + " "
        + what
        + " of "
        + fmt(l.total(), best)
        + ", the claim needs "
        + fmt(demand, best);
  }

  /**
   * What is free at order {@code i}, never below zero: under Renyi accounting a block's grants may
   * exceed its unlocked level at orders where they did not have to fit, which leaves nothing free
   * there (not a negative amount).
   */
  private static String fmtFree(Budget b, int i) {
    return b.isSaturated(i) || b.value(i) >= 0 ? fmt(b, i) : "0";
  }

  private static String fmt(Budget b, int i) {
    return b.isSaturated(i) ? "more than any capacity" : Budget.format(b.value(i));
  }

  /** A claim with its blocks resolved and its shares computed, as a policy sees it. */
  static class Ranked implements RankedClaim {
    final ClaimRequest request;
    double[] shares;
    double dominant;

    Ranked(ClaimRequest request, double[] shares) {
      this.request = request;
      setShares(shares);
    }

    final void setShares(double[] shares) {
      this.shares = shares;
      this.dominant = shares == null || shares.length == 0 ? 0 : shares[0];
    }

    @Override
    public double dominantShare() {
      return dominant;
    }

    @Override
    public String id() {
      return request.id();
    }

    @Override
    public long arrival() {
      return request.arrival();
    }

    @Override
    public double[] shares() {
      return shares;
    }
  }
}
