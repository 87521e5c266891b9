package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.ledger.BlockLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The scheduler with state kept between passes, for the operator and the simulator. It decides
 * exactly as {@link SchedulingPass} would on {@link #snapshot()} (a test compares the two on random
 * inputs), but does only the work that can change the outcome.
 *
 * <p>Why that is enough: after a pass, no waiting claim fits (each was offered the budget and
 * skipped, and later grants in the pass only lowered the unlocked budget). Between passes, budget
 * only becomes available on blocks that received an arrival (DPF-N), a release, a partial spend, or
 * a time-driven unlock (DPF-T). So the next pass only needs to offer budget to claims on those
 * "dirty" blocks and to new arrivals, still in the policy's order; every other claim would be
 * skipped by the full pass too. Likewise a claim can only become infeasible when consumption grows
 * on one of its blocks, and only the earliest deadlines can expire.
 *
 * <p>Not thread-safe: the caller serialises events and passes.
 */
public final class SchedulingEngine {

  private final Policy policy;
  private final Map<String, Blk> blocks = new HashMap<>();
  private final List<Blk> timeDriven = new ArrayList<>();
  private final Map<String, Entry> waiting = new HashMap<>();
  private final TreeSet<Entry> queue;
  private final TreeSet<Entry> deadlines =
      new TreeSet<>(
          Comparator.comparing((Entry e) -> e.request.deadline())
              .thenComparing(e -> e.request.id()));
  private final Map<String, Grant> allocated = new HashMap<>();
  private final List<Entry> arrived = new ArrayList<>();
  private final Set<Blk> unlockedDirty = new LinkedHashSet<>();
  private final Set<Blk> feasibilityDirty = new LinkedHashSet<>();
  private long stamp;

  /** An engine ordering claims by {@code policy}. */
  public SchedulingEngine(Policy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.queue = new TreeSet<>(policy);
  }

  /** The engine's state as a snapshot (waiting claims by arrival, then id). */
  public Snapshot snapshot() {
    TreeMap<String, BlockState> b = new TreeMap<>();
    for (Blk x : blocks.values()) {
      b.put(x.state.id(), x.state);
    }
    List<ClaimRequest> w = new ArrayList<>(waiting.size());
    waiting.values().stream()
        .map(e -> e.request)
        .sorted(Comparator.comparingLong(ClaimRequest::arrival).thenComparing(ClaimRequest::id))
        .forEach(w::add);
    return new Snapshot(b, w, new TreeMap<>(allocated));
  }

  /** An engine holding the state of {@code s} (for example after a restart). */
  public static SchedulingEngine restore(Policy policy, Snapshot s) {
    SchedulingEngine e = new SchedulingEngine(policy);
    s.blocks().values().forEach(e::addBlock);
    e.allocated.putAll(s.allocated());
    for (ClaimRequest c : s.waiting()) {
      e.enter(c);
    }
    return e;
  }

  /**
   * Adds a block.
   *
   * @throws IllegalArgumentException if a block with that id exists
   */
  public void addBlock(BlockState state) {
    if (blocks.containsKey(state.id())) {
      throw new IllegalArgumentException("block " + state.id() + " already exists");
    }
    Blk b = new Blk(state, new TreeSet<>(policy));
    blocks.put(state.id(), b);
    if (state.unlock().timeDriven()) {
      timeDriven.add(b);
    }
    unlockedDirty.add(b);
  }

  /**
   * Removes a block that no claim refers to any more (a deleted block whose grants have all
   * finished).
   *
   * @return whether the block was known
   * @throws IllegalStateException if a waiting claim demands it or a grant holds budget on it
   */
  public boolean removeBlock(String id) {
    Blk b = blocks.get(id);
    if (b == null) {
      return false;
    }
    for (Entry e : waiting.values()) {
      if (e.request.blocks().contains(id)) {
        throw new IllegalStateException(
            "block " + id + " is demanded by waiting claim " + e.request.id());
      }
    }
    for (Grant g : allocated.values()) {
      if (g.blocks().contains(id)) {
        throw new IllegalStateException("block " + id + " holds the grant of " + g.claimId());
      }
    }
    blocks.remove(id);
    timeDriven.remove(b);
    unlockedDirty.remove(b);
    feasibilityDirty.remove(b);
    return true;
  }

  /** The block {@code id}, if known. */
  public Optional<BlockState> block(String id) {
    Blk b = blocks.get(id);
    return b == null ? Optional.empty() : Optional.of(b.state);
  }

  /** The grant held by {@code claimId}, if any. */
  public Optional<Grant> grant(String claimId) {
    return Optional.ofNullable(allocated.get(claimId));
  }

  /** Whether {@code claimId} is waiting. */
  public boolean isWaiting(String claimId) {
    return waiting.containsKey(claimId);
  }

  /** The number of waiting claims. */
  public int waitingCount() {
    return waiting.size();
  }

  /**
   * A claim arrives at {@code now}. If it is well formed, each of its blocks counts one more
   * arrival (DPF-N unlocks {@code G/N}). Idempotent: a claim id already waiting or holding a grant
   * is ignored, so a retried arrival never unlocks twice.
   *
   * @return whether the claim was new
   */
  public boolean arrive(ClaimRequest claim, Instant now) {
    if (waiting.containsKey(claim.id()) || allocated.containsKey(claim.id())) {
      return false;
    }
    Entry e = enter(claim);
    if (e.blks != null) {
      for (Blk b : e.blks) {
        BlockState n = b.state.withArrival(now);
        if (n.ledger() != b.state.ledger()) {
          unlockedDirty.add(b);
        }
        b.state = n;
      }
    }
    return true;
  }

  private Entry enter(ClaimRequest claim) {
    Entry e = new Entry(claim);
    resolve(e);
    waiting.put(claim.id(), e);
    arrived.add(e);
    return e;
  }

  /** Validates the claim against the blocks known now and, if it is well formed, ranks it. */
  private void resolve(Entry e) {
    ClaimRequest claim = e.request;
    e.invalid = Rules.validate(claim, id -> blocks.containsKey(id) ? blocks.get(id).state : null);
    if (e.invalid == null) {
      int n = claim.blocks().size();
      e.blks = new Blk[n];
      for (int i = 0; i < n; i++) {
        e.blks[i] = blocks.get(claim.blocks().get(i));
      }
      e.setShares(Rules.shares(claim, ledgers(e)));
    } else {
      e.blks = null;
      e.setShares(new double[0]);
    }
  }

  /**
   * Withdraws a waiting claim (deleted before a decision).
   *
   * @return whether it was waiting
   */
  public boolean cancel(String claimId) {
    Entry e = waiting.remove(claimId);
    if (e == null) {
      return false;
    }
    dequeue(e);
    arrived.remove(e);
    return true;
  }

  /**
   * The allocated claim spent {@code spent} on each of its blocks (null: all of its grant); the
   * unspent remainder returns to the blocks.
   *
   * @throws IllegalArgumentException if the claim holds no grant
   * @throws dev.privacy.dpf.ledger.LedgerException if a spend exceeds its grant
   */
  public void consume(String claimId, List<Budget> spent) {
    Grant g = allocated.get(claimId);
    if (g == null) {
      throw new IllegalArgumentException("claim " + claimId + " holds no grant");
    }
    int n = g.blocks().size();
    if (spent != null && spent.size() != n) {
      throw new IllegalArgumentException(
          "claim " + claimId + ": " + spent.size() + " spends for " + n + " blocks");
    }
    BlockLedger[] next = new BlockLedger[n];
    for (int i = 0; i < n; i++) {
      Budget amount = g.amounts().get(i);
      next[i] =
          blocks
              .get(g.blocks().get(i))
              .state
              .ledger()
              .consume(amount, spent == null ? amount : spent.get(i));
    }
    // every block accepted the spend: commit all of them (all-or-nothing)
    for (int i = 0; i < n; i++) {
      Blk b = blocks.get(g.blocks().get(i));
      Budget amount = g.amounts().get(i);
      Budget s = spent == null ? amount : spent.get(i);
      retireCheck(b, next[i]);
      b.state = b.state.withLedger(next[i]);
      if (!s.equals(amount)) {
        unlockedDirty.add(b);
      }
      if (!s.isZero()) {
        feasibilityDirty.add(b);
      }
    }
    allocated.remove(claimId);
  }

  /** The allocated claim gives its whole grant back unspent. */
  public void release(String claimId) {
    Grant g = allocated.get(claimId);
    if (g == null) {
      throw new IllegalArgumentException("claim " + claimId + " holds no grant");
    }
    consume(claimId, g.amounts().stream().map(Budget::zero).toList());
  }

  /** Runs a pass at {@code now}, applies it, and returns what it decided. */
  public Decision pass(Instant now) {
    TreeMap<String, BlockLedger> changed = new TreeMap<>();
    for (Blk b : timeDriven) {
      BlockState n = b.state.unlockedAt(now);
      if (n != b.state) {
        b.state = n;
        changed.put(n.id(), n.ledger());
        unlockedDirty.add(b);
      }
    }
    List<Denial> denials = new ArrayList<>();
    long pass = ++stamp;
    List<Entry> candidates = new ArrayList<>();

    for (Entry e : arrived) {
      if (e.invalid != null) {
        resolve(e); // a block it names may have been added since it arrived
      }
      Denial d = e.invalid;
      if (d == null) {
        d = Rules.timedOut(e.request, now);
      }
      if (d == null) {
        d = Rules.infeasible(e.request, ledgers(e));
      }
      if (d != null) {
        deny(e, d, denials);
      } else {
        enqueue(e);
        e.stamp = pass;
        candidates.add(e);
      }
    }
    arrived.clear();
    while (!deadlines.isEmpty() && !deadlines.first().request.deadline().isAfter(now)) {
      Entry e = deadlines.first();
      deny(e, Rules.timedOut(e.request, now), denials);
    }
    for (Blk b : feasibilityDirty) {
      for (Entry e : new ArrayList<>(b.waiting)) {
        Denial d = Rules.infeasible(e.request, ledgers(e));
        if (d != null) {
          deny(e, d, denials);
        }
      }
    }
    feasibilityDirty.clear();
    for (Blk b : unlockedDirty) {
      for (Entry e : b.waiting) {
        if (e.stamp != pass) {
          e.stamp = pass;
          candidates.add(e);
        }
      }
    }
    unlockedDirty.clear();
    candidates.removeIf(e -> !waiting.containsKey(e.request.id()));
    candidates.sort(policy);

    List<Grant> grants = new ArrayList<>();
    for (Entry e : candidates) {
      if (fits(e)) {
        ClaimRequest c = e.request;
        for (int i = 0; i < e.blks.length; i++) {
          Blk b = e.blks[i];
          BlockLedger after = b.state.ledger().grant(c.demands().get(i));
          retireCheck(b, after);
          b.state = b.state.withLedger(after);
          changed.put(b.state.id(), b.state.ledger());
        }
        Grant g = new Grant(c.id(), c.blocks(), c.demands());
        grants.add(g);
        allocated.put(c.id(), g);
        waiting.remove(c.id());
        dequeue(e);
      }
    }
    denials.sort(Comparator.comparing(Denial::claimId));
    return new Decision(grants, denials, changed);
  }

  /** The waiting claims in queue order, with the reason each waits (as of the last pass). */
  public List<Waiting> waiting() {
    List<Waiting> out = new ArrayList<>(queue.size());
    int position = 1;
    for (Entry e : queue) {
      out.add(Rules.waiting(e.request, ledgers(e), position++, e.dominantShare()));
    }
    return out;
  }

  /** Why {@code claimId} waits, if it is in the queue. Costs a walk of the queue. */
  public Optional<Waiting> waiting(String claimId) {
    Entry e = waiting.get(claimId);
    if (e == null || !e.queued) {
      return Optional.empty();
    }
    int position = queue.headSet(e, false).size() + 1;
    return Optional.of(Rules.waiting(e.request, ledgers(e), position, e.dominantShare()));
  }

  /**
   * A grant or a spend whose sums saturate retires an order of the block (see {@link BlockLedger});
   * claims on that block may then never fit, which the next pass must see, as the pure pass does.
   */
  private void retireCheck(Blk b, BlockLedger after) {
    if (!java.util.Arrays.equals(b.state.ledger().liveFlags(), after.liveFlags())) {
      feasibilityDirty.add(b);
    }
  }

  private boolean fits(Entry e) {
    for (int i = 0; i < e.blks.length; i++) {
      if (!e.blks[i].state.ledger().canGrant(e.request.demands().get(i))) {
        return false;
      }
    }
    return true;
  }

  private void deny(Entry e, Denial d, List<Denial> denials) {
    denials.add(d);
    waiting.remove(e.request.id());
    dequeue(e);
  }

  private void enqueue(Entry e) {
    e.queued = true;
    queue.add(e);
    for (Blk b : e.blks) {
      b.waiting.add(e);
    }
    if (e.request.deadline() != null) {
      deadlines.add(e);
    }
  }

  private void dequeue(Entry e) {
    if (!e.queued) {
      return;
    }
    e.queued = false;
    queue.remove(e);
    for (Blk b : e.blks) {
      b.waiting.remove(e);
    }
    if (e.request.deadline() != null) {
      deadlines.remove(e);
    }
  }

  private static BlockLedger[] ledgers(Entry e) {
    BlockLedger[] l = new BlockLedger[e.blks.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = e.blks[i].state.ledger();
    }
    return l;
  }

  private static final class Blk {
    BlockState state;
    final TreeSet<Entry> waiting;

    Blk(BlockState state, TreeSet<Entry> waiting) {
      this.state = state;
      this.waiting = waiting;
    }
  }

  private static final class Entry extends Rules.Ranked {
    Blk[] blks;
    Denial invalid;
    boolean queued;
    long stamp;

    Entry(ClaimRequest request) {
      super(request, null);
    }
  }
}
