package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.ledger.BlockLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * An immutable picture of the scheduler's state: the blocks, the claims waiting (in arrival order
 * as given) and the claims holding a grant. A {@link SchedulingPass} is a function of a snapshot;
 * the {@code with...} methods are the events between passes, each returning a new snapshot.
 */
public final class Snapshot {

  private final SortedMap<String, BlockState> blocks;
  private final List<ClaimRequest> waiting;
  private final SortedMap<String, Grant> allocated;

  /**
   * The waiting claims resolved against the blocks ({@link ClaimIndex}): built by the first pass,
   * or derived from the index of the snapshot this one came from. Not part of the value (equals
   * ignores it); a pass checks that it matches before using it.
   */
  private volatile ClaimIndex index;

  /** Derives {@link #index} from a parent snapshot's, when first needed; then dropped. */
  private Supplier<ClaimIndex> derive;

  /**
   * A snapshot holding copies of the given collections.
   *
   * @param blocks blocks by id
   * @param waiting claims waiting for a decision
   * @param allocated grants held by live claims, by claim id
   */
  public Snapshot(
      SortedMap<String, BlockState> blocks,
      List<ClaimRequest> waiting,
      SortedMap<String, Grant> allocated) {
    this(
        Collections.unmodifiableSortedMap(new TreeMap<>(blocks)),
        List.copyOf(waiting),
        Collections.unmodifiableSortedMap(new TreeMap<>(allocated)),
        null);
  }

  /** Stores views nobody can modify (the caller guarantees it). */
  private Snapshot(
      SortedMap<String, BlockState> blocks,
      List<ClaimRequest> waiting,
      SortedMap<String, Grant> allocated,
      Void trusted) {
    this.blocks = blocks;
    this.waiting = waiting;
    this.allocated = allocated;
  }

  /**
   * A snapshot over unmodifiable views: either this package's fresh collections that nobody else
   * holds, wrapped, or another snapshot's views, shared. No copy: a pass over 100,000 claims would
   * otherwise copy them twice.
   */
  static Snapshot ofViews(
      SortedMap<String, BlockState> blocks,
      List<ClaimRequest> waiting,
      SortedMap<String, Grant> allocated) {
    return new Snapshot(blocks, waiting, allocated, null);
  }

  /** Same, with the index of these very blocks and waiting claims. */
  static Snapshot ofViews(
      SortedMap<String, BlockState> blocks,
      List<ClaimRequest> waiting,
      SortedMap<String, Grant> allocated,
      ClaimIndex index) {
    Snapshot s = new Snapshot(blocks, waiting, allocated, null);
    s.index = index;
    return s;
  }

  /** Same, with a way to derive the index of these blocks and waiting claims when needed. */
  static Snapshot ofViews(
      SortedMap<String, BlockState> blocks,
      List<ClaimRequest> waiting,
      SortedMap<String, Grant> allocated,
      Supplier<ClaimIndex> derive) {
    Snapshot s = new Snapshot(blocks, waiting, allocated, null);
    s.derive = derive;
    return s;
  }

  /**
   * The index of the waiting claims against the blocks: the one derived or carried over if it
   * matches this snapshot (it always should; the check is a cheap scan), else a new one.
   */
  ClaimIndex index() {
    ClaimIndex ix = index;
    if (ix != null) {
      return ix;
    }
    synchronized (this) {
      ix = index;
      if (ix == null) {
        if (derive != null) {
          ix = derive.get();
          derive = null;
          if (!ix.matches(this)) {
            ix = null;
          }
        }
        if (ix == null) {
          ix = ClaimIndex.build(this);
        }
        index = ix;
      }
      return ix;
    }
  }

  /** Whether the index is built or derivable without a full build (for tests). */
  synchronized boolean hasIndex() {
    return index != null || derive != null;
  }

  /** Hands this snapshot's index, if it has one, to {@code next} (same blocks and claims). */
  private Snapshot carryIndex(Snapshot next) {
    ClaimIndex ix = index;
    if (ix != null && ix.matches(next)) {
      next.index = ix;
    }
    return next;
  }

  /** Blocks by id. */
  public SortedMap<String, BlockState> blocks() {
    return blocks;
  }

  /** Claims waiting for a decision. */
  public List<ClaimRequest> waiting() {
    return waiting;
  }

  /** Grants held by live claims, by claim id. */
  public SortedMap<String, Grant> allocated() {
    return allocated;
  }

  @Override
  public boolean equals(Object o) {
    return this == o
        || (o instanceof Snapshot s
            && blocks.equals(s.blocks)
            && waiting.equals(s.waiting)
            && allocated.equals(s.allocated));
  }

  @Override
  public int hashCode() {
    return Objects.hash(blocks, waiting, allocated);
  }

  @Override
  public String toString() {
    return "Snapshot["
        + blocks.size()
        + " blocks, "
        + waiting.size()
        + " waiting, "
        + allocated.size()
        + " allocated]";
  }

  /** No blocks, no claims. */
  public static Snapshot empty() {
    return new Snapshot(new TreeMap<>(), List.of(), new TreeMap<>());
  }

  /** This snapshot with a new block. */
  public Snapshot withBlock(BlockState block) {
    if (blocks.containsKey(block.id())) {
      throw new IllegalArgumentException("block " + block.id() + " already exists");
    }
    TreeMap<String, BlockState> b = new TreeMap<>(blocks);
    b.put(block.id(), block);
    return new Snapshot(b, waiting, allocated);
  }

  /**
   * This snapshot after {@code claim} arrived at {@code now}: it waits, and if it is well formed
   * each of its blocks counts one more arrival (DPF-N unlocks its fair share).
   *
   * @throws IllegalArgumentException if a claim with the same id is known
   */
  public Snapshot withArrival(ClaimRequest claim, Instant now) {
    if (allocated.containsKey(claim.id())
        || waiting.stream().anyMatch(c -> c.id().equals(claim.id()))) {
      throw new IllegalArgumentException("claim " + claim.id() + " is already known");
    }
    TreeMap<String, BlockState> b = new TreeMap<>(blocks);
    if (Rules.validate(claim, blocks::get) == null) {
      for (String id : claim.blocks()) {
        b.put(id, b.get(id).withArrival(now));
      }
    }
    List<ClaimRequest> w = new ArrayList<>(waiting);
    w.add(claim);
    return new Snapshot(b, w, allocated);
  }

  /** This snapshot without the waiting claim {@code claimId} (cancelled before a decision). */
  public Snapshot withoutWaiting(String claimId) {
    List<ClaimRequest> w = new ArrayList<>(waiting.size());
    boolean[] drop = new boolean[waiting.size()];
    for (int i = 0; i < drop.length; i++) {
      ClaimRequest c = waiting.get(i);
      if (c.id().equals(claimId)) {
        drop[i] = true;
      } else {
        w.add(c);
      }
    }
    if (w.size() == waiting.size()) {
      throw new IllegalArgumentException("claim " + claimId + " is not waiting");
    }
    Snapshot next = new Snapshot(blocks, w, allocated);
    ClaimIndex ix = index;
    if (ix != null) {
      next.derive = () -> ix.retain(drop);
    }
    return next;
  }

  /**
   * This snapshot after the allocated claim {@code claimId} spent {@code spent} on each of its
   * blocks (null: the whole grant); the rest goes back to the blocks.
   */
  public Snapshot withConsumed(String claimId, List<Budget> spent) {
    Grant g = allocated.get(claimId);
    if (g == null) {
      throw new IllegalArgumentException("claim " + claimId + " holds no grant");
    }
    if (spent != null && spent.size() != g.blocks().size()) {
      throw new IllegalArgumentException(
          "claim "
              + claimId
              + ": "
              + spent.size()
              + " spends for "
              + g.blocks().size()
              + " blocks");
    }
    TreeMap<String, BlockState> b = new TreeMap<>(blocks);
    for (int i = 0; i < g.blocks().size(); i++) {
      BlockState s = b.get(g.blocks().get(i));
      Budget amount = g.amounts().get(i);
      b.put(
          s.id(), s.withLedger(s.ledger().consume(amount, spent == null ? amount : spent.get(i))));
    }
    TreeMap<String, Grant> a = new TreeMap<>(allocated);
    a.remove(claimId);
    return carryIndex(new Snapshot(b, waiting, a));
  }

  /** This snapshot after the allocated claim {@code claimId} gave its grant back unspent. */
  public Snapshot withReleased(String claimId) {
    Grant g = allocated.get(claimId);
    if (g == null) {
      throw new IllegalArgumentException("claim " + claimId + " holds no grant");
    }
    List<Budget> zero = g.amounts().stream().map(Budget::zero).toList();
    return withConsumed(claimId, zero);
  }

  /** This snapshot after a pass's decision is applied. */
  public Snapshot apply(Decision d) {
    TreeMap<String, BlockState> b = new TreeMap<>(blocks);
    for (Map.Entry<String, BlockLedger> e : d.ledgers().entrySet()) {
      b.put(e.getKey(), Objects.requireNonNull(b.get(e.getKey())).withLedger(e.getValue()));
    }
    Set<String> decided = new HashSet<>();
    TreeMap<String, Grant> a = new TreeMap<>(allocated);
    for (Grant g : d.grants()) {
      decided.add(g.claimId());
      a.put(g.claimId(), g);
    }
    for (Denial x : d.denials()) {
      decided.add(x.claimId());
    }
    List<ClaimRequest> w = new ArrayList<>(waiting.size());
    for (ClaimRequest c : waiting) {
      if (!decided.contains(c.id())) {
        w.add(c);
      }
    }
    return new Snapshot(b, w, a);
  }
}
