package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The waiting claims of a {@link Snapshot}, resolved against its blocks once and laid out in flat
 * primitive arrays (a struct of arrays), so that a {@link SchedulingPass} is a scan over arrays
 * instead of a walk over lists of ids, hash lookups and {@link Budget} objects.
 *
 * <p>Everything here depends only on what cannot change while the same claims wait on the same
 * blocks: which block each id names, each block's capacity (so the shape check and the shares), the
 * demands, and the policy's order of the claims (a {@link Policy} must not reorder a claim while it
 * waits). What a pass changes (unlocked, allocated and consumed budget) is read from the ledgers at
 * every pass. A snapshot builds its index on its first pass, and the snapshot a pass returns
 * derives its own from this one by dropping the decided claims ({@link #retain}).
 *
 * <p>Layout. Block {@code b} (in the order of {@link Snapshot#blocks()}) owns the components {@code
 * blockOffset[b] .. blockOffset[b + 1]} of every per-component array. Claim {@code i} (in the order
 * of {@link Snapshot#waiting()}) owns the pairs {@code pairStart[i] .. pairStart[i + 1]}, one per
 * block it names, in its own order: pair {@code p} is block {@code pairBlock[p]}, with the demand
 * units {@code demandUnits[pairDemand[p] ..]} (one per component of that block). Consecutive pairs
 * with the same demand share its units. {@code shares[pairStart[i] ..]} are the claim's shares,
 * largest first. The pair arrays are only meaningful for a well-formed claim.
 *
 * <p>Immutable once built, apart from the memo of the last policy order, which is published through
 * a volatile field; so an index may be shared between threads like its snapshot.
 */
final class ClaimIndex {

  // ---- blocks, in the snapshot's map order

  /** Block ids. */
  final String[] blockIds;

  /** The capacity each block had when the index was built (shapes and shares depend on it). */
  final BlockCapacity[] capacities;

  /** The first component of each block; one extra entry holds the number of components. */
  final int[] blockOffset;

  /** Whether each block accounts in basic composition (else Rényi). */
  final boolean[] blockBasic;

  /** Capacity units, per component. */
  final long[] capacityUnits;

  /** Usable flags, per component. */
  final boolean[] usable;

  private final IdTable blockTable;

  // ---- claims, in the snapshot's waiting order

  /** The claims. */
  final ClaimRequest[] claims;

  /** Whether each claim is well formed (else {@link Rules#validate} words its denial). */
  final boolean[] wellFormed;

  /** The first pair of each claim; one extra entry holds the number of pairs. */
  final int[] pairStart;

  /** The block index of each pair. */
  final int[] pairBlock;

  /** The offset of each pair's demand in {@link #demandUnits}. */
  final int[] pairDemand;

  /** Demand units, shared by the pairs that point at them. */
  final long[] demandUnits;

  /** Each claim's shares of its blocks, largest first, in its pair slots. */
  final double[] shares;

  /** Claim indices in id order. */
  final int[] byId;

  /** Whether no two waiting claims have the same id. */
  final boolean uniqueIds;

  /** The earliest deadline of a waiting claim, or null if none has one. */
  final Instant earliestDeadline;

  private volatile PolicyOrder lastOrder;

  /** The order a policy gives the well-formed claims, memoised for the last policy asked. */
  private record PolicyOrder(Policy policy, int[] order) {}

  private ClaimIndex(
      String[] blockIds,
      BlockCapacity[] capacities,
      int[] blockOffset,
      boolean[] blockBasic,
      long[] capacityUnits,
      boolean[] usable,
      IdTable blockTable,
      ClaimRequest[] claims,
      boolean[] wellFormed,
      int[] pairStart,
      int[] pairBlock,
      int[] pairDemand,
      long[] demandUnits,
      double[] shares,
      int[] byId,
      boolean uniqueIds,
      Instant earliestDeadline,
      PolicyOrder lastOrder) {
    this.blockIds = blockIds;
    this.capacities = capacities;
    this.blockOffset = blockOffset;
    this.blockBasic = blockBasic;
    this.capacityUnits = capacityUnits;
    this.usable = usable;
    this.blockTable = blockTable;
    this.claims = claims;
    this.wellFormed = wellFormed;
    this.pairStart = pairStart;
    this.pairBlock = pairBlock;
    this.pairDemand = pairDemand;
    this.demandUnits = demandUnits;
    this.shares = shares;
    this.byId = byId;
    this.uniqueIds = uniqueIds;
    this.earliestDeadline = earliestDeadline;
    this.lastOrder = lastOrder;
  }

  /** The number of blocks. */
  int blockCount() {
    return blockIds.length;
  }

  /** The number of claims. */
  int claimCount() {
    return claims.length;
  }

  /** The index of block {@code id}, or -1. */
  int blockIndex(String id) {
    return blockTable.get(id);
  }

  /** The dominant share of claim {@code i} (well formed, so it has a block). */
  double dominantShare(int i) {
    return shares[pairStart[i]];
  }

  /** Claim {@code i}'s shares, largest first, as a new array. */
  double[] sharesOf(int i) {
    return Arrays.copyOfRange(shares, pairStart[i], pairStart[i + 1]);
  }

  /**
   * Whether this index describes exactly the blocks and waiting claims of {@code s}: the same block
   * ids with the same capacities in the same order, and the same claim objects in the same order. A
   * cheap scan; the pass checks it before trusting an index it did not build itself.
   */
  boolean matches(Snapshot s) {
    if (s.blocks().size() != blockIds.length || s.waiting().size() != claims.length) {
      return false;
    }
    int b = 0;
    for (BlockState st : s.blocks().values()) {
      BlockCapacity c = st.ledger().capacity();
      if (!st.id().equals(blockIds[b]) || (c != capacities[b] && !c.equals(capacities[b]))) {
        return false;
      }
      b++;
    }
    int i = 0;
    for (ClaimRequest c : s.waiting()) {
      if (c != claims[i++]) {
        return false;
      }
    }
    return true;
  }

  // ---- building

  /** Resolves the waiting claims of {@code s} against its blocks. */
  static ClaimIndex build(Snapshot s) {
    int nb = s.blocks().size();
    String[] ids = new String[nb];
    BlockCapacity[] caps = new BlockCapacity[nb];
    Budget[] totals = new Budget[nb];
    int[] offset = new int[nb + 1];
    boolean[] basic = new boolean[nb];
    int b = 0;
    int components = 0;
    for (BlockState st : s.blocks().values()) {
      ids[b] = st.id();
      caps[b] = st.ledger().capacity();
      totals[b] = caps[b].capacity();
      basic[b] = totals[b].kind() == Budget.Kind.BASIC;
      offset[b] = components;
      components += totals[b].dimensions();
      b++;
    }
    offset[nb] = components;
    long[] capUnits = new long[components];
    boolean[] use = new boolean[components];
    for (b = 0; b < nb; b++) {
      for (int k = 0, o = offset[b]; o < offset[b + 1]; k++, o++) {
        capUnits[o] = totals[b].units(k);
        use[o] = caps[b].usable(k);
      }
    }
    IdTable table = new IdTable(ids);
    // blocks of equal capacity form one class: a demand has the same share of each of them
    int[] capClass = new int[nb];
    Map<BlockCapacity, Integer> classes = new HashMap<>();
    for (b = 0; b < nb; b++) {
      capClass[b] = classes.computeIfAbsent(caps[b], k -> classes.size());
    }

    ClaimRequest[] claims = s.waiting().toArray(new ClaimRequest[0]);
    int n = claims.length;
    int pairs = 0;
    for (ClaimRequest c : claims) {
      pairs += c.blocks().size();
    }
    int[] start = new int[n + 1];
    int[] pairBlock = new int[pairs];
    int[] pairDemand = new int[pairs];
    double[] shares = new double[pairs];
    boolean[] ok = new boolean[n];
    UnitPool pool = new UnitPool();
    int[] seen = new int[nb]; // claim index + 1 of the last claim that named the block
    Instant earliest = null;
    int p0 = 0;
    for (int i = 0; i < n; i++) {
      ClaimRequest c = claims[i];
      start[i] = p0;
      List<String> cb = c.blocks();
      List<Budget> cd = c.demands();
      int k = cb.size();
      ok[i] = resolve(i, cb, cd, table, totals, seen, pairBlock, p0);
      if (ok[i]) {
        Budget last = null;
        int lastOffset = -1;
        int shareOffset = -1;
        int shareClass = -1;
        double lastShare = 0;
        for (int j = 0; j < k; j++) {
          Budget d = cd.get(j);
          if (d != last) {
            lastOffset = pool.add(d);
            last = d;
          }
          pairDemand[p0 + j] = lastOffset;
          int bj = pairBlock[p0 + j];
          if (lastOffset != shareOffset || capClass[bj] != shareClass) {
            shareOffset = lastOffset;
            shareClass = capClass[bj];
            lastShare =
                share(
                    pool.units, lastOffset, capUnits, use, offset[bj], offset[bj + 1] - offset[bj]);
          }
          shares[p0 + j] = lastShare;
        }
        largestFirst(shares, p0, p0 + k);
      }
      if (c.deadline() != null && (earliest == null || c.deadline().isBefore(earliest))) {
        earliest = c.deadline();
      }
      p0 += k;
    }
    start[n] = p0;
    int[] byId = idOrder(claims);
    boolean unique = true;
    for (int j = 1; j < n && unique; j++) {
      unique = !claims[byId[j - 1]].id().equals(claims[byId[j]].id());
    }
    return new ClaimIndex(
        ids,
        caps,
        offset,
        basic,
        capUnits,
        use,
        table,
        claims,
        ok,
        start,
        pairBlock,
        pairDemand,
        pool.trimmed(),
        shares,
        byId,
        unique,
        earliest,
        null);
  }

  /**
   * Resolves claim {@code i}'s block ids into {@code pairBlock[p0 ..]}; false if the claim is
   * malformed: no block, an unknown or repeated block, a demand of the wrong shape or negative, or
   * zero everywhere. The same tests as {@link Rules#validate}, which then words the denial.
   */
  private static boolean resolve(
      int i,
      List<String> cb,
      List<Budget> cd,
      IdTable table,
      Budget[] totals,
      int[] seen,
      int[] pairBlock,
      int p0) {
    int k = cb.size();
    if (k == 0) {
      return false;
    }
    boolean positive = false;
    Budget last = null;
    boolean lastNonNegative = false;
    for (int j = 0; j < k; j++) {
      int bj = table.get(cb.get(j));
      if (bj < 0 || seen[bj] == i + 1) {
        return false;
      }
      seen[bj] = i + 1;
      Budget d = cd.get(j);
      if (d != last) {
        last = d;
        lastNonNegative = d.isNonNegative();
        positive |= lastNonNegative && !d.isZero();
      }
      if (!lastNonNegative || !d.sameShape(totals[bj])) {
        return false;
      }
      pairBlock[p0 + j] = bj;
    }
    return positive;
  }

  /** Same as {@link Budget#share}, on flat units. */
  private static double share(
      long[] demand, int d, long[] capacity, boolean[] usable, int c, int dims) {
    double max = 0;
    for (int k = 0; k < dims; k++) {
      long cap = capacity[c + k];
      if (usable[c + k] && cap > 0) {
        double s = (double) demand[d + k] / cap;
        if (s > max) {
          max = s;
        }
      }
    }
    return max;
  }

  /**
   * Sorts {@code a[from .. to)} largest first, as {@link Rules#largestFirst} does a whole array.
   */
  private static void largestFirst(double[] a, int from, int to) {
    Arrays.sort(a, from, to);
    for (int i = from, j = to - 1; i < j; i++, j--) {
      double t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Claim indices sorted by id (stable); the identity when the ids are already in order. */
  private static int[] idOrder(ClaimRequest[] claims) {
    int n = claims.length;
    boolean sorted = true;
    for (int i = 1; i < n && sorted; i++) {
      sorted = claims[i - 1].id().compareTo(claims[i].id()) <= 0;
    }
    if (sorted) {
      return identity(n);
    }
    Integer[] idx = boxedIdentity(n);
    Arrays.sort(idx, (x, y) -> claims[x].id().compareTo(claims[y].id()));
    return unbox(idx);
  }

  /**
   * Claim indices sorted by (arrival, id), stable (FCFS, and DPF's last tie-breaks); the identity
   * when the claims already wait in that order, as a snapshot of the engine lists them.
   */
  private int[] arrivalOrder() {
    int n = claims.length;
    boolean sorted = true;
    for (int i = 1; i < n && sorted; i++) {
      sorted = compareArrival(claims[i - 1], claims[i]) <= 0;
    }
    if (sorted) {
      return identity(n);
    }
    Integer[] idx = boxedIdentity(n);
    Arrays.sort(idx, (x, y) -> compareArrival(claims[x], claims[y]));
    return unbox(idx);
  }

  private static int compareArrival(ClaimRequest a, ClaimRequest b) {
    int c = Long.compare(a.arrival(), b.arrival());
    return c != 0 ? c : a.id().compareTo(b.id());
  }

  private static int[] identity(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  private static Integer[] boxedIdentity(int n) {
    Integer[] r = new Integer[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  private static int[] unbox(Integer[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = a[i];
    }
    return r;
  }

  // ---- the policy's order

  /**
   * The well-formed claims in {@code policy}'s order: the order in which a pass offers them the
   * budget (claims it denies are skipped). Computed once per policy and memoised.
   */
  int[] order(Policy policy) {
    PolicyOrder o = lastOrder;
    if (o != null && o.policy() == policy) {
      return o.order();
    }
    int[] order;
    if (policy == Policy.dpf()) {
      order = dpfOrder();
    } else if (policy == Policy.fcfs()) {
      order = fcfsOrder();
    } else {
      order = sortedBy(policy);
    }
    lastOrder = new PolicyOrder(policy, order);
    return order;
  }

  private int[] fcfsOrder() {
    int[] byArrival = arrivalOrder();
    int[] out = new int[byArrival.length];
    int m = 0;
    for (int i : byArrival) {
      if (wellFormed[i]) {
        out[m++] = i;
      }
    }
    return Arrays.copyOf(out, m);
  }

  /**
   * DPF's order ({@link Policy#dpf()}: share vectors ascending, then arrival, then id) with
   * primitive comparisons. Many claims have the same share vector (the same demand on blocks of the
   * same size), so the distinct vectors are sorted once and ranked; then each claim gets the key
   * {@code (rank, position in arrival order)} and the keys are sorted as longs.
   */
  private int[] dpfOrder() {
    int n = claims.length;
    int[] byArrival = arrivalOrder();
    int[] arrivalPos = new int[n];
    for (int pos = 0; pos < n; pos++) {
      arrivalPos[byArrival[pos]] = pos;
    }
    Map<Slice, Integer> groups = new HashMap<>(2 * n);
    List<Slice> distinct = new ArrayList<>();
    int[] group = new int[n];
    for (int i = 0; i < n; i++) {
      if (wellFormed[i]) {
        Slice v = new Slice(shares, pairStart[i], pairStart[i + 1]);
        Integer g = groups.putIfAbsent(v, distinct.size());
        if (g == null) {
          g = distinct.size();
          distinct.add(v);
        }
        group[i] = g;
      }
    }
    int groupCount = distinct.size();
    int[] byShares = identity(groupCount);
    double[] dominant = new double[groupCount];
    for (int g = 0; g < groupCount; g++) {
      dominant[g] = shares[distinct.get(g).from];
    }
    Slice[] vectors = distinct.toArray(new Slice[0]);
    sortGroups(byShares, new int[groupCount], 0, groupCount, dominant, vectors);
    int[] rank = new int[groupCount];
    int r = 0;
    for (int j = 0; j < groupCount; j++) {
      if (j > 0 && compareGroups(byShares[j - 1], byShares[j], dominant, vectors) != 0) {
        r++;
      }
      rank[byShares[j]] = r;
    }
    long[] keys = new long[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (wellFormed[i]) {
        keys[m++] = ((long) rank[group[i]] << 32) | arrivalPos[i];
      }
    }
    Arrays.sort(keys, 0, m);
    int[] order = new int[m];
    for (int j = 0; j < m; j++) {
      order[j] = byArrival[(int) keys[j]];
    }
    return order;
  }

  /** DPF's comparison of two share vectors: the dominant shares first, the rest on a tie. */
  private static int compareGroups(int x, int y, double[] dominant, Slice[] vectors) {
    int c = Double.compare(dominant[x], dominant[y]);
    return c != 0 ? c : vectors[x].compareTo(vectors[y]);
  }

  /** Merge sort of group ids {@code a[from .. to)} by {@link #compareGroups}. */
  private static void sortGroups(
      int[] a, int[] tmp, int from, int to, double[] dominant, Slice[] vectors) {
    if (to - from < 16) {
      for (int i = from + 1; i < to; i++) {
        int v = a[i];
        int j = i - 1;
        while (j >= from && compareGroups(a[j], v, dominant, vectors) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = v;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    sortGroups(a, tmp, from, mid, dominant, vectors);
    sortGroups(a, tmp, mid, to, dominant, vectors);
    if (compareGroups(a[mid - 1], a[mid], dominant, vectors) <= 0) {
      return;
    }
    System.arraycopy(a, from, tmp, from, to - from);
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < mid && compareGroups(tmp[i], tmp[j], dominant, vectors) <= 0)) {
        a[k] = tmp[i++];
      } else {
        a[k] = tmp[j++];
      }
    }
  }

  /** Any other policy: its comparator over the claims as {@link RankedClaim}s (stable sort). */
  private int[] sortedBy(Policy policy) {
    List<Indexed> ranked = new ArrayList<>();
    for (int i = 0; i < claims.length; i++) {
      if (wellFormed[i]) {
        ranked.add(new Indexed(claims[i], sharesOf(i), i));
      }
    }
    ranked.sort(policy);
    int[] order = new int[ranked.size()];
    for (int j = 0; j < order.length; j++) {
      order[j] = ranked.get(j).index;
    }
    return order;
  }

  private static final class Indexed extends Rules.Ranked {
    final int index;

    Indexed(ClaimRequest request, double[] shares, int index) {
      super(request, shares);
      this.index = index;
    }
  }

  /** A claim's share vector inside {@link #shares}, as a hash key and in DPF's comparison. */
  private static final class Slice {
    final double[] a;
    final int from;
    final int to;
    final int hash;

    Slice(double[] a, int from, int to) {
      this.a = a;
      this.from = from;
      this.to = to;
      int h = 1;
      for (int i = from; i < to; i++) {
        h = 31 * h + Double.hashCode(a[i]);
      }
      this.hash = h;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Slice s
          && hash == s.hash
          && Arrays.equals(a, from, to, s.a, s.from, s.to);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    /** {@link SchedulingPass#compareShares} on the two ranges. */
    int compareTo(Slice s) {
      int nx = to - from;
      int ny = s.to - s.from;
      int n = Math.max(nx, ny);
      for (int i = 0; i < n; i++) {
        int c = Double.compare(i < nx ? a[from + i] : 0, i < ny ? s.a[s.from + i] : 0);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    }
  }

  // ---- deriving

  /**
   * This index without the claims {@code drop} marks, for a snapshot whose waiting claims are these
   * in the same order minus those, on the same blocks. Pairs, shares, the id order and the memoised
   * policy order are filtered, not recomputed: none of them depends on the other claims.
   */
  ClaimIndex retain(boolean[] drop) {
    int n = claims.length;
    int[] newIndex = new int[n];
    int kept = 0;
    int keptPairs = 0;
    for (int i = 0; i < n; i++) {
      if (drop[i]) {
        newIndex[i] = -1;
      } else {
        newIndex[i] = kept++;
        keptPairs += pairStart[i + 1] - pairStart[i];
      }
    }
    ClaimRequest[] c = new ClaimRequest[kept];
    boolean[] ok = new boolean[kept];
    int[] start = new int[kept + 1];
    int[] pb = new int[keptPairs];
    int[] pd = new int[keptPairs];
    double[] sh = new double[keptPairs];
    Instant earliest = null;
    int p = 0;
    for (int i = 0; i < n; i++) {
      int j = newIndex[i];
      if (j < 0) {
        continue;
      }
      c[j] = claims[i];
      ok[j] = wellFormed[i];
      start[j] = p;
      int len = pairStart[i + 1] - pairStart[i];
      System.arraycopy(pairBlock, pairStart[i], pb, p, len);
      System.arraycopy(pairDemand, pairStart[i], pd, p, len);
      System.arraycopy(shares, pairStart[i], sh, p, len);
      p += len;
      Instant d = claims[i].deadline();
      if (d != null && (earliest == null || d.isBefore(earliest))) {
        earliest = d;
      }
    }
    start[kept] = p;
    PolicyOrder o = lastOrder;
    PolicyOrder order = o == null ? null : new PolicyOrder(o.policy(), remap(o.order(), newIndex));
    return new ClaimIndex(
        blockIds,
        capacities,
        blockOffset,
        blockBasic,
        capacityUnits,
        usable,
        blockTable,
        c,
        ok,
        start,
        pb,
        pd,
        demandUnits,
        sh,
        remap(byId, newIndex),
        uniqueIds,
        earliest,
        order);
  }

  private static int[] remap(int[] indices, int[] newIndex) {
    int[] out = new int[indices.length];
    int m = 0;
    for (int i : indices) {
      if (newIndex[i] >= 0) {
        out[m++] = newIndex[i];
      }
    }
    return m == out.length ? out : Arrays.copyOf(out, m);
  }

  // ---- small structures

  /** Block id to block index: open addressing over the ids, no boxing. */
  static final class IdTable {
    private final String[] keys;
    private final int[] hashes;
    private final int[] values;
    private final int mask;

    IdTable(String[] ids) {
      int cap = Integer.highestOneBit(Math.max(4, ids.length * 2 + 1)) << 1;
      keys = new String[cap];
      hashes = new int[cap];
      values = new int[cap];
      mask = cap - 1;
      for (int i = 0; i < ids.length; i++) {
        int hash = spread(ids[i].hashCode());
        int h = hash & mask;
        while (keys[h] != null) {
          h = (h + 1) & mask;
        }
        keys[h] = ids[i];
        hashes[h] = hash;
        values[h] = i;
      }
    }

    /** The index of {@code id}, or -1. */
    int get(String id) {
      int hash = spread(id.hashCode());
      int h = hash & mask;
      String k;
      while ((k = keys[h]) != null) {
        if (hashes[h] == hash && (k == id || k.equals(id))) {
          return values[h];
        }
        h = (h + 1) & mask;
      }
      return -1;
    }

    private static int spread(int h) {
      return h ^ (h >>> 16);
    }
  }

  /** A growing array of demand units; consecutive equal demands are stored once. */
  private static final class UnitPool {
    long[] units = new long[1024];
    int size;
    private int lastOffset = -1;
    private int lastLength;

    int add(Budget d) {
      int n = d.dimensions();
      if (lastOffset >= 0 && lastLength == n) {
        boolean same = true;
        for (int k = 0; k < n && same; k++) {
          same = units[lastOffset + k] == d.units(k);
        }
        if (same) {
          return lastOffset;
        }
      }
      if (size + n > units.length) {
        units = Arrays.copyOf(units, Math.max(units.length * 2, size + n));
      }
      for (int k = 0; k < n; k++) {
        units[size + k] = d.units(k);
      }
      lastOffset = size;
      lastLength = n;
      size += n;
      return lastOffset;
    }

    long[] trimmed() {
      return Arrays.copyOf(units, size);
    }
  }
}
