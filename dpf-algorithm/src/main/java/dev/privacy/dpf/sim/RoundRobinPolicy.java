package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.ledger.BlockLedger;
import dev.privacy.dpf.sched.UnlockRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The round-robin baseline of the paper's simulator (REFERENCE section 3), a simulator-only policy:
 * a block's budget unlocks as under DPF-N ({@code 1/N} per arrival, "RR-N") or DPF-T (linearly over
 * {@code T}, on a timer tick, "RR-T"), and each time it does, the block's unlocked budget is split
 * evenly among the claims waiting on it, each claim accumulating its part until its demand is met
 * on every one of its blocks; then it is granted. The split is max-min fair, component by component
 * (epsilon and delta): a claim never takes more than it still needs, and what it leaves goes to the
 * others, as the original's {@code max_min_fair_allocation} does.
 *
 * <p>As in the original, budget a claim has accumulated is never given back: when the claim times
 * out, or is denied because a fully unlocked block has nothing left for it, what it accumulated is
 * lost (recorded as consumed). A claim that still needs budget from a fully unlocked block with
 * nothing left to split is denied at once.
 *
 * <p>Exact arithmetic: amounts are the fixed-point units of {@link Budget}, and each block's {@link
 * BlockLedger} holds the state and checks its invariants: accumulated parts are allocated budget
 * ({@code U -> A}), a grant consumes them ({@code A -> C}). The split is done lazily with a water
 * level per block and component (every claim still needing a component has received the same amount
 * of it since it arrived), so an event costs {@code O(log k)} for {@code k} waiting claims, not
 * {@code O(k)}. Round robin is defined for basic composition only (the original raised "no rdp x
 * RR"): under Rényi accounting a claim only has to fit at one order, and an even split of a curve
 * has no such meaning.
 */
public final class RoundRobinPolicy implements SimPolicy {

  private final String name;
  private final String describe;
  private final UnlockRule rule;

  private RoundRobinPolicy(String name, String describe, UnlockRule rule) {
    this.name = name;
    this.describe = describe;
    this.rule = Objects.requireNonNull(rule, "rule");
  }

  /** RR-N: each arrival unlocks {@code 1/N} of each of its blocks. */
  public static RoundRobinPolicy perArrival(int n) {
    return new RoundRobinPolicy("rr-n", "rr-n N=" + n, new UnlockRule.PerArrival(n));
  }

  /** RR-T: blocks unlock linearly over the lifetime {@code T}, on a timer tick. */
  public static RoundRobinPolicy overTime(Duration lifetime) {
    return new RoundRobinPolicy(
        "rr-t", "rr-t T=" + Sweep.formatSeconds(lifetime), new UnlockRule.OverTime(lifetime));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String describe() {
    return describe;
  }

  @Override
  public SimScheduler start(Trace trace) {
    return new Run(rule.timeDriven() ? trace.arrivalIntervalNanos() : 0);
  }

  @Override
  public String toString() {
    return describe;
  }

  /** Basic budgets from units: {@code (epsilon units, delta units)}. */
  private static final Budget EPSILON_UNIT = Budget.epsDelta(1e-12, 0);

  private static final Budget DELTA_UNIT = Budget.epsDelta(0, 1e-18);
  private static final int DIMENSIONS = 2;

  private static Budget basic(long epsilonUnits, long deltaUnits) {
    return EPSILON_UNIT.times(epsilonUnits).plus(DELTA_UNIT.times(deltaUnits));
  }

  /** A block: its ledger, and per component a water level and the claims still needing it. */
  private static final class Blk {
    final String id;
    final Instant start;
    BlockLedger ledger;
    long arrivals;
    final long[] level = new long[DIMENSIONS];
    final List<TreeSet<Holding>> needing = new ArrayList<>(DIMENSIONS);

    Blk(String id, Instant start, BlockLedger ledger) {
      this.id = id;
      this.start = start;
      this.ledger = ledger;
      for (int c = 0; c < DIMENSIONS; c++) {
        final int comp = c;
        needing.add(
            new TreeSet<>(
                Comparator.comparingLong((Holding h) -> h.full[comp])
                    .thenComparingInt(h -> h.claim.claim.index())));
      }
    }

    boolean anyNeeding() {
      for (TreeSet<Holding> s : needing) {
        if (!s.isEmpty()) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * A claim's part of one block. While it needs component {@code c}, it has accumulated {@code
   * level[c] - mark[c]} of it, and is full when the level reaches {@code full[c] = mark[c] +
   * demand[c]}.
   */
  private static final class Holding {
    final Pending claim;
    final Blk blk;
    final long[] mark = new long[DIMENSIONS];
    final long[] full = new long[DIMENSIONS];
    final boolean[] needs = new boolean[DIMENSIONS];
    int needCount;

    Holding(Pending claim, Blk blk) {
      this.claim = claim;
      this.blk = blk;
      Budget d = claim.claim.demand();
      for (int c = 0; c < DIMENSIONS; c++) {
        long want = d.units(c);
        if (want > 0) {
          mark[c] = blk.level[c];
          full[c] = blk.level[c] + want;
          needs[c] = true;
          needCount++;
        }
      }
    }

    /** What it has accumulated so far. */
    Budget accumulated() {
      Budget d = claim.claim.demand();
      long[] u = new long[DIMENSIONS];
      for (int c = 0; c < DIMENSIONS; c++) {
        u[c] = needs[c] ? blk.level[c] - mark[c] : d.units(c);
      }
      return basic(u[0], u[1]);
    }
  }

  /** A waiting claim. */
  private static final class Pending {
    final SimClaim claim;
    final List<Holding> holdings = new ArrayList<>();
    int unmet;

    Pending(SimClaim claim) {
      this.claim = claim;
    }
  }

  private final class Run implements SimScheduler {
    private final Map<String, Blk> blocks = new HashMap<>();
    private final List<Blk> order = new ArrayList<>();
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final long tick;

    Run(long tick) {
      this.tick = tick;
    }

    @Override
    public void addBlock(SimBlock block, long nowNanos) {
      if (block.capacity().capacity().kind() != Budget.Kind.BASIC) {
        throw new IllegalArgumentException(
            "round robin is defined for basic accounting only (block "
                + block.id()
                + " uses Renyi accounting)");
      }
      Instant start = VirtualTime.instant(block.createdNanos());
      Blk b = new Blk(block.id(), start, BlockLedger.fresh(block.capacity()));
      b.ledger = rule.apply(b.ledger, 0, start, start);
      blocks.put(b.id, b);
      order.add(b);
    }

    @Override
    public void arrive(SimClaim claim, long nowNanos, Outcomes out) {
      if (claim.demand().kind() != Budget.Kind.BASIC) {
        throw new IllegalArgumentException("round robin is defined for basic accounting only");
      }
      Pending p = new Pending(claim);
      for (String id : claim.blocks()) {
        Blk b = Objects.requireNonNull(blocks.get(id), id);
        b.arrivals++;
        Holding h = new Holding(p, b);
        p.holdings.add(h);
        if (h.needCount > 0) {
          p.unmet++;
          for (int c = 0; c < DIMENSIONS; c++) {
            if (h.needs[c]) {
              b.needing.get(c).add(h);
            }
          }
        }
      }
      pending.put(claim.index(), p);
      if (p.unmet == 0) {
        grant(p, nowNanos, out);
        return;
      }
      if (!rule.timeDriven()) {
        for (Holding h : p.holdings) {
          refresh(h.blk, nowNanos, out);
        }
      }
    }

    @Override
    public long tickNanos() {
      return tick;
    }

    @Override
    public void tick(long nowNanos, Outcomes out) {
      for (Blk b : order) {
        refresh(b, nowNanos, out);
      }
    }

    @Override
    public boolean wantsDeadlines() {
      return true;
    }

    @Override
    public void deadline(SimClaim claim, long nowNanos, Outcomes out) {
      Pending p = pending.get(claim.index());
      if (p != null) {
        drop(p, nowNanos, out);
      }
    }

    @Override
    public void forEachLedger(BiConsumer<String, BlockLedger> action) {
      for (Blk b : order) {
        action.accept(b.id, b.ledger);
      }
    }

    /** Unlocks what the rule allows now, splits it, grants the claims it completes. */
    private void refresh(Blk b, long nowNanos, Outcomes out) {
      b.ledger = rule.apply(b.ledger, b.arrivals, b.start, VirtualTime.instant(nowNanos));
      if (!b.anyNeeding()) {
        return;
      }
      List<Holding> met = new ArrayList<>();
      long[] given = new long[DIMENSIONS];
      Budget pool = b.ledger.unlocked();
      for (int c = 0; c < DIMENSIONS; c++) {
        given[c] = split(b, c, pool.units(c), met);
      }
      if (given[0] != 0 || given[1] != 0) {
        b.ledger = b.ledger.grant(basic(given[0], given[1]));
      }
      for (Holding h : met) {
        if (--h.claim.unmet == 0) {
          grant(h.claim, nowNanos, out);
        }
      }
      if (b.ledger.locked().isZero() && b.anyNeeding()) {
        // fully unlocked and split to the last unit: nothing more will come, nothing comes back
        java.util.Set<Pending> stuck = new java.util.LinkedHashSet<>();
        for (TreeSet<Holding> s : b.needing) {
          for (Holding h : s) {
            stuck.add(h.claim);
          }
        }
        for (Pending p : stuck) {
          drop(p, nowNanos, out);
        }
      }
    }

    /**
     * Max-min fair split of {@code pool} units of component {@code c} among the claims needing it:
     * raise the block's water level until the pool runs out, completing claims whose level is
     * reached on the way. Returns the units given; adds completed holdings to {@code met}.
     */
    private long split(Blk b, int c, long pool, List<Holding> met) {
      TreeSet<Holding> s = b.needing.get(c);
      long given = 0;
      while (!s.isEmpty() && pool > 0) {
        long m = s.size();
        long next = s.first().full[c] - b.level[c];
        if (pool / m >= next) {
          b.level[c] += next;
          pool -= next * m;
          given += next * m;
          while (!s.isEmpty() && s.first().full[c] == b.level[c]) {
            Holding h = s.pollFirst();
            h.needs[c] = false;
            if (--h.needCount == 0) {
              met.add(h);
            }
          }
        } else {
          long inc = pool / m;
          b.level[c] += inc;
          given += inc * m;
          break;
        }
      }
      return given;
    }

    private void grant(Pending p, long nowNanos, Outcomes out) {
      for (Holding h : p.holdings) {
        Budget d = p.claim.demand();
        h.blk.ledger = h.blk.ledger.consume(d, d);
      }
      pending.remove(p.claim.index());
      out.granted(p.claim.index(), nowNanos);
    }

    /** Denies a waiting claim; what it accumulated is lost, as in the original. */
    private void drop(Pending p, long nowNanos, Outcomes out) {
      for (Holding h : p.holdings) {
        Budget acc = h.accumulated();
        for (int c = 0; c < DIMENSIONS; c++) {
          if (h.needs[c]) {
            h.blk.needing.get(c).remove(h);
          }
        }
        if (!acc.isZero()) {
          h.blk.ledger = h.blk.ledger.consume(acc, acc);
        }
      }
      pending.remove(p.claim.index());
      out.denied(p.claim.index(), nowNanos);
    }
  }
}
