package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.ledger.BlockLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scheduling pass as a pure function of a {@link Snapshot} (DPF paper, section 4):
 *
 * <ol>
 *   <li>blocks that unlock over time (DPF-T) are brought up to date at {@code now};
 *   <li>each waiting claim that is malformed, past its deadline, or can never fit (above a block's
 *       capacity or above what is not consumed, at every usable order) is denied with the reason;
 *   <li>the others are walked in the policy's order, and each one that fits the unlocked budget on
 *       all of its blocks is granted there at once (all-or-nothing); the others are skipped;
 *   <li>each claim still waiting is told its place in the queue and the block and numbers that stop
 *       it.
 * </ol>
 *
 * <p>The tests run on exact fixed-point units (see {@link Budget}) held in per-block arrays, with
 * no allocation per (claim, block) pair; the messages of denials come from the same {@link Rules}
 * the engine uses, and the resulting ledgers go through {@link BlockLedger#grant}, which checks
 * every invariant again.
 */
public final class SchedulingPass {

  private SchedulingPass() {}

  /**
   * The outcome of a pass.
   *
   * @param decision what changed, for the caller to persist
   * @param after the snapshot with the decision applied
   * @param waiting the claims still waiting, in queue order, with the reason
   */
  public record Result(Decision decision, Snapshot after, List<Waiting> waiting) {}

  /** Runs a pass over {@code snapshot} at {@code now} under {@code policy}. */
  public static Result run(Snapshot snapshot, Policy policy, Instant now) {
    Map<String, BlockState> blocks = new HashMap<>(snapshot.blocks());
    TreeMap<String, BlockLedger> changed = new TreeMap<>();
    for (BlockState b : snapshot.blocks().values()) {
      if (b.unlock().timeDriven()) {
        BlockState n = b.unlockedAt(now);
        if (n != b) {
          blocks.put(n.id(), n);
          changed.put(n.id(), n.ledger());
        }
      }
    }

    Map<String, Work> work = new HashMap<>();
    List<Denial> denials = new ArrayList<>();
    List<Candidate> candidates = new ArrayList<>(snapshot.waiting().size());
    int stamp = 0;
    for (ClaimRequest c : snapshot.waiting()) {
      stamp++;
      Work[] ws = resolve(c, blocks, work, stamp);
      Denial d = null;
      if (ws == null) {
        d = Rules.validate(c, blocks::get);
        if (d == null) {
          throw new IllegalStateException("claim " + c.id() + " failed a check it passes");
        }
      }
      if (d == null) {
        d = Rules.timedOut(c, now);
      }
      if (d == null) {
        for (int i = 0; i < ws.length; i++) {
          Work w = ws[i];
          if (!Kernel.fits(c.demands().get(i), w.notConsumed, w.live, w.basic)) {
            d = Rules.infeasible(c, ledgers(ws));
            break;
          }
        }
      }
      if (d != null) {
        denials.add(d);
      } else {
        candidates.add(new Candidate(c, shares(c, ws), ws));
      }
    }
    sort(candidates, policy);

    List<Grant> grants = new ArrayList<>();
    List<Candidate> still = new ArrayList<>();
    for (Candidate cand : candidates) {
      if (cand.fits()) {
        cand.take();
        grants.add(new Grant(cand.id(), cand.request.blocks(), cand.request.demands()));
      } else {
        still.add(cand);
      }
    }

    for (Work w : work.values()) {
      if (w.granted != null) {
        BlockLedger l = w.ledger.grant(w.ledger.total().withUnits(w.granted));
        blocks.put(w.id, blocks.get(w.id).withLedger(l));
        changed.put(w.id, l);
        w.ledger = l;
      }
    }
    denials.sort(Comparator.comparing(Denial::claimId));
    Decision decision = new Decision(grants, denials, changed);

    List<Waiting> waiting = new ArrayList<>(still.size());
    int position = 1;
    for (Candidate cand : still) {
      waiting.add(cand.waiting(position++));
    }
    // the snapshot after: waiting claims keep the snapshot's order; unchanged parts are shared
    List<ClaimRequest> stillRequests = snapshot.waiting();
    if (!grants.isEmpty() || !denials.isEmpty()) {
      java.util.Set<String> decided = new java.util.HashSet<>();
      grants.forEach(g -> decided.add(g.claimId()));
      denials.forEach(x -> decided.add(x.claimId()));
      List<ClaimRequest> left = new ArrayList<>(still.size());
      for (ClaimRequest c : snapshot.waiting()) {
        if (!decided.contains(c.id())) {
          left.add(c);
        }
      }
      stillRequests = java.util.Collections.unmodifiableList(left);
    }
    java.util.SortedMap<String, Grant> allocated = snapshot.allocated();
    if (!grants.isEmpty()) {
      TreeMap<String, Grant> fresh = new TreeMap<>();
      grants.forEach(g -> fresh.put(g.claimId(), g));
      TreeMap<String, Grant> a;
      if (allocated.isEmpty()) {
        a = fresh;
      } else {
        a = new TreeMap<>(allocated); // linear copy of a sorted map
        a.putAll(fresh);
      }
      allocated = java.util.Collections.unmodifiableSortedMap(a);
    }
    java.util.SortedMap<String, BlockState> blocksAfter = snapshot.blocks();
    if (!changed.isEmpty()) {
      blocksAfter = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(blocks));
    }
    Snapshot after = Snapshot.ofViews(blocksAfter, stillRequests, allocated);
    return new Result(decision, after, waiting);
  }

  /**
   * Sorts the candidates in the policy's order. Under DPF many claims have the same share vector
   * (same demand on blocks of the same size), and comparing vectors dominates a pass over 100,000
   * claims; so the distinct vectors are sorted once and ranked, and the claims are sorted by rank,
   * then arrival, then id: the same order as {@link Policy#dpf()}, with primitive comparisons.
   */
  private static void sort(List<Candidate> candidates, Policy policy) {
    if (policy != Policy.dpf()) {
      candidates.sort(policy);
      return;
    }
    Map<ShareVector, List<Candidate>> groups = new HashMap<>();
    for (Candidate c : candidates) {
      groups.computeIfAbsent(new ShareVector(c.shares), k -> new ArrayList<>()).add(c);
    }
    List<ShareVector> distinct = new ArrayList<>(groups.keySet());
    Comparator<double[]> byShares = SchedulingPass::compareShares;
    distinct.sort((x, y) -> byShares.compare(x.shares, y.shares));
    int rank = 0;
    double[] previous = null;
    for (ShareVector v : distinct) {
      if (previous != null && compareShares(previous, v.shares) != 0) {
        rank++;
      }
      previous = v.shares;
      for (Candidate c : groups.get(v)) {
        c.rank = rank;
      }
    }
    candidates.sort(
        (a, b) -> {
          int r = Integer.compare(a.rank, b.rank);
          if (r != 0) {
            return r;
          }
          int t = Long.compare(a.arrival(), b.arrival());
          return t != 0 ? t : a.id().compareTo(b.id());
        });
  }

  /** DPF's comparison of share vectors (largest first; a missing share counts as 0). */
  static int compareShares(double[] x, double[] y) {
    int n = Math.max(x.length, y.length);
    for (int i = 0; i < n; i++) {
      int c = Double.compare(i < x.length ? x[i] : 0, i < y.length ? y[i] : 0);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** A share vector as a hash key (content equality). */
  private record ShareVector(double[] shares) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ShareVector v && Arrays.equals(shares, v.shares);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(shares);
    }
  }

  /**
   * The claim's blocks, or null if the claim is malformed (no block, an unknown or repeated block,
   * a demand of the wrong shape, negative or zero everywhere): the same tests as {@link
   * Rules#validate}, which then words the denial.
   */
  private static Work[] resolve(
      ClaimRequest c, Map<String, BlockState> blocks, Map<String, Work> work, int stamp) {
    List<String> ids = c.blocks();
    int n = ids.size();
    if (n == 0) {
      return null;
    }
    Work[] ws = new Work[n];
    boolean positive = false;
    for (int i = 0; i < n; i++) {
      String id = ids.get(i);
      Work w = work.get(id);
      if (w == null) {
        BlockState b = blocks.get(id);
        if (b == null) {
          return null;
        }
        w = new Work(id, b.ledger());
        work.put(id, w);
      }
      if (w.stamp == stamp) {
        return null; // listed twice
      }
      w.stamp = stamp;
      Budget d = c.demands().get(i);
      if (d == null || !d.sameShape(w.ledger.total()) || !d.isNonNegative()) {
        return null;
      }
      positive |= !d.isZero();
      ws[i] = w;
    }
    return positive ? ws : null;
  }

  private static double[] shares(ClaimRequest c, Work[] ws) {
    double[] s = new double[ws.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = Kernel.share(c.demands().get(i), ws[i].capacity, ws[i].usable);
    }
    return Rules.largestFirst(s);
  }

  private static BlockLedger[] ledgers(Work[] ws) {
    BlockLedger[] l = new BlockLedger[ws.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = ws[i].ledger;
    }
    return l;
  }

  /** A block during the pass: its numbers as arrays, and what the pass granted on it. */
  private static final class Work {
    final String id;
    BlockLedger ledger;
    final long[] capacity;
    final boolean[] usable;
    final long[] notConsumed;
    final long[] unlocked;
    final boolean[] live;
    final boolean basic;
    long[] granted;
    int stamp;

    Work(String id, BlockLedger ledger) {
      this.id = id;
      this.ledger = ledger;
      Budget g = ledger.total();
      int n = g.dimensions();
      this.capacity = new long[n];
      this.notConsumed = new long[n];
      this.unlocked = new long[n];
      Budget nc = ledger.notConsumed();
      for (int i = 0; i < n; i++) {
        capacity[i] = g.units(i);
        notConsumed[i] = nc.units(i);
        unlocked[i] = ledger.unlocked().units(i);
      }
      this.usable = ledger.capacity().usable();
      this.live = ledger.liveFlags();
      this.basic = g.kind() == Budget.Kind.BASIC;
    }
  }

  private static final class Candidate extends Rules.Ranked {
    final Work[] work;
    int rank;

    Candidate(ClaimRequest request, double[] shares, Work[] work) {
      super(request, shares);
      this.work = work;
    }

    boolean fits() {
      return blocking() < 0;
    }

    /** The index of the first block the demand does not fit now, or -1. */
    int blocking() {
      for (int k = 0; k < work.length; k++) {
        if (!Kernel.fits(request.demands().get(k), work[k].unlocked, work[k].live, work[k].basic)) {
          return k;
        }
      }
      return -1;
    }

    void take() {
      for (int k = 0; k < work.length; k++) {
        Work w = work[k];
        Budget d = request.demands().get(k);
        Kernel.subtract(w.unlocked, d);
        if (w.granted == null) {
          w.granted = new long[w.unlocked.length];
        }
        Kernel.add(w.granted, d);
      }
    }

    Waiting waiting(int position) {
      int k = blocking();
      if (k < 0) {
        return new Waiting(
            id(), position, dominantShare(), null, () -> "fits; waiting for the next pass");
      }
      return Rules.waitingOn(request, k, work[k].ledger, position, dominantShare());
    }
  }
}
