package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.ledger.BlockLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

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
 * <p>The pass is a scan over flat arrays: the snapshot's {@link ClaimIndex} holds each claim's
 * blocks as integer indices, its demands as units and its shares, resolved once for the snapshot
 * (and carried over to the snapshot after the pass), and the pass copies each block's unlocked and
 * not-consumed units into arrays indexed the same way. The tests run on exact fixed-point units
 * (see {@link Budget}), with no allocation per (claim, block) pair; the messages of denials come
 * from the same {@link Rules} the engine uses, and the resulting ledgers go through {@link
 * BlockLedger#grant}, which checks every invariant again.
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
    ClaimIndex ix = snapshot.index();
    int nb = ix.blockCount();
    int[] off = ix.blockOffset;

    // the blocks, brought up to date at now (DPF-T), and their numbers as flat arrays
    BlockState[] states = new BlockState[nb];
    BlockLedger[] changedLedger = new BlockLedger[nb];
    boolean anyChange = false;
    int b = 0;
    for (BlockState s : snapshot.blocks().values()) {
      if (s.unlock().timeDriven()) {
        BlockState n = s.unlockedAt(now);
        if (n != s) {
          changedLedger[b] = n.ledger();
          anyChange = true;
          s = n;
        }
      }
      states[b++] = s;
    }
    int components = off[nb];
    long[] unlocked = new long[components];
    long[] notConsumed = new long[components];
    boolean[] live = new boolean[components];
    for (b = 0; b < nb; b++) {
      BlockLedger l = states[b].ledger();
      Budget u = l.unlocked();
      Budget nc = l.notConsumed();
      for (int k = 0, o = off[b]; o < off[b + 1]; k++, o++) {
        unlocked[o] = u.units(k);
        notConsumed[o] = nc.units(k);
        live[o] = l.live(k);
      }
    }
    Function<String, BlockState> lookup =
        id -> {
          int i = ix.blockIndex(id);
          return i < 0 ? null : states[i];
        };

    // denials: malformed, past the deadline, or never able to fit
    int n = ix.claimCount();
    byte[] fate = new byte[n];
    List<Denial> denials = new ArrayList<>();
    boolean deadlines = ix.earliestDeadline != null && !ix.earliestDeadline.isAfter(now);
    for (int i = 0; i < n; i++) {
      Denial d = null;
      if (!ix.wellFormed[i]) {
        d = Rules.validate(ix.claims[i], lookup);
        if (d == null) {
          throw new IllegalStateException(
              "claim " + ix.claims[i].id() + " failed a check it passes");
        }
      } else {
        if (deadlines) {
          d = Rules.timedOut(ix.claims[i], now);
        }
        if (d == null && misfit(ix, i, notConsumed, live) >= 0) {
          d = Rules.infeasible(ix.claims[i], ledgers(ix, i, states));
        }
      }
      if (d != null) {
        denials.add(d);
        fate[i] = DENIED;
      }
    }

    // the walk in the policy's order: grant each claim that fits on all of its blocks
    int[] order = ix.order(policy);
    long[] granted = null;
    boolean[] touched = null;
    List<Grant> grants = new ArrayList<>();
    Grant[] grantOf = null;
    int[] walkMisfit = new int[n];
    for (int i : order) {
      if (fate[i] != WAITING) {
        continue;
      }
      int k = misfit(ix, i, unlocked, live);
      if (k >= 0) {
        walkMisfit[i] = k;
        continue;
      }
      if (granted == null) {
        granted = new long[components];
        touched = new boolean[nb];
        grantOf = new Grant[n];
      }
      take(ix, i, unlocked, granted, touched);
      fate[i] = GRANTED;
      ClaimRequest c = ix.claims[i];
      Grant g = new Grant(c.id(), c.blocks(), c.demands());
      grants.add(g);
      grantOf[i] = g;
    }
    for (b = 0; touched != null && b < nb; b++) {
      if (touched[b]) {
        BlockLedger before = states[b].ledger();
        BlockLedger l =
            before.grant(before.total().withUnits(Arrays.copyOfRange(granted, off[b], off[b + 1])));
        states[b] = states[b].withLedger(l);
        changedLedger[b] = l;
        anyChange = true;
      }
    }
    denials.sort(Comparator.comparing(Denial::claimId));
    SortedMap<String, BlockLedger> changed = changedLedgers(snapshot, ix, changedLedger, anyChange);
    Decision decision = new Decision(grants, denials, changed);

    // why each claim still waits, in queue order, against the budget left after the grants (when
    // nothing was granted, the budget is the one the walk saw, and so is the answer)
    boolean unchanged = grants.isEmpty();
    List<Waiting> waiting = new ArrayList<>(n - grants.size() - denials.size());
    int position = 1;
    for (int i : order) {
      if (fate[i] != WAITING) {
        continue;
      }
      ClaimRequest c = ix.claims[i];
      int k = unchanged ? walkMisfit[i] : misfit(ix, i, unlocked, live);
      double dominant = ix.dominantShare(i);
      if (k < 0) {
        waiting.add(
            new Waiting(
                c.id(), position++, dominant, null, () -> "fits; waiting for the next pass"));
      } else {
        int blk = ix.pairBlock[ix.pairStart[i] + k];
        waiting.add(
            Rules.waitingOn(c, k, ix.blockIds[blk], states[blk].ledger(), position++, dominant));
      }
    }

    Snapshot after = after(snapshot, ix, fate, grants, grantOf, denials, states, anyChange);
    return new Result(decision, after, waiting);
  }

  private static final byte WAITING = 0;
  private static final byte DENIED = 1;
  private static final byte GRANTED = 2;

  /**
   * The first of claim {@code i}'s blocks where its demand does not fit {@code available} (as a
   * position in the claim's list), or -1 if it fits on all of them. Basic accounting: every
   * component must fit; Rényi: one live order. The same test as {@link Budget#fitsWithin}, on the
   * flat arrays.
   */
  private static int misfit(ClaimIndex ix, int i, long[] available, boolean[] live) {
    int[] off = ix.blockOffset;
    long[] demand = ix.demandUnits;
    int from = ix.pairStart[i];
    int to = ix.pairStart[i + 1];
    for (int p = from; p < to; p++) {
      int b = ix.pairBlock[p];
      int o = off[b];
      int dims = off[b + 1] - o;
      int d = ix.pairDemand[p];
      boolean fits;
      if (ix.blockBasic[b]) {
        fits = true;
        for (int k = 0; k < dims; k++) {
          if (demand[d + k] > available[o + k]) {
            fits = false;
            break;
          }
        }
      } else {
        fits = false;
        for (int k = 0; k < dims; k++) {
          if (live[o + k] && demand[d + k] <= available[o + k]) {
            fits = true;
            break;
          }
        }
      }
      if (!fits) {
        return p - from;
      }
    }
    return -1;
  }

  /** Takes claim {@code i}'s demand: {@code unlocked -= d, granted += d} (saturating). */
  private static void take(
      ClaimIndex ix, int i, long[] unlocked, long[] granted, boolean[] touched) {
    int[] off = ix.blockOffset;
    long[] demand = ix.demandUnits;
    for (int p = ix.pairStart[i]; p < ix.pairStart[i + 1]; p++) {
      int b = ix.pairBlock[p];
      int d = ix.pairDemand[p];
      for (int o = off[b], k = 0; o < off[b + 1]; o++, k++) {
        unlocked[o] = Budget.saturatingAdd(unlocked[o], -demand[d + k]);
        granted[o] = Budget.saturatingAdd(granted[o], demand[d + k]);
      }
      touched[b] = true;
    }
  }

  private static BlockLedger[] ledgers(ClaimIndex ix, int i, BlockState[] states) {
    int from = ix.pairStart[i];
    BlockLedger[] l = new BlockLedger[ix.pairStart[i + 1] - from];
    for (int j = 0; j < l.length; j++) {
      l[j] = states[ix.pairBlock[from + j]].ledger();
    }
    return l;
  }

  /** The changed ledgers by block id, built in linear time when the blocks are in natural order. */
  private static SortedMap<String, BlockLedger> changedLedgers(
      Snapshot snapshot, ClaimIndex ix, BlockLedger[] changedLedger, boolean anyChange) {
    if (!anyChange) {
      return new TreeMap<>();
    }
    int nb = ix.blockCount();
    if (snapshot.blocks().comparator() != null) {
      TreeMap<String, BlockLedger> m = new TreeMap<>();
      for (int b = 0; b < nb; b++) {
        if (changedLedger[b] != null) {
          m.put(ix.blockIds[b], changedLedger[b]);
        }
      }
      return m;
    }
    String[] keys = new String[nb];
    BlockLedger[] values = new BlockLedger[nb];
    int m = 0;
    for (int b = 0; b < nb; b++) {
      if (changedLedger[b] != null) {
        keys[m] = ix.blockIds[b];
        values[m++] = changedLedger[b];
      }
    }
    return SortedMaps.ofSorted(keys, values, m);
  }

  /**
   * The snapshot after the pass: the claims still waiting keep the snapshot's order, and what did
   * not change is shared. Its index is derived from this one, when first needed, by dropping the
   * decided claims.
   */
  private static Snapshot after(
      Snapshot snapshot,
      ClaimIndex ix,
      byte[] fate,
      List<Grant> grants,
      Grant[] grantOf,
      List<Denial> denials,
      BlockState[] states,
      boolean blocksChanged) {
    int n = ix.claimCount();
    SortedMap<String, BlockState> blocksAfter = snapshot.blocks();
    if (blocksChanged) {
      if (snapshot.blocks().comparator() == null) {
        blocksAfter = SortedMaps.ofSorted(ix.blockIds, states, states.length);
      } else {
        TreeMap<String, BlockState> m = new TreeMap<>();
        for (BlockState s : states) {
          m.put(s.id(), s);
        }
        blocksAfter = m;
      }
      blocksAfter = Collections.unmodifiableSortedMap(blocksAfter);
    }
    if (grants.isEmpty() && denials.isEmpty()) {
      return Snapshot.ofViews(blocksAfter, snapshot.waiting(), snapshot.allocated(), ix);
    }
    if (!ix.uniqueIds) {
      return afterById(snapshot, grants, denials, blocksAfter);
    }
    boolean[] drop = new boolean[n];
    List<ClaimRequest> left = new ArrayList<>(n - grants.size() - denials.size());
    for (int i = 0; i < n; i++) {
      if (fate[i] == WAITING) {
        left.add(ix.claims[i]);
      } else {
        drop[i] = true;
      }
    }
    SortedMap<String, Grant> allocated = snapshot.allocated();
    if (!grants.isEmpty()) {
      allocated = Collections.unmodifiableSortedMap(merge(allocated, ix, grantOf, grants.size()));
    }
    return Snapshot.ofViews(
        blocksAfter, Collections.unmodifiableList(left), allocated, () -> ix.retain(drop));
  }

  /**
   * The grants held before plus the new ones (a new grant replaces an old one of the same id), as
   * one sorted map: both are walked in id order and merged, then the tree is built in linear time.
   */
  private static SortedMap<String, Grant> merge(
      SortedMap<String, Grant> old, ClaimIndex ix, Grant[] grantOf, int count) {
    if (old.comparator() != null && !old.isEmpty()) {
      TreeMap<String, Grant> a = new TreeMap<>(old); // keeps its comparator, as before
      for (Grant g : grantOf) {
        if (g != null) {
          a.put(g.claimId(), g);
        }
      }
      return a;
    }
    String[] keys = new String[old.size() + count];
    Grant[] values = new Grant[keys.length];
    int m = 0;
    Iterator<Map.Entry<String, Grant>> it = old.entrySet().iterator();
    Map.Entry<String, Grant> e = it.hasNext() ? it.next() : null;
    for (int i : ix.byId) {
      Grant g = grantOf[i];
      if (g == null) {
        continue;
      }
      String id = g.claimId();
      int c;
      while (e != null && (c = e.getKey().compareTo(id)) <= 0) {
        if (c < 0) {
          keys[m] = e.getKey();
          values[m++] = e.getValue();
        }
        e = it.hasNext() ? it.next() : null;
      }
      keys[m] = id;
      values[m++] = g;
    }
    while (e != null) {
      keys[m] = e.getKey();
      values[m++] = e.getValue();
      e = it.hasNext() ? it.next() : null;
    }
    return SortedMaps.ofSorted(keys, values, m);
  }

  /** The snapshot after, when two waiting claims share an id: decided ids leave by id. */
  private static Snapshot afterById(
      Snapshot snapshot,
      List<Grant> grants,
      List<Denial> denials,
      SortedMap<String, BlockState> blocksAfter) {
    Set<String> decided = new HashSet<>();
    grants.forEach(g -> decided.add(g.claimId()));
    denials.forEach(x -> decided.add(x.claimId()));
    List<ClaimRequest> left = new ArrayList<>();
    for (ClaimRequest c : snapshot.waiting()) {
      if (!decided.contains(c.id())) {
        left.add(c);
      }
    }
    SortedMap<String, Grant> allocated = snapshot.allocated();
    if (!grants.isEmpty()) {
      TreeMap<String, Grant> a = new TreeMap<>(allocated);
      grants.forEach(g -> a.put(g.claimId(), g));
      allocated = Collections.unmodifiableSortedMap(a);
    }
    return Snapshot.ofViews(blocksAfter, Collections.unmodifiableList(left), allocated);
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
}
